import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEvaluator, type LocalEvaluator } from './evaluator.js';
import { medianThresholds } from './pruning.js';
import { fashionSplits, MOBILENET_025 } from './testing.js';
import type { TrainableTaskModel } from './types.js';
import { zooTaskModel } from './zoo-task-model.js';

describe('medianThresholds (Optuna MedianPruner semantics)', () => {
  it('needs startupTrials completed genomes, skips warm-up epochs, takes the per-epoch median', () => {
    const done = [[0.1, 0.2, 0.3], [0.3, 0.4, 0.5], [0.2, 0.6, 0.4], [0.5, 0.1]];
    expect(medianThresholds(done, 3, { startupTrials: 5 })).toEqual([null, null, null]);
    expect(medianThresholds(done, 3, { startupTrials: 4 })).toEqual([0.25, 0.30000000000000004, 0.4]);
    expect(medianThresholds(done, 3, { startupTrials: 1, warmupEpochs: 1 })).toEqual([null, 0.30000000000000004, 0.4]);
    expect(() => medianThresholds(done, 3, { startupTrials: -1 })).toThrow(/startupTrials/);
  });
});

describe('a pruned fine-tune (wasm, repeat adapter, frozen prefix)', () => {
  let task: TrainableTaskModel;
  let evaluator: LocalEvaluator;
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
    task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, adapter: 'repeat', weights: MOBILENET_025 });
    evaluator = createLocalEvaluator(task, fashionSplits(0, [4, 1, 1], 12), { epochs: 3 });
  });
  afterAll(() => {
    evaluator.dispose();
    task.dispose?.();
  });

  it('stops after the first epoch below its threshold, says pruned, keeps the best accuracy', async () => {
    const genome = '0'.repeat(80) + '1'.repeat(6);
    const before = tf.memory().numTensors;
    const r = await evaluator.evaluate(genome, { prune: [1.01, null, null] });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.pruned).toBe(true);
    expect(r.epochs).toHaveLength(1);
    expect(r.fitness).toBe(r.epochs[0]!.valAccuracy);
    const full = await evaluator.evaluate(genome, { prune: [null, null, null] });
    expect(full.pruned).toBeUndefined();
    expect(full.epochs).toHaveLength(3);
    expect(full.epochs[0]!.valAccuracy).toBe(r.epochs[0]!.valAccuracy); // the same seeded first epoch
  });

  it('cuts the prefix at the first trainable layer with weights: a 1 on a ReLU does not end it', async () => {
    const bits = [...'0'.repeat(86)];
    bits[3] = '1'; // conv1_relu: weightless
    bits[85] = '1'; // conv_pw_13_relu
    bits[83] = '1'; // conv_pw_13_bn
    const r = await evaluator.evaluate(bits.join(''), { epochs: 1 });
    expect(r.prefixReused).toBeGreaterThan(80);
    expect(r.trainableLayers).toBe(3);
    expect(r.trainableWeightedLayers).toBe(1);
  });
});
