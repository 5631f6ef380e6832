import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEvaluator, type LocalEvaluator } from './evaluator.js';
import { TrainingInputError } from './errors.js';
import { fashionSplits, MOBILENET_025 } from './testing.js';
import type { EvaluationResult, TrainableTaskModel } from './types.js';
import { zooTaskModel } from './zoo-task-model.js';

const SIZE = 32;

/** Copies of every weight of `model` (frozen and trainable). */
const weightsOf = (model: tf.LayersModel): Float32Array[] => model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
/** Names of the weights whose values differ bit for bit ([] when all agree). */
const differing = (model: tf.LayersModel, a: Float32Array[], b: Float32Array[]): string[] =>
  model.weights.filter((_, i) => !Buffer.from(a[i]!.buffer).equals(Buffer.from(b[i]!.buffer))).map((w) => w.name);
/** 1-based epoch of the first best validation accuracy. */
const bestEpochOf = (r: EvaluationResult): number => r.epochs.reduce((at, e) => (e.valAccuracy > r.epochs[at - 1]!.valAccuracy ? e.epoch : at), 1);
const withoutSeconds = (r: EvaluationResult) => r.epochs.map(({ seconds: _, ...e }) => e);

describe('fine-tune MobileNetV1-0.25 on fashion-mnist-900 (wasm)', () => {
  let task: TrainableTaskModel;
  let evaluator: LocalEvaluator;
  let baseline: number;

  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
    baseline = tf.memory().numTensors;
    task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [SIZE, SIZE, 1], classes: 10, weights: MOBILENET_025 });
    evaluator = createLocalEvaluator(task, fashionSplits(0));
  });
  afterAll(() => {
    evaluator.dispose();
    task.dispose?.();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('beats chance clearly after 3 epochs, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    let batches = 0;
    const genome = '0'.repeat(43) + '1'.repeat(43); // the paper's "last half" heuristic
    const r = await evaluator.evaluate(genome, { epochs: 3, onEpoch: (m) => epochs.push(m.epoch), onBatch: () => batches++ });
    console.log('fine-tune last-half 3 epochs:', JSON.stringify({ ...r, epochs: r.epochs.map((e) => [e.trainLoss, e.trainAccuracy, e.valLoss, e.valAccuracy].map((v) => +v.toFixed(3))) }));
    expect(tf.memory().numTensors).toBe(before);
    expect(r.error).toBeUndefined();
    expect(r.backend).toBe('wasm');
    expect(epochs).toEqual([1, 2, 3]);
    expect(batches).toBe(3 * Math.ceil(600 / 32));
    expect(r.trainableParams).toBe(196_368); // Keras count (PyTorch peer: heuristic_last_half 196,368)
    expect(r.trainableLayers).toBe(43);
    expect(r.prefixReused).toBe(0); // a trainable 1x1 conv adapter sits in front of the backbone
    expect(r.fitness).toBe(Math.max(...r.epochs.map((e) => e.valAccuracy)));
    // Chance is 0.1 on 150 images (sd 0.025) and a model that learned nothing has a loss >= ln 10.
    expect(r.fitness).toBeGreaterThan(0.2);
    expect(Math.min(...r.epochs.map((e) => e.valLoss))).toBeLessThan(Math.log(10) - 0.1);
    expect(r.epochs[2]!.trainLoss).toBeLessThan(r.epochs[0]!.trainLoss);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
  });

  it('rejects a bad genome and bad options, naming them', async () => {
    await expect(evaluator.evaluate('101')).rejects.toThrow(/genome.*86 characters/);
    await expect(evaluator.evaluate('2'.repeat(86))).rejects.toBeInstanceOf(TrainingInputError);
    await expect(evaluator.evaluate('1'.repeat(86), { batchSize: 0 })).rejects.toThrow(/batchSize.*integer >= 1/);
    const bad = fashionSplits(0, [4, 1, 1], 6);
    bad.val.labels[2] = 10;
    expect(() => createLocalEvaluator(task, bad)).toThrow(/splits\.val\.labels\[2\]: got 10, expected a class index in 0\.\.9/);
  });
});

