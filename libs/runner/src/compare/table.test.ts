import { describe, expect, it } from 'vitest';
import { parseSearchConfig } from '../config/schema.js';
import type { EvaluationResult, SearchEvent } from '../journal/records.js';
import { reduceJournal } from '../state/reducer.js';
import { comparisonChartPng, comparisonChartSvg } from './chart.js';
import { confusionDocument, confusionFiles, confusionSvg, methodSlug } from './confusion.js';
import { buildComparison, comparisonNotes, formatComparisonMarkdown, formatComparisonText } from './table.js';

const t = '2026-01-01T00:00:00.000Z';
// A 2-class confusion matrix per result (the macro scores beside it are fixture values, passed through).
const CONFUSION = [[3, 0], [1, 0]];
const res = (fitness: number, params: number, error?: string): EvaluationResult => ({
  fitness, testAccuracy: fitness / 2, epochs: [], trainableParams: params, totalParams: 9, trainableLayers: 0, seconds: 1, imagesPerSecond: 1, backend: 'cpu', prefixReused: 0,
  ...(error ? { error } : { testConfusion: CONFUSION, testMacroPrecision: 0.5, testMacroRecall: 0.25 }),
});
let seq = 0;
const ev = (e: Record<string, unknown>) => ({ seq: ++seq, time: t, ...e }) as unknown as SearchEvent;

function state() {
  const config = { ...parseSearchConfig({ data: 'd', population: 4, generations: 1 }), seed: 1 };
  return reduceJournal([
    ev({ type: 'search.started', searchId: 's', mode: 'compare', config, parentRunKey: 's', pid: 1, host: 'h', totalEvaluations: 2, totalBaselines: 2,
      model: { name: 'm', genomeLength: 4, layerNames: ['a', 'b', 'c', 'd'], lockedGenes: [] }, dataset: { name: 'ds', classNames: ['x', 'y'], counts: { train: 1, val: 1, test: 1 }, shape: [32, 32, 1] } }),
    ev({ type: 'generation.started', generation: 0, genomes: [{ index: 0, mask: '1100', cached: false }, { index: 1, mask: '0110', cached: false }] }),
    ev({ type: 'eval.finished', key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '1100', fitness: 0.5, result: res(0.5, 120), runKey: 'x' }),
    ev({ type: 'eval.finished', key: 'g0/1', kind: 'ga', generation: 0, index: 1, mask: '0110', fitness: 0.75, result: res(0.75, 1234567), runKey: 'y' }),
    ev({ type: 'generation.finished', generation: 0, best: 0.75, mean: 0.625, worst: 0.5, bestMask: '0110', bestTrainableParams: 1234567, evaluations: 2, cacheHits: 0 }),
    ev({ type: 'search.baselines', baselines: [{ label: 'freeze-all', mask: '0000' }, { label: 'train-all', mask: '1111' }] }),
    ev({ type: 'eval.finished', key: 'baseline/freeze-all', kind: 'baseline', generation: -1, index: 0, mask: '0000', label: 'freeze-all', fitness: 0.25, result: res(0.25, 10), runKey: 'z' }),
    ev({ type: 'eval.finished', key: 'baseline/train-all', kind: 'baseline', generation: -1, index: 1, mask: '1111', label: 'train-all', fitness: 0, result: res(0, 0, 'NaN loss'), runKey: 'w' }),
  ]);
}

