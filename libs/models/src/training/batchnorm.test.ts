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
  const count = (name: string) => profile.kernels.filter((k) => k.name === name).length;
  return { out: out!, grads: profile.result as unknown as Float32Array[], reshapes: count('Reshape'), relu6: count('Relu6'), fused: count('SltBatchNormActivation') };
}

describe('BatchNormalization in inference mode as one kernel', () => {
  it('gives a MobileNet the same output and weight gradients, bit for bit, with two Reshape kernels fewer per BatchNorm and its ReLU6 in its kernel', async () => {
    const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 5, seed: 3 });
    const plain = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 5, seed: 3 });
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
      // every BatchNorm of MobileNet feeds one ReLU6 alone: one kernel for both, no Relu6 kernel left
      expect(a.relu6).toBe(bns);
      expect([b.relu6, b.fused]).toEqual([0, bns]);
      // without the activations: the same values again, with the Relu6 kernels
      plain.model.setWeights(task.model.getWeights());
      for (const l of plain.model.layers) l.trainable = true;
      fuseInferenceBatchNorm(plain.model, { activations: false });
      const c = await step(plain.model, x, y);
      expect([c.relu6, c.fused]).toEqual([bns, 0]);
      expect(c.out).toEqual(a.out);
      c.grads.forEach((g, i) => expect(g).toEqual(a.grads[i]));
      // the activations saturate somewhere (the clamp at 6 is exercised)
      expect(tf.tidy(() => tf.max(task.model.apply(x, { training: false }) as tf.Tensor).dataSync()[0])).toBeGreaterThan(0);
      tf.dispose([x, y]);
    } finally {
      task.dispose();
      plain.dispose();
    }
  });

  it("gives a residual block (Activation('relu') after BatchNorm, a BatchNorm into an Add) the same output and gradients bit for bit", async () => {
    const build = () => {
      const input = tf.input({ shape: [8, 8, 4] });
      let y = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
      y = tf.layers.batchNormalization({ axis: -1 }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.activation({ activation: 'relu' }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.batchNormalization({ axis: -1 }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.activation({ activation: 'relu' }).apply(tf.layers.add().apply([y, input]) as tf.SymbolicTensor) as tf.SymbolicTensor;
      y = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(tf.layers.flatten().apply(y) as tf.SymbolicTensor) as tf.SymbolicTensor;
      const m = tf.model({ inputs: input, outputs: y });
      for (const w of m.weights) {
        if (/moving_(mean|variance)|gamma|beta/.test(w.name)) w.write(tf.tidy(() => tf.add(tf.randomUniform(w.shape as number[], 0, 0.5, 'float32', 7), /variance|gamma/.test(w.name) ? 0.5 : -0.2)));
      }
      return m;
    };
    const fused = build();
    const plain = build();
    plain.setWeights(fused.getWeights());
    fuseInferenceBatchNorm(fused);
    fuseInferenceBatchNorm(plain, { activations: false });
    const x = tf.randomUniform([3, 8, 8, 4], -2, 2, 'float32', 9);
    const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
    const a = await step(fused, x, y);
    const b = await step(plain, x, y);
    expect(a.fused).toBe(1); // the first BatchNorm only: the second one's output goes into the Add
    expect(b.fused).toBe(0);
    expect(a.out).toEqual(b.out);
    a.grads.forEach((g, i) => expect(g).toEqual(b.grads[i]));
    tf.dispose([x, y]);
    fused.dispose();
    plain.dispose();
  });

  it('keeps the activation layer when the BatchNorm output has another reader, or is a model output', () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const bn = tf.layers.batchNormalization({ axis: -1 });
    const z = bn.apply(input) as tf.SymbolicTensor;
    const a = tf.layers.reLU({ maxValue: 6 }).apply(z) as tf.SymbolicTensor;
    const both = tf.layers.add().apply([a, z]) as tf.SymbolicTensor; // z read twice: relu6(z) + z
    const model = tf.model({ inputs: input, outputs: both });
    const x = tf.randomUniform([2, 4, 4, 3], -8, 8, 'float32', 4);
    const want = tf.tidy(() => {
      const [gamma, beta, mean, variance] = bn.getWeights();
      const zz = tf.batchNorm(x, mean!, variance!, beta!, gamma!, 1e-3);
      return tf.add(tf.clipByValue(tf.relu(zz), 0, 6), zz);
    });
    fuseInferenceBatchNorm(model);
    const got = model.apply(x, { training: false }) as tf.Tensor;
    expect(got.dataSync()).toEqual(want.dataSync());
    const output = tf.input({ shape: [4, 4, 3] });
    const bn2 = tf.layers.batchNormalization({ axis: -1 });
    const z2 = bn2.apply(output) as tf.SymbolicTensor;
    const twoOut = tf.model({ inputs: output, outputs: [z2, tf.layers.reLU().apply(z2) as tf.SymbolicTensor] });
    fuseInferenceBatchNorm(twoOut);
    const [zv] = twoOut.apply(x, { training: false }) as tf.Tensor[];
    expect(tf.tidy(() => tf.min(zv!).dataSync()[0])).toBeLessThan(0); // not clamped
    tf.dispose([x, want, got, zv]);
    model.dispose();
    twoOut.dispose();
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
