import { describe, expect, it } from 'vitest';
import { fashionSplits, MOBILENET_025 } from '../training/testing.js';
import { parseFromWorker, parseToWorker, parseWorkerInit } from './messages.js';
import { createEvaluatorPool } from './pool.js';
import type { TaskModelSource } from './protocol.js';

const result = {
  fitness: 0.5, testAccuracy: 0.25, epochs: [{ epoch: 1, trainLoss: 2, trainAccuracy: 0.1, valLoss: null, valAccuracy: 0.5, seconds: 1 }],
  trainableParams: 10, totalParams: 20, trainableLayers: 1, seconds: 1, imagesPerSecond: 5, backend: 'wasm', prefixReused: 0,
  testConfusion: [[1, 1], [2, 0]], testMacroPrecision: 1 / 6, testMacroRecall: 0.25,
};

describe('worker messages', () => {
  it('parse a result with its confusion matrix (a JSON null loss is NaN)', () => {
    const p = parseFromWorker({ type: 'result', id: 3, result });
    expect(p.ok).toBe(true);
    if (!p.ok || p.message.type !== 'result') throw new Error('not a result');
    expect(p.message.result.testConfusion).toEqual([[1, 1], [2, 0]]);
    expect(p.message.result.epochs[0]!.valLoss).toBeNaN();
  });

  it('name the bad field of a damaged message', () => {
    expect(parseFromWorker({ type: 'result', id: 3, result: { ...result, testConfusion: [[1, -1]] } })).toEqual({ ok: false, error: expect.stringMatching(/result\.testConfusion\.0\.1: /) });
    expect(parseFromWorker({ type: 'epoch', id: 'x' })).toEqual({ ok: false, error: expect.stringMatching(/^bad message from the worker: id: /) });
    expect(parseFromWorker({ type: 'hello' }).ok).toBe(false);
    expect(parseFromWorker(null).ok).toBe(false);
  });

  it('check what the pool sends a worker: its init and each request, naming the bad field', () => {
    const init = { splitsFile: '/tmp/s.bin', backend: 'wasm', model: { kind: 'zoo', options: { model: 'mobilenet_v1_0.25' } }, training: {} };
    expect(parseWorkerInit(init)).toEqual({ ok: true, message: init });
    expect(parseWorkerInit({ ...init, backend: 'gpu' })).toEqual({ ok: false, error: expect.stringMatching(/^bad message to the worker \(init\): backend: /) });
    expect(parseWorkerInit({ ...init, model: { kind: 'onnx', options: {} } })).toEqual({ ok: false, error: expect.stringMatching(/model\.kind: /) });
    const evaluate = { type: 'evaluate', id: 4, genome: '0110', options: { epochs: 2, seed: 7, prune: [0.5, null] }, batches: false };
    expect(parseToWorker(evaluate)).toEqual({ ok: true, message: evaluate });
    expect(parseToWorker({ ...evaluate, genome: '01x' })).toEqual({ ok: false, error: expect.stringMatching(/genome: expected a string of 0 and 1/) });
    expect(parseToWorker({ ...evaluate, options: { epochs: 0 } })).toEqual({ ok: false, error: expect.stringMatching(/options\.epochs: /) });
    expect(parseToWorker({ type: 'close' }).ok).toBe(true);
    expect(parseToWorker({ type: 'train' }).ok).toBe(false);
  });

  it('carry the test confusion matrix from a worker process as computed in process', async () => {
    const model: TaskModelSource = { kind: 'zoo', options: { model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, adapter: 'repeat', weights: MOBILENET_025 } };
    const splits = fashionSplits(4, [4, 1, 1], 12);
    const training = { epochs: 1, seed: 2 };
    const genome = '0'.repeat(80) + '1'.repeat(6);
    const local = await createEvaluatorPool({ workers: 0, backend: 'wasm', model, splits, training });
    const expected = await local.evaluate(genome);
    await local.close();
    const pool = await createEvaluatorPool({ workers: 1, backend: 'wasm', model, splits, training });
    try {
      const r = await pool.evaluate(genome);
      expect(r.error).toBeUndefined();
      expect(r.testConfusion).toEqual(expected.testConfusion);
      expect(r.testMacroPrecision).toBeCloseTo(expected.testMacroPrecision!, 12);
      expect(r.testMacroRecall).toBeCloseTo(expected.testMacroRecall!, 12);
    } finally {
      await pool.close();
    }
  }, 300_000);
});
