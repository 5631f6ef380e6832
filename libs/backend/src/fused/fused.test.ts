import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelInputError } from '../errors.js';
import { registerWasmGradients } from '../wasm/register.js';
import { randomValues, relError } from '../wasm/testing.js';
import { createAdam, FusedAdamOptimizer } from './adam.js';
import { categoricalCrossEntropy, fusedKernelsEnabled, registerFusedKernels, setFusedKernels } from './gradients.js';
import { FUSED_KERNELS } from './kernels.js';

const BACKENDS = ['wasm', 'cpu'] as const;

beforeAll(async () => {
  registerWasmGradients();
  registerFusedKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterAll(() => setFusedKernels(true));

const rand = (shape: number[], seed: number, scale = 1): tf.Tensor =>
  tf.tidy(() => tf.mul(tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape), scale));

/** Values of `f()` with the fused kernels off (tfjs' own gradients) and on, on one backend. */
async function bothWays(backend: string, f: () => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  await tf.setBackend(backend);
  const out: Float32Array[][] = [];
  for (const on of [false, true]) {
    setFusedKernels(on);
    expect(fusedKernelsEnabled()).toBe(on);
    const before = tf.memory().numTensors;
    const ts = f();
    out.push(await Promise.all(ts.map(async (t) => (await t.data()) as Float32Array)));
    tf.dispose(ts);
    expect(tf.memory().numTensors).toBe(before);
  }
  setFusedKernels(true);
  return [out[0]!, out[1]!];
}

function expectClose(a: Float32Array[], b: Float32Array[], tol = 1e-5): void {
  expect(b.length).toBe(a.length);
  a.forEach((x, i) => expect(relError(b[i]!, x, 1e-6)).toBeLessThan(tol));
}

describe.each(BACKENDS)('fused gradients on %s equal tfjs gradients', (backend) => {
  const shapes = [[5], [3, 7], [2, 5, 5, 3], [1, 9, 4, 16]];
  it.each(shapes.map((s) => [s.join('x'), s] as const))('ReLU, ReLU6 and clip %s', async (_n, shape) => {
    const [off, on] = await bothWays(backend, () => {
      // values around the kinks, exact 0 and 6 included
      const x = tf.tidy(() => tf.concat([tf.reshape(rand(shape, 3, 8), [-1]), tf.tensor1d([0, 6, -0, 1e-7, 6.0000005])]));
      const w = tf.tidy(() => rand(x.shape, 4));
      const grads = [
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu6(t), w)))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), w)))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(t, -2.5, 3), w)))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(tf.relu(t), 0, 6), w)))(x),
      ];
      tf.dispose([x, w]);
      return grads;
    });
    expectClose(off, on, 1e-7);
  });

  const bnShapes = [[2, 4, 4, 3], [1, 7, 5, 8], [3, 1, 1, 16], [6, 5]];
  it.each(bnShapes.map((s) => [s.join('x'), s] as const))('inference-mode BatchNorm %s (x, scale, offset)', async (_n, shape) => {
    const c = shape[shape.length - 1]!;
    const [off, on] = await bothWays(backend, () => tf.tidy(() => {
      const x = rand(shape, 5, 3);
      const mean = rand([c], 6);
      const variance = tf.add(tf.abs(rand([c], 7)), 0.1);
      const scale = rand([c], 8);
      const offset = rand([c], 9);
      const w = rand(shape, 10);
      const g = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(a, mean, variance, o, s, 0.001), w)));
      return g([x, scale, offset]);
    }));
    expectClose(off, on, 1e-5);
  });

  it.each([[4, 10], [1, 3], [7, 2]].map((s) => [s.join('x'), s] as const))('softmax and cross-entropy %s', async (_n, shape) => {
    const [off, on] = await bothWays(backend, () => tf.tidy(() => {
      const z = rand(shape, 11, 4);
      const w = rand(shape, 12);
      const labels = tf.oneHot(tf.tensor1d(Array.from({ length: shape[0]! }, (_, i) => i % shape[1]!), 'int32'), shape[1]!).toFloat();
      const soft = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), w)))(z);
      const lossOf = (t: tf.Tensor) => categoricalCrossEntropy(tf.softmax(t), labels);
      const { value, grad } = tf.valueAndGrad(lossOf)(z);
      // probabilities that the clip cuts (0 and 1) pass no gradient
      const p = tf.tensor2d([[0, 1, 0], [0.2, 0.3, 0.5]]);
      const y = tf.tensor2d([[1, 0, 0], [0, 0, 1]]);
      const clipped = tf.valueAndGrad((t: tf.Tensor) => categoricalCrossEntropy(t, y))(p);
      return [soft, value, grad, clipped.value, clipped.grad];
    }));
    expectClose(off, on, 1e-5);
  });

  it('an Adam trajectory of 25 steps equals tf.train.adam', async () => {
    const [off, on] = await bothWays(backend, () => {
      const a = tf.tidy(() => tf.variable(rand([3, 4], 13), true, `adam_a_${backend}_${Math.random()}`));
      const b = tf.tidy(() => tf.variable(rand([4], 14), true, `adam_b_${backend}_${Math.random()}`));
      const x = rand([6, 3], 15);
      const target = rand([6, 4], 16);
      const opt = createAdam(0.05, 0.9, 0.999, 1e-7);
      expect(opt.constructor === FusedAdamOptimizer).toBe(fusedKernelsEnabled());
      for (let i = 0; i < 25; i++) {
        tf.dispose(opt.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, a), b), target))) as tf.Scalar, true, [a, b]) ?? []);
      }
      const out = [a.clone(), b.clone()];
      opt.dispose();
      tf.dispose([a, b, x, target]);
      return out;
    });
    expectClose(off, on, 1e-5);
  });
});

