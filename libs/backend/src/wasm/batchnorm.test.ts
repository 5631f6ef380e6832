import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelInputError } from '../errors.js';
import { batchNormActivation } from '../fused/gradients.js';
import { selectBackend } from '../select.js';
import { BN_ACTIVATION_KERNELS } from './batchnorm.js';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

/** x [n, h, w, c] with values exactly 0, 6 and around both, and per-channel parameters; z = x where the channel's parameters are the identity. */
function uniform(shape: number[], lo: number, hi: number, seed: number): Float32Array {
  const t = tf.randomUniform(shape, lo, hi, 'float32', seed);
  const v = t.dataSync().slice() as Float32Array;
  t.dispose();
  return v;
}

function inputs(shape: [number, number, number, number], seed: number) {
  const c = shape[3];
  const n = shape.reduce((a, b) => a * b, 1);
  const x = uniform(shape, -9, 9, seed);
  const special = [0, -0, 6, -6, 5.999999523162842, 6.000000476837158, 1e-30, -1e-30];
  for (let i = 0; i < n; i += 7) x[i] = special[(i / 7) % special.length]!;
  const param = (lo: number, hi: number, s: number) => uniform([c], lo, hi, s);
  const mean = param(-1, 1, seed + 1), scale = param(0.5, 2, seed + 3), offset = param(-0.5, 0.5, seed + 4);
  const variance = param(0.2, 3, seed + 2);
  // channel 0: the identity (z = x exactly, so the exact 0s and 6s reach the activation)
  mean[0] = 0; scale[0] = 1; offset[0] = 0; variance[0] = Math.fround(1 - 1e-3);
  return { x: tf.tensor(x, shape), mean: tf.tensor1d(mean), variance: tf.tensor1d(variance), scale: tf.tensor1d(scale), offset: tf.tensor1d(offset) };
}

/** relu6 / relu of FusedBatchNorm (two kernels) and the fused kernel: values and the gradients of sum(out * w) with respect to x, scale and offset. */
function both(shape: [number, number, number, number], seed: number, activation: 'relu6' | 'relu') {
  const t = inputs(shape, seed);
  const w = tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', seed + 9));
  const run = (fused: boolean) => {
    const f = (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
      const y = fused
        ? batchNormActivation(x, t.mean, t.variance, scale, offset, 1e-3, activation)!
        : (activation === 'relu6' ? tf.relu6 : tf.relu)(tf.batchNorm(x, t.mean, t.variance, offset, scale, 1e-3));
      return tf.sum(tf.mul(y, w));
    };
    const y = tf.tidy(() => (fused ? batchNormActivation(t.x, t.mean, t.variance, t.scale, t.offset, 1e-3, activation)! : (activation === 'relu6' ? tf.relu6 : tf.relu)(tf.batchNorm(t.x, t.mean, t.variance, t.offset, t.scale, 1e-3))));
    const grads = tf.grads(f)([t.x, t.scale, t.offset]);
    const out = [y, ...grads].map((g) => g.dataSync() as Float32Array);
    tf.dispose([y, ...grads]);
    return out;
  };
  const result = { fused: run(true), plain: run(false) };
  tf.dispose([...Object.values(t), w]);
  return result;
}

describe('BatchNorm with its ReLU6 or ReLU as one wasm kernel', () => {
  for (const [shape, activation] of [[[2, 5, 5, 8], 'relu6'], [[3, 4, 3, 7], 'relu6'], [[1, 2, 2, 130], 'relu6'], [[4, 6, 6, 5], 'relu'], [[32, 1, 1, 3], 'relu']] as const) {
    it(`equals ${activation}(FusedBatchNorm) bit for bit, values and gradients, on [${shape.join(', ')}]`, () => {
      const before = tf.memory().numTensors;
      const { fused, plain } = both([...shape], shape[3], activation);
      expect(tf.memory().numTensors).toBe(before);
      fused.forEach((v, i) => expect(Array.from(v), ['value', 'dx', 'dscale', 'doffset'][i]).toEqual(Array.from(plain[i]!)));
    });
  }

  it('passes the gradient at exactly 6 and not above it, as tfjs\' ReLU6 gradient, and is one kernel each way', async () => {
    const x = tf.tensor4d([-1, 0, 3, 6, 6.000000476837158, 9], [1, 1, 6, 1]);
    const p = (v: number) => tf.tensor1d([v]);
    const [mean, variance, scale, offset] = [p(0), p(Math.fround(1 - 1e-3)), p(1), p(0)];
    const prof = await tf.profile(() => {
      const dx = tf.grad((v: tf.Tensor) => tf.sum(batchNormActivation(v, mean, variance, scale, offset, 1e-3, 'relu6')!))(x);
      const out = Array.from(dx.dataSync());
      dx.dispose();
      return out;
    });
    expect(prof.result).toEqual([0, 0, 1, 1, 0, 0]);
    expect(prof.kernels.map((k) => k.name).filter((k) => k.startsWith('SltBatchNorm'))).toEqual([BN_ACTIVATION_KERNELS.forward, BN_ACTIVATION_KERNELS.grad]);
    tf.dispose([x, mean, variance, scale, offset]);
  });

  it('gives the moving mean and variance their gradients too, when asked (tfjs ops, as tfjs computes them)', () => {
    const t = inputs([2, 3, 3, 6], 21);
    const w = tf.randomUniform([2, 3, 3, 6], -1, 1, 'float32', 22);
    const grads = (fused: boolean) => {
      const f = (mean: tf.Tensor, variance: tf.Tensor) => {
        const y = fused ? batchNormActivation(t.x, mean, variance, t.scale, t.offset, 1e-3, 'relu6')! : tf.relu6(tf.batchNorm(t.x, mean, variance, t.offset, t.scale, 1e-3));
        return tf.sum(tf.mul(y, w));
      };
      const g = tf.grads(f)([t.mean, t.variance]);
      const out = g.map((x) => Array.from(x.dataSync()));
      tf.dispose(g);
      return out;
    };
    const [a, b] = [grads(true), grads(false)];
    a.forEach((g, i) => g.forEach((v, j) => expect(v, `${['mean', 'variance'][i]} ${j}`).toBeCloseTo(b[i]![j]!, 4)));
    expect(a[0]!.some((v) => v !== 0) && a[1]!.some((v) => v !== 0)).toBe(true);
    tf.dispose([...Object.values(t), w]);
  });

  it('names a bad input', () => {
    const x = tf.zeros([1, 2, 2, 3]);
    const v = tf.ones([3]);
    const bad = tf.ones([4]);
    expect(() => tf.engine().runKernel(BN_ACTIVATION_KERNELS.forward, { x, mean: v, variance: v, scale: bad, offset: v } as never, { varianceEpsilon: 1e-3, hi: 6 } as never))
      .toThrow(KernelInputError);
    expect(() => tf.engine().runKernel(BN_ACTIVATION_KERNELS.forward, { x, mean: v, variance: v, scale: v, offset: v } as never, { varianceEpsilon: 1e-3, hi: 0 } as never))
      .toThrow(/attr 'hi' must be a number > 0/);
    tf.dispose([x, v, bad]);
  });

  it('is not offered off wasm (the caller runs the two kernels)', async () => {
    await selectBackend({ prefer: 'cpu' });
    try {
      const x = tf.ones([1, 1, 1, 2]);
      const v = tf.ones([2]);
      expect(batchNormActivation(x, v, v, v, v, 1e-3, 'relu6')).toBeUndefined();
      tf.dispose([x, v]);
    } finally {
      await selectBackend({ prefer: 'wasm' });
    }
  });
});
