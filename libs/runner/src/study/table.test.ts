import { describe, expect, it } from 'vitest';
import type { Comparison, ComparisonRow } from '../compare/table.js';
import { createStudyRunMapper } from './runs.js';
import { reduceStudyJournal } from './state.js';
import { buildStudyTable, formatStudyCsv, formatStudyMarkdown, formatStudyText, studyCells } from './table.js';

/** Layers with weights per method: fewer than the set bits (a '1' on a ReLU trains nothing). */
const WEIGHTED: Record<string, number> = { 'GA (best)': 1, 'freeze-all': 0, 'train-all': 4, heuristic: 2, 'random-1': 1, 'random-2': 2, 'random-3': 0 };
const row = (method: string, layers: number, acc: number | null, params: number, p: number | null, r: number | null, error?: string): ComparisonRow => ({
  method, kind: method === 'GA (best)' ? 'ga' : 'baseline', mask: '1'.repeat(layers).padEnd(6, '0'), trainableLayers: layers, trainableWeightedLayers: WEIGHTED[method], valAccuracy: acc, testAccuracy: acc,
  trainableParams: params, macroPrecision: p, macroRecall: r, ...(error ? { error } : {}),
});

const comparison = (scale: number): Comparison => ({
  model: 'm', dataset: 'ds', generations: [],
  rows: [
    row('GA (best)', 2, 0.8 * scale, 1200, 0.7, 0.75),
    row('freeze-all', 0, 0.5 * scale, 100, 0.4, 0.45),
    row('train-all', 6, 0.6 * scale, 9000, 0.5, 0.55),
    row('heuristic', 3, 0.7 * scale, 4000, 0.6, 0.65),
    row('random-1', 2, 0.4, 1000, 0.3, 0.2),
    row('random-2', 2, 0.6, 1101, 0.5, 0.4),
    row('random-3', 2, null, 1300, null, null, 'NaN loss'),
  ],
});

describe('study table', () => {
  it('has a column per method, the random masks averaged over those that did not fail', () => {
    const cells = studyCells(comparison(1));
    expect(cells.GA).toEqual({ trainableLayers: 2, trainableWeightedLayers: 1, testAccuracy: 0.8, trainableParams: 1200, macroPrecision: 0.7, macroRecall: 0.75, n: 1 });
    expect(cells.random!.trainableWeightedLayers).toBe(1.5); // mean over the masks that did not fail
    expect(studyCells({ ...comparison(1), rows: [{ ...row('heuristic', 3, 0.7, 4000, 0.6, 0.65), trainableWeightedLayers: undefined }] }).heuristic!.trainableWeightedLayers).toBeNull();
    expect(cells['freeze-all']!.trainableParams).toBe(100);
    expect(cells.random!.n).toBe(2);
    expect(cells.random!.testAccuracy).toBeCloseTo(0.5, 12);
    expect(cells.random!.trainableParams).toBe(Math.round((1000 + 1101) / 2));
    expect(cells.random!.macroPrecision).toBeCloseTo(0.4, 12);
    expect(cells.random!.macroRecall).toBeCloseTo(0.3, 12);
    const failed = studyCells({ ...comparison(1), rows: [row('train-all', 6, null, 9000, null, null, 'out of memory')] });
    expect(failed['train-all']).toMatchObject({ testAccuracy: null, n: 0, error: 'out of memory' });
    expect(failed.GA).toBeNull();
  });

  it('formats text, Markdown and CSV with the paper rows for every model', () => {
    const t = buildStudyTable({ studyId: 's1', models: [
      { label: 'a@32x32', model: 'a', input: [32, 32], comparison: comparison(1) },
      { label: 'b', model: 'b', input: [40, 40], comparison: comparison(0.5) },
      { label: 'c', model: 'c', input: [32, 32] },
    ] });
    expect(t.models.map((m) => m.label)).toEqual(['a@32x32', 'b']);
    expect(t.dataset).toBe('ds');
    const text = formatStudyText(t).split('\n');
    expect(text[0]).toMatch(/^model\s+row\s+freeze-all\s+train-all\s+heuristic\s+random\s+GA$/);
    expect(text[2]).toMatch(/^a@32x32\s+number of trainable layers\s+0\s+6\s+3\s+2\s+2$/);
    expect(text[3]).toMatch(/^\s+layers with weights\s+0\s+4\s+2\s+1\.5\s+1$/);
    expect(text[4]).toMatch(/^\s+test accuracy\s+0\.5000\s+0\.6000\s+0\.7000\s+0\.5000\s+0\.8000$/);
    expect(text[5]).toMatch(/^\s+number of parameters\s+100\s+9,000\s+4,000\s+1,051\s+1,200$/);
    expect(text[6]).toMatch(/^\s+macro precision\s+0\.4000\s+0\.5000\s+0\.6000\s+0\.4000\s+0\.7000$/);
    expect(text[8]).toBe('');
    expect(text[9]).toMatch(/^b\s+number of trainable layers/);
    const md = formatStudyMarkdown(t).split('\n');
    expect(md[0]).toBe('Selective layer tuning study on ds (s1)');
    expect(md[2]).toBe('| model | row | freeze-all | train-all | heuristic | random | GA |');
    expect(md[5]).toBe('|  | layers with weights | 0 | 4 | 2 | 1.5 | 1 |');
    expect(md[6]).toBe('|  | test accuracy | 0.5000 | 0.6000 | 0.7000 | 0.5000 | 0.8000 |');
    const csv = formatStudyCsv(t).split('\r\n');
    expect(csv[0]).toBe('model,input,row,freeze-all,train-all,heuristic,random,GA');
    expect(csv[2]).toBe('a@32x32,32x32,layers with weights,0,4,2,1.5,1');
    expect(csv[3]).toBe('a@32x32,32x32,test accuracy,0.5,0.6,0.7,0.5,0.8');
    expect(csv[4]).toBe('a@32x32,32x32,number of parameters,100,9000,4000,1051,1200');
    expect(csv[9]).toBe('b,40x40,test accuracy,0.25,0.3,0.35,0.5,0.4');
    expect(csv).toHaveLength(1 + 2 * 6 + 1);
    // JSON (study.json, --format json): the cells carry the figure
    expect((JSON.parse(JSON.stringify(t)) as typeof t).models[0]!.cells.random!.trainableWeightedLayers).toBe(1.5);
  });
});