describe('frozen-prefix reuse (channel-repeat adapter)', () => {
  let task: TrainableTaskModel;
  let evaluator: LocalEvaluator;
  let reference: EvaluationResult | undefined;
  let baseline: number;
  const genome = '0'.repeat(40) + '1'.repeat(46);

  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
    baseline = tf.memory().numTensors;
    task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [SIZE, SIZE, 1], classes: 10, adapter: 'repeat', weights: MOBILENET_025 });
    evaluator = createLocalEvaluator(task, fashionSplits(1, [4, 1, 1], 30));
  });
  afterAll(() => {
    evaluator.dispose();
    task.dispose?.();
    expect(tf.memory().numTensors).toBe(baseline); // the cached suffix models released the shared layers
  });

  it('gives the same result as training the whole graph', async () => {
    const plain = await evaluator.evaluate(genome, { epochs: 1, prefixReuse: false, seed: 3 });
    const before = tf.memory().numTensors;
    const reused = await evaluator.evaluate(genome, { epochs: 1, prefixReuse: true, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(plain.prefixReused).toBe(0);
    expect(reused.prefixReused).toBe(40);
    expect(evaluator.prefixCacheInfo().entries).toBe(1);
    expect(reused.trainableParams).toBe(plain.trainableParams);
    const a = plain.epochs[0]!;
    const b = reused.epochs[0]!;
    expect(b.trainLoss).toBeCloseTo(a.trainLoss, 4);
    expect(b.valLoss).toBeCloseTo(a.valLoss, 4);
    expect(b.trainAccuracy).toBeCloseTo(a.trainAccuracy, 6);
    expect(b.valAccuracy).toBeCloseTo(a.valAccuracy, 6);
    expect(reused.testAccuracy).toBeCloseTo(plain.testAccuracy, 6);
    // Reused again from the cache: the pretrained weights came back, so the run repeats exactly.
    const again = await evaluator.evaluate(genome, { epochs: 1, seed: 3 });
    expect(again.epochs[0]!.trainLoss).toBe(b.trainLoss);
    reference = reused;
  });

  it('ends a diverging run with fitness 0 and the reason', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluator.evaluate('0'.repeat(86), { epochs: 1, learningRate: 1e38 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.prefixReused).toBe(86);
    expect(r.fitness).toBe(0);
    expect(r.error).toMatch(/training loss is NaN at epoch 1, batch \d+ of \d+/);
  });

  it('stops on an aborted signal', async () => {
    const ac = new AbortController();
    const p = evaluator.evaluate('0'.repeat(80) + '1'.repeat(6), { epochs: 1, signal: ac.signal, onBatch: (b) => b.batch === 2 && ac.abort() });
    await expect(p).rejects.toThrow(/aborted/);
  });

  it('starts every genome from the pretrained weights (nothing leaks from diverged or aborted runs)', async () => {
    expect(reference).toBeDefined();
    const r = await evaluator.evaluate(genome, { epochs: 1, seed: 3, batchSize: undefined }); // undefined = the default
    expect(r.epochs).toEqual(reference!.epochs.map((e) => ({ ...e, seconds: r.epochs[0]!.seconds })));
    expect(r.fitness).toBe(reference!.fitness);
  });

  it("measures the test split with the best epoch's weights put back, as a run that stops at that epoch does", async () => {
    const before = tf.memory().numTensors;
    const r = await evaluator.evaluate(genome, { epochs: 3, seed: 3 });
    const after = weightsOf(task.model);
    expect(tf.memory().numTensors).toBe(before);
    const at = bestEpochOf(r);
    expect(at).toBeLessThan(3); // val accuracy improved, then dropped: the weights were put back (else this proves nothing)
    expect(r.fitness).toBe(r.epochs[at - 1]!.valAccuracy);
    // Stopping at the best epoch measures the test split with the weights in place (nothing put back): the old way.
    const stop = await evaluator.evaluate(genome, { epochs: at, seed: 3 });
    expect(withoutSeconds(stop)).toEqual(withoutSeconds(r).slice(0, at));
    expect(r.testAccuracy).toBe(stop.testAccuracy);
    expect(r.testConfusion).toEqual(stop.testConfusion);
    expect(r.testMacroPrecision).toBe(stop.testMacroPrecision);
    expect(r.testMacroRecall).toBe(stop.testMacroRecall);
    expect(r.fitness).toBe(stop.fitness);
    expect(differing(task.model, after, weightsOf(task.model))).toEqual([]); // the model holds the best epoch's weights
    expect(tf.memory().numTensors).toBe(before);
  });

  it('retains the best-fitness weights (ties kept, a better one evicts them) and puts them back exactly', async () => {
    const before = tf.memory().numTensors;
    const cheap = '0'.repeat(80) + '1'.repeat(6);
    const tie = '0'.repeat(80) + '1'.repeat(5) + '0'; // conv_pw_13_relu has no weights: trains the same variables
    const b = await evaluator.evaluate(cheap, { epochs: 1, seed: 0, retain: true });
    const t = await evaluator.evaluate(tie, { epochs: 1, seed: 0, retain: true });
    expect([t.fitness, t.trainableParams]).toEqual([b.fitness, b.trainableParams]);
    expect(evaluator.retainedInfo().map((e) => e.genome)).toEqual([cheap, tie]);
    const a = await evaluator.evaluate(genome, { epochs: 3, seed: 3, retain: true });
    const weightsA = weightsOf(task.model);
    const trainableA = task.model.trainableWeights.length;
    expect(a.fitness).toBeGreaterThan(b.fitness);
    expect(bestEpochOf(a)).toBeLessThan(3); // the retained values are the best epoch's, not the last one's
    expect(evaluator.retainedInfo()).toEqual([{ genome, seed: 3, fitness: a.fitness, epoch: bestEpochOf(a) }]);
    await evaluator.evaluate(cheap, { epochs: 1, seed: 0, retain: true }); // lower: not retained; changes the weights
    expect(differing(task.model, weightsA, weightsOf(task.model)).length).toBeGreaterThan(0);
    expect(evaluator.retainedInfo().length).toBe(1);
    const mid = tf.memory().numTensors;
    const restored = evaluator.restoreRetained(genome, 3);
    expect(tf.memory().numTensors).toBe(mid);
    expect(restored).toMatchObject({ epoch: bestEpochOf(a), testAccuracy: a.testAccuracy, result: { fitness: a.fitness, testConfusion: a.testConfusion } });
    expect(differing(task.model, weightsA, weightsOf(task.model))).toEqual([]);
    expect(task.model.trainableWeights.length).toBe(trainableA); // genome A applied again (the cheap one trains fewer)
    expect(evaluator.restoreRetained(genome, 4)).toBeUndefined(); // another seed
    expect(evaluator.restoreRetained(cheap, 0)).toBeUndefined(); // evicted
    expect(tf.memory().numTensors).toBe(before);
  });
});
