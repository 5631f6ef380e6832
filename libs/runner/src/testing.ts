/**
 * `@slt/runner/testing`: fixtures for tests of the runner and the apps (not for production code).
 * A finished compare search's journal, written by the real journal exactly as the runner writes it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openJournal } from '@slt/tracking';
import { parseSearchConfig } from './config/schema.js';

/** Validation (and test) accuracies of a fixture compare search's methods. */
export interface FixtureAccuracies {
  /** The GA's best genome (a second genome scores 0.1 less). */
  ga: number;
  heuristic: number;
  freeze: number;
}

const result = (fitness: number) => ({
  fitness, testAccuracy: fitness, epochs: [], trainableParams: 10, totalParams: 90, trainableLayers: 2, seconds: 1, imagesPerSecond: 1, backend: 'cpu', prefixReused: 0,
});

/**
 * Writes a finished compare search under `root/id` (search.started, one generation of two genomes,
 * the heuristic and freeze-all baselines, search.finished; 200 validation and 200 test images, so one
 * image is 0.005) and returns its folder. `config` overrides the search config (population 4,
 * 1 generation, 1 epoch, 0 workers); `seed` is journaled as given.
 */
export function writeFinishedCompare(root: string, id: string, seed: number, acc: FixtureAccuracies, config: Record<string, unknown> = {}): string {
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