describe('study journal', () => {
  const t = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, '0')}.000Z`;
  const base = { data: '/d', seed: 1, experiment: 'slt', population: 4, generations: 1, epochs: 1, batch: 32, lr: 1e-4, preset: 'paper', randomBaselines: 3, workers: 0, backend: 'auto', out: '/study' };
  const models = [{ model: 'a', input: [32, 32], label: 'a', slug: 'a' }, { model: 'b', input: [32, 32], label: 'b', slug: 'b' }];
  const records = [
    { seq: 0, time: t(0), type: 'journal.created', journalId: 'j' },
    { seq: 1, time: t(1), type: 'study.started', studyId: 's', base, models, parentRunKey: 's', pid: 1, host: 'h' },
    { seq: 2, time: t(2), type: 'study.model.started', index: 0, label: 'a', searchId: 's-a', dir: '/study/models/a' },
    { seq: 3, time: t(3), type: 'study.model.finished', index: 0, label: 'a', searchId: 's-a', comparison: comparison(1), seconds: 3 },
    { seq: 4, time: t(4), type: 'study.interrupted', reason: 'SIGINT' },
    { seq: 5, time: t(5), type: 'study.resumed', pid: 2, host: 'h' },
    { seq: 6, time: t(6), type: 'study.model.started', index: 1, label: 'b', searchId: 's-b', dir: '/study/models/b' },
  ];

  it('reduces to every model with its status and the table so far', () => {
    const s = reduceStudyJournal(records as never);
    expect(s.status).toBe('running');
    expect(s.attempts).toBe(2);
    expect(s.current).toBe(1);
    expect(s.models.map((m) => m.status)).toEqual(['finished', 'running']);
    expect(s.table!.models.map((m) => m.label)).toEqual(['a']);
  });

  it('maps onto one MLflow run: created, per-model metrics, KILLED, RUNNING again, artifacts and FINISHED at the end', () => {
    const m = createStudyRunMapper({ dir: '/here' });
    const table = buildStudyTable({ studyId: 's', models: [{ label: 'a', model: 'a', input: [32, 32], comparison: comparison(1) }] });
    const ops = [...records, { seq: 7, time: t(7), type: 'study.finished', table, seconds: 7 }].map((r) => m.next(r as never));
    expect(ops[0]).toEqual([]);
    expect(ops[1]![0]).toMatchObject({ op: 'create', runKey: 's', experimentName: 'slt', runName: 'study-s', startTime: Date.parse(t(1)), tags: { 'slt.kind': 'study', 'slt.study_id': 's' } });
    expect(ops[1]![1]).toMatchObject({ op: 'params', params: { models: 'a,b', model_count: 2, seed: 1 } });
    const metrics = ops[3]![0] as { op: string; metrics: { key: string; value: number }[] };
    expect(metrics.metrics.find((x) => x.key === 'a.ga.test_accuracy')!.value).toBe(0.8);
    expect(metrics.metrics.find((x) => x.key === 'a.random.trainable_params')!.value).toBe(1051);
    expect(metrics.metrics.find((x) => x.key === 'a.train-all.trainable_weighted_layers')!.value).toBe(4);
    expect(ops[4]).toEqual([{ op: 'status', runKey: 's', status: 'KILLED', endTime: Date.parse(t(4)) }]);
    expect(ops[5]).toEqual([{ op: 'status', runKey: 's', status: 'RUNNING' }]);
    expect(ops[7]!.filter((o) => o.op === 'artifact')).toEqual(['study.txt', 'study.md', 'study.csv', 'study.json'].map((f) => ({ op: 'artifact', runKey: 's', path: f, file: `/here/${f}` })));
    expect(ops[7]!.at(-1)).toEqual({ op: 'status', runKey: 's', status: 'FINISHED', endTime: Date.parse(t(7)) });
    // A damaged record maps to nothing (and the reader names it).
    expect(createStudyRunMapper().next({ seq: 1, time: t(1), type: 'study.started', studyId: 's' } as never)).toEqual([]);
  });
});
