import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTaskModel } from '../task/task-model.js';
import { fuseInferenceBatchNorm } from './batchnorm.js';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

/** Output, loss gradients of every trainable weight, and kernel calls of one forward + backward. */
async function step(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let out: Float32Array | undefined;
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => {
      const p = model.apply(x, { training: false }) as tf.Tensor;
      out = p.dataSync() as Float32Array;
      return tf.losses.softmaxCrossEntropy(y, p) as tf.Scalar;
    }, vars);
    value.dispose();
    const g = vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
    tf.dispose(Object.values(grads));
    return g;
  });
  return { out: out!, grads: profile.result as unknown as Float32Array[], reshapes: profile.kernels.filter((k) => k.name === 'Reshape').length };
}

describe('BatchNormalization in inference mode as one kernel', () => {
  it('gives a MobileNet the same output and weight gradients, bit for bit, with two Reshape kernels fewer per BatchNorm', async () => {
    const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 5, seed: 3 });
    try {
      // trained-looking statistics: moving mean and variance away from 0 and 1
      for (const w of task.model.weights) {
        if (/moving_(mean|variance)/.test(w.name)) w.write(tf.tidy(() => tf.add(tf.randomUniform(w.shape as number[], 0, 0.5, 'float32', 11), /variance/.test(w.name) ? 0.5 : -0.2)));
      }
      for (const l of task.model.layers) l.trainable = true;
      const bns = task.model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
      const x = tf.randomUniform([4, 32, 32, 1], -1, 1, 'float32', 5);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 4], 'int32'), 5);
      const before = tf.memory().numTensors;
      const a = await step(task.model, x, y);
      expect(fuseInferenceBatchNorm(task.model)).toBe(bns);
      expect(fuseInferenceBatchNorm(task.model)).toBe(0); // idempotent
      const b = await step(task.model, x, y);
      expect(tf.memory().numTensors).toBe(before);
      expect(b.out).toEqual(a.out);
      expect(b.grads.length).toBe(a.grads.length);
      b.grads.forEach((g, i) => expect(g).toEqual(a.grads[i]));
      expect(a.reshapes - b.reshapes).toBe(2 * bns);
      tf.dispose([x, y]);
    } finally {
      task.dispose();
    }
  });

  it('leaves a training-mode call to tfjs-layers (batch statistics, moving averages updated)', () => {
    const input = tf.input({ shape: [3, 3, 2] });
    const bnLayer = tf.layers.batchNormalization({ axis: -1 });
    const model = tf.model({ inputs: input, outputs: bnLayer.apply(input) as tf.SymbolicTensor });
    fuseInferenceBatchNorm(model);
    const x = tf.randomUniform([5, 3, 3, 2], 1, 3, 'float32', 8);
    const meanBefore = bnLayer.getWeights()[2]!.dataSync().slice();
    const trained = model.apply(x, { training: true }) as tf.Tensor;
    // normalised with the batch's own statistics: mean about 0 per channel
    expect(Math.abs(tf.tidy(() => tf.mean(trained).dataSync()[0]!))).toBeLessThan(1e-3);
    expect(bnLayer.getWeights()[2]!.dataSync()).not.toEqual(meanBefore);
    const inferred = model.apply(x, { training: false }) as tf.Tensor;
    const want = tf.tidy(() => {
      const [gamma, beta, mean, variance] = bnLayer.getWeights();
      return tf.batchNorm(x, mean!, variance!, beta!, gamma!, 1e-3);
    });
    expect(inferred.dataSync()).toEqual(want.dataSync());
    tf.dispose([x, trained, inferred, want]);
    model.dispose();
  });
});
