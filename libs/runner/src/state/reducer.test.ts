import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openJournal } from '@slt/tracking';
import { readSearchJournal } from '../journal/read.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchConfig } from '../config/schema.js';
import type { EvaluationResult, RunnerRecordBody, SearchEvent } from '../journal/records.js';
import { initialSearchState, reduceJournal, reduceSearch } from './reducer.js';
import type { SearchState } from './types.js';

const result = (fitness: number, extra: Partial<EvaluationResult> = {}): EvaluationResult => ({
  fitness, testAccuracy: fitness - 0.05, trainableParams: 1000 + Math.round(fitness * 100), totalParams: 5000, trainableLayers: 2,
  seconds: 10, imagesPerSecond: 100, backend: 'cpu', prefixReused: 0,
  epochs: [{ epoch: 0, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: fitness, seconds: 10 }], ...extra,
});

/** A search of population 4, 2 generations (gen 1 has a cache hit), a failure, a kill and a resume. */
function script(): RunnerRecordBody[] {
  const config = { ...parseSearchConfig({ data: 'd', population: 4, generations: 2, epochs: 1, workers: 1 }), seed: 3 };
  const masks = ['1100', '0011', '1010', '0101'];
  const recs: RunnerRecordBody[] = [
    { type: 'search.started', searchId: 's1', config, mode: 'search', parentRunKey: 's1',
      model: { name: 'm', genomeLength: 4, layerNames: ['a', 'b', 'c', 'd'], lockedGenes: [] },
      dataset: { name: 'ds', classNames: ['x', 'y'], counts: { train: 6, val: 2, test: 2 }, shape: [32, 32, 1] },
      totalEvaluations: 8, totalBaselines: 0, pid: 1, host: 'h' },
    { type: 'ga.snapshot', generation: 0, state: {} },
    { type: 'generation.started', generation: 0, genomes: masks.map((mask, index) => ({ index, mask, cached: false })) },
  ];
  masks.forEach((mask, i) => {
    const key = `g0/${i}`;
    recs.push({ type: 'eval.started', key, kind: 'ga', generation: 0, index: i, mask, trainableLayers: 2, epochs: 1 });
    const res = i === 2 ? result(0, { error: 'NaN loss', epochs: [] }) : result(0.5 + i / 10);
    recs.push({ type: 'eval.finished', key, kind: 'ga', generation: 0, index: i, mask, fitness: res.fitness, result: res, runKey: `s1/${key}` });
  });
  recs.push({ type: 'generation.finished', generation: 0, best: 0.8, mean: 0.475, worst: 0, bestMask: '0101', bestTrainableParams: 1080, evaluations: 4, cacheHits: 0 });
  recs.push({ type: 'generation.started', generation: 1, genomes: [
    { index: 0, mask: '0101', cached: true, fitness: 0.8 }, { index: 1, mask: '1111', cached: false },
    { index: 2, mask: '0001', cached: false }, { index: 3, mask: '1000', cached: false }] });
  recs.push({ type: 'eval.cached', key: 'g1/0', generation: 1, index: 0, mask: '0101', fitness: 0.8 });
  recs.push({ type: 'eval.started', key: 'g1/1', kind: 'ga', generation: 1, index: 1, mask: '1111', trainableLayers: 4, epochs: 1 });
  recs.push({ type: 'search.interrupted', reason: 'SIGINT' });
  recs.push({ type: 'search.resumed', pid: 2, host: 'h' });
  recs.push({ type: 'eval.started', key: 'g1/1', kind: 'ga', generation: 1, index: 1, mask: '1111', trainableLayers: 4, epochs: 1 });
  return recs;
}

