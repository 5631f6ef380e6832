/**
 * The same seed, the same answer, also with median pruning: one seeded search with
 * `--genes weighted --prune median` run with 0 (in process), 1 and 2 workers gives the same
 * journal apart from timings and process facts. The pruning thresholds of generation g come only
 * from generations < g and travel with each genome, so which worker finishes first cannot change
 * what is pruned.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJournal } from './determinism.js';
import { readRecords, sharedData, slt, tempDir, type Rec, recordOf, recordsOf } from './helpers.js';

/** A tiny seeded search (4 x 3, 2 epochs, small splits) with weighted genes and median pruning. */
const flags = (workers: number): string[] => [
  'search', '--model', 'mobilenet_v1_0.25', '--weights', path.join(sharedData, 'models/mobilenet_v1_0.25_224'),
  '--data', path.join(sharedData, 'fashion-mnist-900'), '--input', '32x32', '--population', '4', '--generations', '3', '--epochs', '2', '--seed', '11',
  '--genes', 'weighted', '--prune', 'median', '--prune-startup', '2', '--train-limit', '160', '--val-limit', '60', '--test-limit', '60',
  '--workers', String(workers), '--out', `w${workers}`, '--json',
];

describe('one seeded search with --genes weighted --prune median, with 0, 1 and 2 workers', () => {
  let cwd: string;
  const journals: Record<number, Rec[]> = {};
  const outputs: Record<number, string> = {};

  beforeAll(async () => {
    cwd = await tempDir('determinism-prune');
    for (const workers of [0, 1, 2]) {
      const out = await slt(flags(workers), cwd);
      outputs[workers] = out.all ?? '';
      journals[workers] = readRecords(path.join(cwd, `w${workers}`, 'journal.jsonl'));
    }
  }, 1_500_000);
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('prunes some genomes and keeps the locked (weightless) genes at 0', () => {
    for (const w of [0, 1, 2]) expect(journals[w]!.some((r) => r.type === 'search.finished'), outputs[w]!.slice(-2000)).toBe(true);
    const started = recordOf(journals[0]!, 'search.started');
    const locked = started.model.lockedGenes;
    expect(locked).toHaveLength(86 - 54);
    const finished = recordsOf(journals[0]!, 'eval.finished');
    expect(finished.filter((r) => r.result.pruned === true).length).toBeGreaterThan(0);
    for (const r of finished) for (const i of locked) expect(r.mask[i]).toBe('0');
    // a pruned genome stopped after an epoch, and its fitness is the best accuracy it reached
    for (const r of finished.filter((x) => x.result.pruned)) {
      expect(r.result.epochs.length).toBeLessThan(2);
      expect(r.fitness).toBe(Math.max(...r.result.epochs.map((e: { valAccuracy: number }) => e.valAccuracy)));
    }
  });

  it('gives identical journals apart from timings and process facts', () => {
    const base = canonicalJournal(journals[0]!, path.join(cwd, 'w0'));
    expect(canonicalJournal(journals[1]!, path.join(cwd, 'w1'))).toEqual(base);
    expect(canonicalJournal(journals[2]!, path.join(cwd, 'w2'))).toEqual(base);
  });
});