describe('Adam on wasm without a kernel call (moments written over, the value in new data)', () => {
  it('gives the same values, bit for bit, as the kernel, and never writes over data another tensor shares', async () => {
    await tf.setBackend('wasm');
    const x = rand([6, 3], 15);
    const target = rand([6, 4], 16);
    const trajectory = async (alias: boolean) => {
      const a = tf.tidy(() => tf.variable(rand([3, 4], 13), true, `step_a_${Math.random()}`));
      const b = tf.tidy(() => tf.variable(rand([4], 14), true, `step_b_${Math.random()}`));
      const opt = createAdam(0.05, 0.9, 0.999, 1e-7);
      const before = tf.memory().numTensors;
      const adamKernels: number[] = [];
      for (let i = 0; i < 12; i++) {
        // aliases (a reshape shares the data) of the value and of the moments make the step take the kernel path
        const moments = (await opt.getWeights()).map((w) => w.tensor);
        const aliases = alias ? [a, b, ...moments].map((t) => tf.reshape(t, [-1])) : [a].map((t) => tf.reshape(t, [-1]));
        const held = await Promise.all(aliases.map((t) => t.data()));
        const profile = await tf.profile(() => {
          tf.dispose(opt.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, a), b), target))) as tf.Scalar, true, [a, b]) ?? []);
        });
        adamKernels.push(profile.kernels.filter((k) => k.name === FUSED_KERNELS.adam).length);
        for (const [j, t] of aliases.entries()) expect(await t.data()).toEqual(held[j]);
        tf.dispose(aliases);
        if (i > 0) expect(tf.memory().numTensors).toBe(before + 4); // the moments, made at the first step
      }
      const out = [await a.data(), await b.data()] as Float32Array[];
      opt.dispose();
      tf.dispose([a, b]);
      return { out, adamKernels };
    };
    const direct = await trajectory(false);
    const kernel = await trajectory(true);
    // the first step makes the moments (nothing to alias yet): from the second on, aliased moments take the kernel
    expect(kernel.adamKernels).toEqual([0, ...Array(11).fill(2)]);
    expect(direct.adamKernels).toEqual(Array(12).fill(0));
    expect(direct.out).toEqual(kernel.out);
    tf.dispose([x, target]);
  });
});

describe('a whole MobileNet-like model on wasm', () => {
  function model(): tf.LayersModel {
    const input = tf.input({ shape: [12, 12, 1] });
    let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ movingVarianceInitializer: tf.initializers.constant({ value: 0.7 }), gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  }

  it('gives the same gradients of every weight and the same Adam trajectory, with fewer kernel calls', async () => {
    await tf.setBackend('wasm');
    const m = model();
    const start = m.getWeights().map((w) => w.clone());
    const xs = rand([8, 12, 12, 1], 17);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), 5).toFloat();
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = () => categoricalCrossEntropy(m.apply(xs, { training: false }) as tf.Tensor, ys);
    const results: { grads: Float32Array[]; after: Float32Array[]; kernels: number }[] = [];
    for (const on of [false, true]) {
      setFusedKernels(on);
      m.setWeights(start);
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(loss, vars);
      value.dispose();
      const g = await Promise.all(vars.map(async (v) => (await grads[v.name]!.data()) as Float32Array));
      tf.dispose(Object.values(grads));
      const opt = createAdam(1e-2);
      const prof = await tf.profile(() => tf.dispose(opt.minimize(loss, true, vars) ?? []));
      for (let i = 0; i < 9; i++) tf.dispose(opt.minimize(loss, true, vars) ?? []);
      opt.dispose();
      const after = await Promise.all(m.getWeights().map(async (w) => (await w.data()) as Float32Array));
      expect(tf.memory().numTensors, `fused ${on}`).toBe(before);
      results.push({ grads: g, after, kernels: prof.kernels.length });
    }
    setFusedKernels(true);
    expectClose(results[0]!.grads, results[1]!.grads, 1e-5);
    expectClose(results[0]!.after, results[1]!.after, 1e-4);
    expect(results[1]!.kernels).toBeLessThan(results[0]!.kernels / 2);
    tf.dispose([...start, xs, ys]);
    m.dispose();
  });
});

