import { describe, expect, it } from 'vitest';
import { comparisonFiles } from './files.js';
import type { Comparison, ComparisonRow } from './table.js';

const row = (method: string, kind: 'ga' | 'baseline', val: number): ComparisonRow => ({
  method, kind, mask: '0110', trainableLayers: 2, valAccuracy: val, testAccuracy: val, trainableParams: 100, macroPrecision: 0.5, macroRecall: 0.5,
});

describe('comparison files', () => {
  it('note under the table (text, Markdown, JSON) the differences within one image', () => {
    const c: Comparison = { searchId: 's', rows: [row('GA (best)', 'ga', 0.5), row('heuristic', 'baseline', 0.5 - 1 / 140), row('freeze-all', 'baseline', 0.3)], generations: [], counts: { val: 140, test: 140 } };
    const files = Object.fromEntries(comparisonFiles(c).files.map(([name, content]) => [name, typeof content === 'string' ? content : '']));
    expect(files['comparison.txt']).toMatch(/\nnote: GA \(best\) and heuristic: val accuracy 0\.0071 apart, within one validation image/);
    expect(files['comparison.md']).toMatch(/\n- note: GA \(best\) and heuristic: val accuracy 0\.0071 apart/);
    expect(files['comparison.txt']).not.toMatch(/freeze-all: val/);
    const json = JSON.parse(files['comparison.json']!) as { notes: string[] };
    // Val and test: both within one image, for the one close pair only.
    expect(json.notes).toHaveLength(2);
    for (const n of json.notes) expect(n).toMatch(/^GA \(best\) and heuristic: (val|test) accuracy/);
  });

  it('write no note when every difference is larger than one image', () => {
    const c: Comparison = { rows: [row('GA (best)', 'ga', 0.5), row('freeze-all', 'baseline', 0.3)], generations: [], counts: { val: 140, test: 140 } };
    const txt = comparisonFiles(c).files.find(([n]) => n === 'comparison.txt')![1] as string;
    expect(txt).not.toContain('note:');
  });
});
