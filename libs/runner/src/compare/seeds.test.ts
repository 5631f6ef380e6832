import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openJournal } from '@slt/tracking';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSearchConfig } from '../config/schema.js';
import { readSearchState } from '../search/run.js';
import { searchSeedNoise } from './seeds.js';
import { buildComparison, comparisonNotes } from './table.js';

const result = (fitness: number) => ({
  fitness, testAccuracy: fitness, epochs: [], trainableParams: 10, totalParams: 90, trainableLayers: 2, seconds: 1, imagesPerSecond: 1, backend: 'cpu', prefixReused: 0,
});

/**
 * A finished compare search as the runner journals it (search.started, one generation, the
 * baselines, search.finished), validation accuracies `ga`, `heuristic` and `freeze-all`; 200
 * validation images (one image = 0.005).
 */
function writeCompare(root: string, id: string, seed: number, acc: { ga: number; heuristic: number; freeze: number }, config: Record<string, unknown> = {}): string {
  const dir = path.join(root, id);
  mkdirSync(dir, { recursive: true });
  const j = openJournal(path.join(dir, 'journal.jsonl'));
  j.createRun({ runKey: id, runName: 'search' });
  j.append('search.started', {
    searchId: id, config: { ...parseSearchConfig({ data: 'd', population: 4, generations: 1, epochs: 1, workers: 0, ...config }), seed, out: dir }, mode: 'compare', parentRunKey: id,
    model: { name: 'm', genomeLength: 4, layerNames: ['a', 'b', 'c', 'd'], lockedGenes: [] },
    dataset: { name: 'ds', classNames: ['x', 'y'], counts: { train: 600, val: 200, test: 200 }, shape: [32, 32, 1] },
    totalEvaluations: 2, totalBaselines: 2, pid: 1, host: 'h',
  });
  j.append('generation.started', { generation: 0, genomes: [{ index: 0, mask: '1100', cached: false }, { index: 1, mask: '0110', cached: false }] });
  j.append('eval.finished', { key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '1100', fitness: acc.ga, result: result(acc.ga), runKey: `${id}-0` });
  j.append('eval.finished', { key: 'g0/1', kind: 'ga', generation: 0, index: 1, mask: '0110', fitness: acc.ga - 0.1, result: result(acc.ga - 0.1), runKey: `${id}-1` });
  j.append('generation.finished', { generation: 0, best: acc.ga, mean: acc.ga - 0.05, worst: acc.ga - 0.1, bestMask: '1100', bestTrainableParams: 10, evaluations: 2, cacheHits: 0 });
  j.append('search.baselines', { baselines: [{ label: 'heuristic', mask: '0011' }, { label: 'freeze-all', mask: '0000' }] });
  j.append('eval.finished', { key: 'baseline/heuristic', kind: 'baseline', generation: -1, index: 0, mask: '0011', label: 'heuristic', fitness: acc.heuristic, result: result(acc.heuristic), runKey: `${id}-h` });
  j.append('eval.finished', { key: 'baseline/freeze-all', kind: 'baseline', generation: -1, index: 1, mask: '0000', label: 'freeze-all', fitness: acc.freeze, result: result(acc.freeze), runKey: `${id}-f` });
  j.append('search.finished', { population: [{ mask: '1100', fitness: acc.ga }], seconds: 3 });
  j.close();
  return dir;
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'slt-seeds-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("the seeds' noise of a comparison", () => {
  it('pools the per-method standard deviations over searches differing only in their seed, and says so in the notes', async () => {
    const self = writeCompare(root, '20260101-000000-aaaa', 1, { ga: 0.5, heuristic: 0.49, freeze: 0.4 });
    writeCompare(root, '20260101-000001-bbbb', 2, { ga: 0.52, heuristic: 0.53, freeze: 0.4 });
    // Run with 2 workers and logged elsewhere: what does not change results does not matter.
    writeCompare(root, '20260101-000002-cccc', 3, { ga: 0.54, heuristic: 0.51, freeze: 0.43 }, { workers: 2, experiment: 'other' });
    // Another config (population): not a seed sibling, however far its accuracies are.
    writeCompare(root, '20260101-000003-dddd', 4, { ga: 0.9, heuristic: 0.1, freeze: 0.1 }, { population: 8 });
    const noise = await searchSeedNoise(self);
    expect(noise?.seeds).toBe(3);
    expect(noise?.searches.map((s) => s.seed).sort()).toEqual([1, 2, 3]);
    const sd = Object.fromEntries(noise!.methods.map((m) => [m.method, m.sd]));
    expect(sd['GA (best)']).toBeCloseTo(0.02, 10);
    expect(sd.heuristic).toBeCloseTo(0.02, 10);
    expect(sd['freeze-all']).toBeCloseTo(Math.sqrt(0.0003), 10);
    // Pooled: the square root of the mean variance.
    expect(noise!.val).toBeCloseTo(Math.sqrt((0.0004 + 0.0004 + 0.0003) / 3), 10);

    const c = buildComparison(await readSearchState(self));
    const notes = comparisonNotes(c, { seedNoise: noise });
    // GA 0.50 vs heuristic 0.49: 2 validation images apart (not within one), below the noise 0.0191.
    expect(notes.map((n) => n.text)).toEqual(["GA (best) and heuristic: val accuracy 0.0100 apart, within the seeds' noise (pooled sd 0.0191 over 3 seeds): no real difference"]);
    expect(notes[0].within).toEqual({ noise: noise!.val, seeds: 3 });
  });

  it('is unknown with a single seed (a second search of the same seed, or of another config, does not count): no noise note', async () => {
    const self = writeCompare(root, '20260101-000000-aaaa', 1, { ga: 0.5, heuristic: 0.49, freeze: 0.4 });
    writeCompare(root, '20260101-000001-bbbb', 1, { ga: 0.52, heuristic: 0.53, freeze: 0.4 });
    writeCompare(root, '20260101-000003-dddd', 4, { ga: 0.5, heuristic: 0.49, freeze: 0.4 }, { epochs: 2 });
    expect(await searchSeedNoise(self)).toBeUndefined();
    const c = buildComparison(await readSearchState(self));
    expect(comparisonNotes(c, { seedNoise: await searchSeedNoise(self) })).toEqual([]);
  });
});
