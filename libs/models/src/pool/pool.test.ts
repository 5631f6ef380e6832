import { existsSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { fashionSplits, MOBILENET_025 } from '../training/testing.js';
import type { EvaluationResult } from '../training/types.js';
import { readSplitsFile, writeSplitsFile } from './datafile.js';
import { createEvaluatorPool } from './pool.js';
import { startWorkers } from './spawn.js';
import type { TaskModelSource } from './protocol.js';

const model: TaskModelSource = {
  kind: 'zoo',
  options: { model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, adapter: 'repeat', weights: MOBILENET_025 },
};
const L = 86;
const genomes = ['0'.repeat(70) + '1'.repeat(16), '0'.repeat(80) + '1'.repeat(6), '0'.repeat(76) + '10'.repeat(5)];

describe('splits file', () => {
  it('round-trips the splits and rejects a foreign file', async () => {
    const splits = fashionSplits(0, [4, 1, 1], 6);
    const dir = os.tmpdir();
    const file = `${dir}/slt-splits-test-${process.pid}.bin`;
    await writeSplitsFile(file, splits);
    const back = await readSplitsFile(file);
    for (const k of ['train', 'val', 'test'] as const) {
      expect(back[k].shape).toEqual(splits[k].shape);
      expect(Array.from(back[k].labels)).toEqual(Array.from(splits[k].labels));
      expect(back[k].images).toEqual(splits[k].images);
    }
    expect(readdirSync(dir).filter((f) => f.includes(`slt-splits-test-${process.pid}.bin.`))).toEqual([]);
    await expect(readSplitsFile(new URL(import.meta.url).pathname)).rejects.toThrow(/splitsFile.*written by writeSplitsFile/);
  });
});

describe('evaluator pool', () => {
  it('evaluates genomes in 2 workers like in process, and survives a killed worker', async () => {
    const splits = fashionSplits(2, [4, 1, 1], 15);
    const training = { epochs: 1, seed: 5 };
    const local = await createEvaluatorPool({ workers: 0, backend: 'wasm', model, splits, training });
    const expected: EvaluationResult[] = [];
    for (const g of genomes) expected.push(await local.evaluate(g));
    await local.close();

    const pool = await createEvaluatorPool({ workers: 2, backend: 'wasm', model, splits, training });
    try {
      await pool.ready();
      expect(pool.workerPids().every((p) => p > 0)).toBe(true);
      const pidsSeen = new Set<number>();
      const epochs: number[] = [];
      const results = await Promise.all(genomes.map((g) => pool.evaluate(g, { onStart: ({ pid }) => pidsSeen.add(pid), onEpoch: (m) => epochs.push(m.epoch) })));
      expect(pidsSeen.size).toBe(2);
      expect(epochs).toEqual([1, 1, 1]);
      results.forEach((r, i) => {
        expect(r.error).toBeUndefined();
        expect(r.backend).toBe('wasm');
        expect(r.prefixReused).toBe(expected[i]!.prefixReused);
        expect(r.epochs[0]!.trainLoss).toBeCloseTo(expected[i]!.epochs[0]!.trainLoss, 5);
        expect(r.fitness).toBeCloseTo(expected[i]!.fitness, 6);
      });

      // Kill the worker that takes the next genome, once it has trained a batch.
      const oldPids = pool.workerPids();
      let killed = 0;
      const crashed = pool.evaluate(genomes[0]!, {
        epochs: 3,
        onStart: ({ pid }) => (killed = pid),
        onBatch: (b) => b.batch === 1 && b.epoch === 1 && process.kill(killed, 'SIGKILL'),
      });
      const other = pool.evaluate(genomes[1]!);
      const [c, o] = await Promise.all([crashed, other]);
      expect(c.fitness).toBe(0);
      expect(c.error).toMatch(/worker \d crashed \(SIGKILL\) while evaluating/);
      expect(o.error).toBeUndefined();
      expect(o.fitness).toBeCloseTo(expected[1]!.fitness, 6);
      // Aborting a running genome abandons it (its worker is recycled) and rejects.
      const ac = new AbortController();
      const aborted = pool.evaluate(genomes[0]!, { epochs: 3, signal: ac.signal, onBatch: (b) => b.batch === 1 && ac.abort() });
      await expect(aborted).rejects.toThrow(/aborted/);
      // The killed workers were replaced and still evaluate.
      const after = await Promise.all([pool.evaluate(genomes[2]!), pool.evaluate(genomes[2]!)]);
      after.forEach((r) => expect(r.fitness).toBeCloseTo(expected[2]!.fitness, 6));
      const newPids = pool.workerPids();
      expect(newPids.filter((p) => !oldPids.includes(p)).length).toBeGreaterThanOrEqual(1);
      await expect(pool.evaluate('1'.repeat(L - 1))).rejects.toThrow(/genome/);
    } finally {
      await pool.close();
    }
    await expect(pool.evaluate(genomes[0]!)).rejects.toThrow(/closed/);
    expect(pool.workerPids().every((p) => p === 0 || !existsSync(`/proc/${p}`))).toBe(true);
  });

  it('takes workers started ahead (the same processes), and kills those that do not fit or are not taken', async () => {
    const splits = fashionSplits(1, [4, 1, 1], 6);
    const gone = (pids: number[]) => pids.every((p) => p > 0 && !existsSync(`/proc/${p}`));
    const ahead = startWorkers({ workers: 2, backend: 'wasm' }, 2);
    const aheadPids = ahead.pids();
    expect(aheadPids).toHaveLength(2);
    const pool = await createEvaluatorPool({ workers: 2, backend: 'wasm', model, splits, training: { epochs: 1 }, started: ahead });
    try {
      await pool.ready();
      expect(pool.workerPids()).toEqual(aheadPids);
      expect(ahead.take()).toEqual([]); // the pool took them: nothing left to close
      expect((await pool.evaluate(genomes[1]!)).error).toBeUndefined();
      expect(pool.workerInfo().map((w) => w.backend)).toEqual(['wasm', 'wasm']);
    } finally {
      await pool.close();
    }
    expect(gone(aheadPids)).toBe(true);
    // Other settings (a pool of 1, 2 started): the started ones are killed and a fresh one spawned.
    const other = startWorkers({ workers: 2, backend: 'wasm' }, 2);
    const otherPids = other.pids();
    const one = await createEvaluatorPool({ workers: 1, backend: 'wasm', model, splits, training: { epochs: 1 }, started: other });
    try {
      expect(gone(otherPids)).toBe(true);
      await one.ready();
      expect(one.workerPids().some((p) => otherPids.includes(p))).toBe(false);
    } finally {
      await one.close();
    }
    // Never taken (the search stopped in its preflight): close() kills them.
    const idle = startWorkers({ workers: 1, backend: 'wasm' }, 2);
    const idlePids = idle.pids();
    await idle.close();
    expect(gone(idlePids)).toBe(true);
    expect(idle.take()).toEqual([]);
    expect(startWorkers({ workers: 0 }, 2).pids()).toEqual([]);
    expect(() => startWorkers({ workers: 1.5 }, 2)).toThrow(/workers: got 1.5, expected an integer in 0\.\.256/);
  });

  it('rejects bad options by name', async () => {
    await expect(createEvaluatorPool({ workers: -1, model, splits: fashionSplits(0, [4, 1, 1], 6) })).rejects.toThrow(/workers: got -1, expected an integer in 0\.\.256/);
    await expect(createEvaluatorPool({ workers: 1, backend: 'gpu' as 'cpu', model, splits: fashionSplits(0, [4, 1, 1], 6) })).rejects.toThrow(/backend: got "gpu", expected 'auto'/);
    const missing = `${os.tmpdir()}/slt-no-such-model-${process.pid}`;
    const broken = await createEvaluatorPool({ workers: 1, backend: 'wasm', model: { kind: 'zoo', options: { ...model.options, weights: missing } } as TaskModelSource, splits: fashionSplits(0, [4, 1, 1], 6) });
    await expect(broken.ready()).rejects.toThrow(new RegExp(`worker 0: could not start: .*${missing}`));
    await expect(broken.evaluate('1'.repeat(L))).rejects.toThrow(/could not start/);
    await broken.close();
    expect(readdirSync(os.tmpdir()).filter((f) => f.startsWith('slt-pool-') && readdirSync(`${os.tmpdir()}/${f}`).some((x) => x.startsWith(`splits-${process.pid}-`)))).toEqual([]);
  });
});