/**
 * The gradients of `loss` for `vars` with the fused kernels (and so the shared saves) on or off,
 * and the Identity kernels that ran; checks that no tensor is left behind. Leaves them on.
 */
async function savedGradients(loss: () => tf.Scalar, vars: tf.Variable[], on: boolean): Promise<{ identities: number; values: Float32Array[] }> {
  setFusedKernels(on);
  const before = tf.memory().numTensors;
  let grads: tf.Tensor[] = [];
  const p = await tf.profile(() => {
    const { value, grads: g } = tf.variableGrads(loss, vars);
    grads = [...vars.map((v) => g[v.name]!), value];
    return grads;
  });
  const values = await Promise.all(grads.slice(0, vars.length).map(async (t) => Float32Array.from(await t.data() as Float32Array)));
  tf.dispose(grads);
  setFusedKernels(true);
  expect(tf.memory().numTensors).toBe(before);
  return { identities: p.kernels.filter((k) => k.name === 'Identity').length, values };
}

describe('tensors saved for the backward pass are shared, not cloned', () => {
  it.each(BACKENDS)('%s: no Identity kernel per saved tensor, the same gradients, no leak, and a variable assigned meanwhile keeps the saved value', async (backend) => {
    await tf.setBackend(backend);
    const w = tf.variable(rand([6, 4], 81));
    const x = rand([5, 6], 82);
    const loss = () => tf.sum(tf.relu6(tf.mul(tf.matMul(x, w), 3))) as tf.Scalar;
    const off = await savedGradients(loss, [w], false);
    const on = await savedGradients(loss, [w], true);
    expect(off.identities).toBeGreaterThan(0);
    expect(on.identities).toBe(0);
    expect(relError(on.values[0]!, off.values[0]!)).toBeLessThan(1e-6);
    // the saved input of matMul is the variable's data of the forward pass, even when the variable changes before the backward pass
    const saved = tf.variableGrads(() => {
      const y = tf.sum(tf.matMul(x, w)) as tf.Scalar;
      tf.tidy(() => w.assign(tf.zerosLike(w)));
      return y;
    }, [w]);
    const want = tf.tidy(() => tf.matMul(tf.transpose(x), tf.ones([5, 4])));
    expect(relError(await saved.grads[w.name]!.data() as Float32Array, await want.data() as Float32Array)).toBeLessThan(1e-6);
    tf.dispose([saved.value, ...Object.values(saved.grads), want, w, x]);
  });

  it.each(BACKENDS)('%s: a custom-gradient op (tf.fused.conv2d with a bias) saves without Identity, with the same gradients and no leak', async (backend) => {
    await tf.setBackend(backend);
    const f = tf.variable(rand([3, 3, 2, 4], 83));
    const b = tf.variable(rand([4], 84));
    const x = rand([2, 6, 6, 2], 85);
    const loss = () => tf.sum(tf.mul(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b }), 2)) as tf.Scalar;
    const off = await savedGradients(loss, [f, b], false);
    const on = await savedGradients(loss, [f, b], true);
    expect(off.identities).toBeGreaterThan(0);
    expect(on.identities).toBe(0);
    for (let i = 0; i < 2; i++) expect(relError(on.values[i]!, off.values[i]!)).toBeLessThan(1e-5);
    tf.dispose([f, b, x]);
  });
});

describe('fused kernels reject bad input', () => {
  it('names the kernel and the input', async () => {
    await tf.setBackend('wasm');
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    expect(() => tf.engine().runKernel(FUSED_KERNELS.rangeGrad, { dy: a, x: b })).toThrow(KernelInputError);
    expect(() => tf.engine().runKernel(FUSED_KERNELS.rangeGrad, { dy: a, x: b })).toThrow(/SltRangeGrad: dy and x must have one shape/);
    expect(() => tf.engine().runKernel(FUSED_KERNELS.adam, { x: a, m: a, v: a, gradient: a }, { learningRate: 1 })).toThrow(/SltAdam: attrs/);
    expect(() => tf.engine().runKernel(FUSED_KERNELS.crossEntropy, { probs: tf.zeros([2, 3], 'int32'), labels: a })).toThrow(/float32/);
    tf.dispose([a, b]);
  });
});
