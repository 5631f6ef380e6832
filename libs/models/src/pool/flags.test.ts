import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { fashionSplits, MOBILENET_025 } from '../training/testing.js';
import { createEvaluatorPool } from './pool.js';
import { workerNodeFlags } from './spawn.js';

const model = { kind: 'zoo' as const, options: { model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1] as [number, number, number], classes: 10, adapter: 'repeat' as const, weights: MOBILENET_025 } };
const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

describe("workers' V8 flags", () => {
  it('compile on the worker thread when the workers fill the cores, with V8 defaults when cores are spare', () => {
    expect(workerNodeFlags(2, 2)).toEqual(['--no-concurrent-recompilation', '--no-turbo-inlining']);
    expect(workerNodeFlags(3, 2)).toEqual(['--no-concurrent-recompilation', '--no-turbo-inlining']);
    expect(workerNodeFlags(1, 2)).toEqual([]);
    expect(workerNodeFlags(4, 64)).toEqual([]);
  });

  it('are the ones the worker processes run with', async () => {
    const cores = availableParallelism();
    for (const workers of cores > 1 ? [cores, 1] : [1]) {
      const pool = await createEvaluatorPool({ workers, backend: 'wasm', model, splits: fashionSplits(0, [4, 1, 1], 6), training: { epochs: 1, seed: 1 } });
      try {
        await pool.ready();
        for (const pid of pool.workerPids()) {
          const args = cmdline(pid);
          expect(['--no-concurrent-recompilation', '--no-turbo-inlining'].map((f) => args.includes(f)), `${workers} worker(s) on ${cores} cores`).toEqual([workers >= cores, workers >= cores]);
        }
      } finally {
        await pool.close();
      }
    }
  });
});