describe('reduceSearch over a real journal', () => {
  let dir: string;
  let events: SearchEvent[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slt-reducer-'));
    const file = path.join(dir, 'journal.jsonl');
    const j = openJournal(file);
    j.createRun({ runKey: 's1', runName: 'search' });
    for (const { type, ...payload } of script()) j.append(type, payload);
    j.close();
    events = await readSearchJournal(file);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('builds generations, rows, best/mean, progress and logs', () => {
    const s = reduceJournal(events);
    expect(s.searchId).toBe('s1');
    expect(s.status).toBe('running');
    expect(s.attempts).toBe(2);
    expect(s.pid).toBe(2);
    expect(s.generations.map((g) => g.generation)).toEqual([0, 1]);
    const g0 = s.generations[0];
    expect(g0.finished).toBe(true);
    expect(g0.best).toBe(0.8);
    expect(g0.mean).toBeCloseTo(0.475);
    expect(g0.rows.map((r) => r.state)).toEqual(['done', 'done', 'failed', 'done']);
    expect(g0.rows[2].error).toBe('NaN loss');
    // A failure written by an older slt as eval.finished + result.error has no fitness.
    expect(g0.rows[2].fitness).toBeUndefined();
    const g1 = s.generations[1];
    // g1/1 was abandoned by the interrupt and is training again after the resume.
    expect(g1.rows.map((r) => r.state)).toEqual(['cached', 'training', 'queued', 'queued']);
    expect(g1.cacheHits).toBe(1);
    expect(s.currentGeneration).toBe(1);
    expect(s.best).toMatchObject({ key: 'g0/3', mask: '0101', fitness: 0.8 });
    expect(s.progress).toMatchObject({ done: 5, total: 8, cacheHits: 1, failures: 1, trained: 4, meanEvalSeconds: 10 });
    expect(s.progress.fraction).toBeCloseTo(5 / 8);
    // 3 left, 4 of 5 done were trained: 3 * 0.8 * 10 s with one worker.
    expect(s.progress.etaSeconds).toBeCloseTo(24);
    expect(s.lastSeq).toBe((events[events.length - 1] as { seq: number }).seq);
    expect(s.logs.some((l) => l.level === 'warn' && l.message.includes('NaN loss'))).toBe(true);
    expect(s.logs.some((l) => l.message.includes('interrupted: SIGINT'))).toBe(true);
  });

  it('marks an abandoned evaluation queued when the search is interrupted or killed and resumed', () => {
    const interruptedAt = events.findIndex((e) => e.type === 'search.interrupted');
    const before = reduceJournal(events.slice(0, interruptedAt));
    expect(before.generations[1].rows[1].state).toBe('training');
    const after = reduceJournal(events.slice(0, interruptedAt + 1));
    expect(after.status).toBe('interrupted');
    expect(after.generations[1].rows[1].state).toBe('queued');
    // Killed without a word (no interrupted record), then resumed.
    const killed = reduceJournal([...events.slice(0, interruptedAt), ...events.slice(interruptedAt + 1, interruptedAt + 2)]);
    expect(killed.generations[1].rows[1].state).toBe('queued');
  });

  it('is pure: reducing does not change the previous state', () => {
    const before = reduceJournal(events.slice(0, 5));
    const snapshot = JSON.stringify(before);
    reduceJournal(events.slice(5), before);
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('shows epochs and live progress of a training row, then its result', () => {
    let s = reduceJournal(events);
    const t = new Date().toISOString();
    s = reduceSearch(s, { type: 'eval.started', key: 'g1/1', kind: 'ga', generation: 1, index: 1, mask: '1111', trainableLayers: 4, epochs: 2, seq: 100, time: t });
    s = reduceSearch(s, { type: 'eval.progress', key: 'g1/1', epoch: 0, batch: 3, batches: 10, imagesPerSecond: 250, time: t });
    let row = s.generations[1].rows[1];
    expect(row).toMatchObject({ state: 'training', batch: { batch: 3, batches: 10 }, imagesPerSecond: 250, epochs: 2 });
    s = reduceSearch(s, { type: 'eval.epoch', key: 'g1/1', metrics: { epoch: 0, trainLoss: 1, trainAccuracy: 0.4, valLoss: 1, valAccuracy: 0.9, seconds: 5 }, seq: 101, time: t });
    row = s.generations[1].rows[1];
    expect(row).toMatchObject({ epochsDone: 1, fitness: 0.9 });
    expect(row.batch).toBeUndefined();
    const res = result(0.9);
    s = reduceSearch(s, { type: 'eval.finished', key: 'g1/1', kind: 'ga', generation: 1, index: 1, mask: '1111', fitness: 0.9, result: res, runKey: 'x', seq: 102, time: t });
    expect(s.best).toMatchObject({ key: 'g1/1', fitness: 0.9 });
    expect(s.progress.done).toBe(6);
    // A duplicate finish (replayed record) is not counted twice.
    s = reduceSearch(s, { type: 'eval.finished', key: 'g1/1', kind: 'ga', generation: 1, index: 1, mask: '1111', fitness: 0.9, result: res, runKey: 'x', seq: 103, time: t });
    expect(s.progress.done).toBe(6);
  });

  it('a journal replayed into the state it built counts nothing twice (readers that re-follow)', () => {
    const once = reduceJournal(events);
    const twice = reduceJournal(events, once);
    expect(twice.progress).toEqual(once.progress);
    expect(twice.generations).toEqual(once.generations);
  });

  it('tracks baselines and the end of a search', () => {
    let s = reduceJournal(events);
    const t = new Date().toISOString();
    s = reduceSearch(s, { type: 'search.baselines', baselines: [{ label: 'freeze-all', mask: '0000' }, { label: 'train-all', mask: '1111' }], seq: 200, time: t });
    expect(s.baselines.map((b) => [b.label, b.state, b.trainableLayers])).toEqual([['freeze-all', 'queued', 0], ['train-all', 'queued', 4]]);
    s = reduceSearch(s, { type: 'eval.finished', key: 'baseline/train-all', kind: 'baseline', generation: -1, index: 1, mask: '1111', label: 'train-all', fitness: 0.95, result: result(0.95), runKey: 'y', seq: 201, time: t });
    expect(s.baselines[1].state).toBe('done');
    // A baseline is never the GA's best.
    expect(s.best?.key).toBe('g0/3');
    s = reduceSearch(s, { type: 'search.finished', population: [{ mask: '0101', fitness: 0.8 }], seconds: 30, seq: 202, time: t });
    expect(s.status).toBe('finished');
    expect(s.progress.etaSeconds).toBe(0);
    expect(s.finalPopulation).toHaveLength(1);
  });

  it('ignores live progress of a row that is not training (a stale progress.json)', () => {
    const s = reduceJournal(events);
    const after = reduceSearch(s, { type: 'eval.progress', key: 'g0/0', epoch: 1, batch: 2, batches: 9, imagesPerSecond: 5, time: new Date().toISOString() });
    expect(after).toBe(s);
  });

  it('ignores tracking records but advances lastSeq', () => {
    const s = reduceSearch(initialSearchState(), { type: 'run.metrics', seq: 9, time: new Date().toISOString(), runKey: 'x' });
    expect(s.lastSeq).toBe(9);
    expect(s.status).toBe('empty');
  });
});

describe('failures, retries and ties', () => {
  const t = '2026-01-01T00:00:00.000Z';
  const base = (): SearchState => reduceJournal(script().slice(0, 3).map((r, i) => ({ ...r, seq: i + 1, time: t }) as SearchEvent));
  it('an eval.failed row has no fitness and counts as a failure; retries are counted', () => {
    let s = base();
    s = reduceSearch(s, { type: 'eval.started', key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '1100', trainableLayers: 2, epochs: 1, seq: 10, time: t });
    s = reduceSearch(s, { type: 'eval.retry', key: 'g0/0', attempt: 1, error: 'worker 0 crashed (SIGKILL)', worker: 0, device: '1', seq: 11, time: t });
    s = reduceSearch(s, { type: 'eval.started', key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '1100', trainableLayers: 2, epochs: 1, attempt: 2, seq: 12, time: t });
    expect(s.generations[0].rows[0]).toMatchObject({ state: 'training', attempts: 2 });
    s = reduceSearch(s, { type: 'eval.failed', key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '1100', error: 'out of memory', attempts: 2, runKey: 's1/g0/0', trainableLayers: 2, device: '1', seq: 13, time: t });
    expect(s.generations[0].rows[0]).toMatchObject({ state: 'failed', error: 'out of memory', attempts: 2, device: '1' });
    expect(s.generations[0].rows[0].fitness).toBeUndefined();
    expect(s.progress).toMatchObject({ done: 1, failures: 1, retries: 1 });
    expect(s.best).toBeUndefined();
    expect(s.logs.some((l) => l.level === 'error' && l.message.includes('failed after 2 attempts'))).toBe(true);
  });

  it('the best by the tie rule does not depend on the order evaluations finished in', () => {
    const fin = (i: number, params: number, seq: number): SearchEvent => ({
      type: 'eval.finished', key: `g0/${i}`, kind: 'ga', generation: 0, index: i, mask: ['1100', '0011', '1010', '0101'][i]!,
      fitness: 0.5, result: result(0.5, { trainableParams: params }), runKey: `s1/g0/${i}`, seq, time: t,
    });
    const bests = new Set<string>();
    for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]]) {
      let s = base();
      order.forEach((i, k) => (s = reduceSearch(s, fin(i, [300, 100, 100, 200][i]!, 20 + k))));
      bests.add(s.best!.key);
    }
    // Equal fitness: fewest trainable params (g0/1 and g0/2 have 100), then lower index.
    expect([...bests]).toEqual(['g0/1']);
  });
});