describe('comparison table', () => {
  it('has the GA best first, then every baseline, with failures marked', () => {
    const c = buildComparison(state());
    expect(c.rows.map((r) => [r.method, r.trainableLayers, r.testAccuracy, r.trainableParams])).toEqual([
      ['GA (best)', 2, 0.375, 1234567], ['freeze-all', 0, 0.125, 10], ['train-all', 4, null, 0],
    ]);
    expect(c.rows[2].error).toBe('NaN loss');
    expect(c.rows.map((r) => [r.macroPrecision, r.macroRecall, r.confusion])).toEqual([[0.5, 0.25, CONFUSION], [0.5, 0.25, CONFUSION], [null, null, undefined]]);
    expect(c.classNames).toEqual(['x', 'y']);
    expect(c.generations).toEqual([{ generation: 0, best: 0.75, mean: 0.625 }]);
  });

  it('formats text and Markdown with every row', () => {
    const c = buildComparison(state());
    const md = formatComparisonMarkdown(c).split('\n');
    expect(md[0]).toBe('Selective layer tuning: m on ds');
    expect(md[2]).toBe('| method | trainable layers | layers with weights | test accuracy | val accuracy | trainable params | test macro precision | test macro recall |');
    expect(md[4]).toBe('| GA (best) | 2 | - | 0.3750 | 0.7500 | 1,234,567 | 0.5000 | 0.2500 |');
    // A failed evaluation has no fitness (issue 11: failures are not data).
    expect(md[6]).toBe('| train-all (failed) | 4 | - | - | - | 0 | - | - |');
    const text = formatComparisonText(c).split('\n');
    expect(text).toHaveLength(6);
    expect(text[2]).toMatch(/^GA \(best\)\s+2\s+-\s+0\.3750\s+0\.7500\s+1,234,567\s+0\.5000\s+0\.2500$/);
  });

  it('draws the chart with a line per baseline as SVG and PNG', () => {
    const c = buildComparison(state());
    const svg = comparisonChartSvg(c);
    // A dashed line and a dashed legend swatch for freeze-all (train-all failed: no fitness, no line).
    expect(svg.match(/stroke-dasharray/g)?.length).toBe(2);
    const png = comparisonChartPng(c, 400, 240);
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    // IHDR width and height.
    const view = new DataView(png.buffer, png.byteOffset);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([400, 240]);
  });

  it('writes confusion.json and a PNG heat map per method with a matrix', () => {
    const c = buildComparison(state());
    const doc = confusionDocument(c);
    expect(doc.classNames).toEqual(['x', 'y']);
    expect(doc.methods.map((m) => [m.method, m.file])).toEqual([['GA (best)', 'confusion-ga-best.png'], ['freeze-all', 'confusion-freeze-all.png']]);
    expect(methodSlug('random-2')).toBe('random-2');
    const svg = confusionSvg(CONFUSION, ['x', 'y'], 't');
    // One rect per cell plus the background, the counts as text.
    expect(svg.match(/<rect /g)?.length).toBe(5);
    expect(svg).toContain('>3</text>');
    const files = confusionFiles(c);
    expect(files.map(([n]) => n)).toEqual(['confusion.json', 'confusion-ga-best.png', 'confusion-freeze-all.png']);
    expect(JSON.parse(files[0][1] as string).methods[0].matrix).toEqual(CONFUSION);
    expect([...(files[1][1] as Uint8Array).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  });
});

describe('comparisonNotes', () => {
  it('says when two methods differ by at most one validation or test image, or by less than the seeds\' noise', () => {
    const base = buildComparison(state());
    const row = (method: string, val: number, test: number) => ({ ...base.rows[1], method, valAccuracy: val, testAccuracy: test });
    // 140 validation and test images: one image is 0.0071 of accuracy.
    const c = { ...base, counts: { val: 140, test: 140 }, rows: [{ ...base.rows[0], valAccuracy: 50 / 140, testAccuracy: 60 / 140 }, row('freeze-all', 49 / 140, 40 / 140), row('heuristic', 50 / 140, 61 / 140), row('train-all', 30 / 140, 30 / 140)] };
    expect(comparisonNotes(c).map((n) => n.text)).toEqual([
      'GA (best) and freeze-all: val accuracy 0.0071 apart, within one validation image (1/140 = 0.0071): no real difference',
      'GA (best) and heuristic: val accuracy equal, within one validation image (1/140 = 0.0071): no real difference',
      'GA (best) and heuristic: test accuracy 0.0071 apart, within one test image (1/140 = 0.0071): no real difference',
    ]);
    // Seeds' noise: train-all's 20 images fewer are within a noise of 0.2, but not within one image.
    expect(comparisonNotes(c, { seedNoise: { val: 0.2, seeds: 3 } }).map((n) => n.text)).toContain("GA (best) and train-all: val accuracy 0.1429 apart, within the seeds' noise (pooled sd 0.2000 over 3 seeds): no real difference");
    // buildComparison records the split sizes of the search; unknown sizes give no note.
    expect(comparisonNotes(c)[1]).toMatchObject({ methods: ['GA (best)', 'heuristic'], split: 'val', difference: 0, within: { image: 140 } });
    expect(base.counts).toEqual({ val: 1, test: 1 });
    expect(comparisonNotes({ ...c, counts: undefined })).toEqual([]);
  });
});
