import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelInputError } from '../errors.js';
import { registerWasmGradients } from './register.js';
import { onBackend, randomValues, relError } from './testing.js';

type Pad = 'same' | 'valid';
interface Case { n: number; h: number; w: number; c: number; k: number; kw?: number; s: number; pad: Pad; out: number }

const conv2dCases: Case[] = [];
const depthwiseCases: Case[] = [];
{
  const sizes: Array<[number, number]> = [[7, 7], [8, 8], [9, 6], [5, 11]];
  let i = 0;
  for (const k of [1, 3, 5]) {
    for (const s of [1, 2]) {
      for (const pad of ['same', 'valid'] as Pad[]) {
        const [h, w] = sizes[i++ % sizes.length];
        if (pad === 'valid' && (h < k || w < k)) continue;
        conv2dCases.push({ n: 1 + (i % 3), h, w, c: 1 + (i % 4), k, s, pad, out: 2 + (i % 5) });
        depthwiseCases.push({ n: 1 + ((i + 1) % 3), h, w, c: 2 + (i % 3), k, s, pad, out: 1 + (i % 2) });
      }
    }
  }
  conv2dCases.push({ n: 2, h: 10, w: 7, c: 3, k: 3, kw: 1, s: 2, pad: 'same', out: 4 });
  depthwiseCases.push({ n: 2, h: 13, w: 13, c: 5, k: 3, kw: 5, s: 2, pad: 'same', out: 2 });
}
const name = (c: Case) => `n${c.n} ${c.h}x${c.w}x${c.c} k${c.k}x${c.kw ?? c.k} s${c.s} ${c.pad} out/mult ${c.out}`;

/** Runs the kernel with the same inputs on cpu and wasm and compares. */
async function compare(kernel: string, inputs: Record<string, [number[], number]>, attrs: Record<string, unknown>) {
  const make = () => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, [shape, seed]] of Object.entries(inputs)) {
      ins[k] = tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);
    }
    const out = tf.engine().runKernel(kernel, ins as never, attrs as never) as tf.Tensor;
    Object.values(ins).forEach((t) => t.dispose());
    return out;
  };
  const want = await onBackend('cpu', make);
  const before = tf.memory().numTensors;
  const got = await onBackend('wasm', make);
  expect(tf.memory().numTensors).toBe(before);
  expect(got.shape).toEqual(want.shape);
  expect(relError(got.values, want.values)).toBeLessThan(1e-4);
}

beforeAll(async () => {
  registerWasmGradients();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('Conv2DBackpropFilter on wasm equals cpu', () => {
  it.each(conv2dCases.map((c) => [name(c), c] as const))('%s', async (_n, c) => {
    const kw = c.kw ?? c.k;
    const oh = c.pad === 'same' ? Math.ceil(c.h / c.s) : Math.ceil((c.h - c.k + 1) / c.s);
    const ow = c.pad === 'same' ? Math.ceil(c.w / c.s) : Math.ceil((c.w - kw + 1) / c.s);
    await compare('Conv2DBackpropFilter', { x: [[c.n, c.h, c.w, c.c], 1], dy: [[c.n, oh, ow, c.out], 2] },
      { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, kw, c.c, c.out] });
  });
});

describe('DepthwiseConv2dNativeBackpropFilter on wasm equals cpu', () => {
  it.each(depthwiseCases.map((c) => [name(c), c] as const))('%s', async (_n, c) => {
    const kw = c.kw ?? c.k;
    const oh = c.pad === 'same' ? Math.ceil(c.h / c.s) : Math.ceil((c.h - c.k + 1) / c.s);
    const ow = c.pad === 'same' ? Math.ceil(c.w / c.s) : Math.ceil((c.w - kw + 1) / c.s);
    await compare('DepthwiseConv2dNativeBackpropFilter', { x: [[c.n, c.h, c.w, c.c], 3], dy: [[c.n, oh, ow, c.c * c.out], 4] },
      { strides: [c.s, c.s], pad: c.pad, dilations: [1, 1], filterShape: [c.k, kw, c.c, c.out] });
  });
});

describe('DepthwiseConv2dNativeBackpropInput on wasm equals cpu', () => {
  it.each(depthwiseCases.map((c) => [name(c), c] as const))('%s', async (_n, c) => {
    const kw = c.kw ?? c.k;
    const oh = c.pad === 'same' ? Math.ceil(c.h / c.s) : Math.ceil((c.h - c.k + 1) / c.s);
    const ow = c.pad === 'same' ? Math.ceil(c.w / c.s) : Math.ceil((c.w - kw + 1) / c.s);
    await compare('DepthwiseConv2dNativeBackpropInput', { dy: [[c.n, oh, ow, c.c * c.out], 5], filter: [[c.k, kw, c.c, c.out], 6] },
      { strides: [c.s, c.s], pad: c.pad, dilations: [1, 1], inputShape: [c.n, c.h, c.w, c.c] });
  });
});

describe('Conv2DBackpropInput (replaced) on wasm equals cpu', () => {
  it.each(conv2dCases.map((c) => [name(c), c] as const))('%s', async (_n, c) => {
    const kw = c.kw ?? c.k;
    const oh = c.pad === 'same' ? Math.ceil(c.h / c.s) : Math.ceil((c.h - c.k + 1) / c.s);
    const ow = c.pad === 'same' ? Math.ceil(c.w / c.s) : Math.ceil((c.w - kw + 1) / c.s);
    await compare('Conv2DBackpropInput', { dy: [[c.n, oh, ow, c.out], 7], filter: [[c.k, kw, c.c, c.out], 8] },
      { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.w, c.c] });
  });
});

describe('Tile (fast path for leading repeats) on wasm equals cpu', () => {
  const cases: Array<[number[], number[]]> = [
    [[1, 1, 1, 5], [2, 3, 4, 1]], // the BatchNorm gradient's broadcast
    [[1, 7], [9, 1]],
    [[1, 1, 3], [1, 5, 1]],
    [[2, 3], [2, 2]], // not a leading repeat: the original kernel
    [[1, 3, 1], [2, 1, 4]],
  ];
  it.each(cases)('shape %j reps %j', async (shape, reps) => {
    await compare('Tile', { x: [shape, 9] }, { reps });
  });
});

describe('Sum (fast path for leading axes) on wasm equals cpu', () => {
  const cases: Array<[number[], number[], boolean]> = [
    [[4, 9, 7, 5], [0, 1, 2], false], // the BatchNorm / bias gradient's reduction
    [[4, 9, 7, 5], [0, 1, 2], true],
    [[130, 3], [0], false],
    [[8, 9, 10], [-3, 1], false],
    [[8, 9, 10], [1, 2], false], // not leading: the original kernel
    [[8, 9, 10], [0, 1, 2], false],
  ];
  it.each(cases)('shape %j axes %j keepDims %s', async (shape, axis, keepDims) => {
    await compare('Sum', { x: [shape, 10] }, { axis, keepDims });
  });
});

describe('Slice (heap copy) on wasm equals cpu', () => {
  const cases: Array<[number[], number[], number[]]> = [
    [[2, 9, 8, 3], [0, 1, 0, 0], [2, 7, 7, 3]], // the ZeroPadding gradient
    [[2, 9, 8, 3], [1, 2, 3, 1], [1, 4, 5, 2]],
    [[2, 9, 8, 3], [0, 0, 0, 0], [2, 9, 8, 3]],
    [[5, 6], [1, 2], [3, -1]],
    [[7], [2], [4]],
    [[2, 3, 4, 5, 6], [1, 0, 1, 2, 0], [1, 3, 2, 3, 6]],
    [[3, 4, 5], [0, 1, 0], [3, 0, 5]], // empty
  ];
  it.each(cases)('shape %j begin %j size %j', async (shape, begin, size) => {
    await compare('Slice', { x: [shape, 14] }, { begin, size });
  });
});

describe('pooling gradients on wasm equal cpu (MaxPoolGrad replaced, AvgPoolGrad stock)', () => {
  const cases: Array<[number[], number, number, Pad, boolean]> = [
    [[1, 7, 7, 6], 3, 2, 'valid', false], // wasm's own MaxPoolGrad is off by up to 0.9 here
    [[2, 11, 11, 6], 3, 2, 'valid', false],
    [[2, 9, 8, 3], 3, 2, 'same', true],
    [[1, 8, 8, 5], 2, 2, 'valid', true],
    [[3, 6, 7, 4], 3, 1, 'same', true],
  ];
  it.each(cases)('x %j pool %i stride %i %s ties %s', async (shape, k, s, pad, ties) => {
    for (const op of ['max', 'avg'] as const) {
      const oh = pad === 'same' ? Math.ceil(shape[1] / s) : Math.floor((shape[1] - k) / s) + 1;
      const ow = pad === 'same' ? Math.ceil(shape[2] / s) : Math.floor((shape[2] - k) / s) + 1;
      const f = () => tf.tidy(() => {
        let x: tf.Tensor = tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), 12), shape);
        if (ties) x = tf.clipByValue(tf.round(tf.mul(x, 2)), 0, 1); // ReLU6-like plateaus: many equal maxima
        const w = tf.tensor(randomValues(shape[0] * oh * ow * shape[3], 13), [shape[0], oh, ow, shape[3]]);
        const pool = (v: tf.Tensor) => (op === 'max' ? tf.maxPool(v as tf.Tensor4D, k, s, pad) : tf.avgPool(v as tf.Tensor4D, k, s, pad));
        return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pool(v), w)))(x);
      });
      const want = await onBackend('cpu', f);
      const before = tf.memory().numTensors;
      const got = await onBackend('wasm', f);
      expect(tf.memory().numTensors).toBe(before);
      expect(relError(got.values, want.values), `${op}Pool`).toBeLessThan(1e-4);
    }
  });
});

describe('BatchMatMul on wasm equals cpu (slt\'s gemm for single products with N % 4 == 0, else the backend\'s own)', () => {
  // [a shape, b shape, transposeA, transposeB]
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[5, 7], [7, 8], false, false], [[7, 5], [7, 12], true, false], [[5, 7], [8, 7], false, true], [[7, 5], [4, 7], true, true],
    [[1, 33, 9], [1, 9, 20], false, false], [[1, 9, 33], [1, 9, 16], true, false], [[2, 6, 5], [2, 5, 8], false, false], // batch 2: the backend's own
    [[6, 5], [5, 10], false, false], [[8192, 8], [8192, 16], true, false], [[1, 1], [1, 4], false, false],
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_n, [a, b, transposeA, transposeB]) => {
    await compare('BatchMatMul', { a: [a, 61], b: [b, 62] }, { transposeA, transposeB });
  });
});

describe('FusedConv2D on wasm equals cpu (slt\'s gemm for plain 1x1 convolutions with Cout % 4 == 0, else the backend\'s own)', () => {
  // [x shape, filter shape, strides, with bias, activation]
  const cases: Array<[number[], number[], number, boolean, string, (number | string)?]> = [
    [[2, 5, 7, 8], [1, 1, 8, 16], 1, false, 'linear'], [[1, 3, 3, 13], [1, 1, 13, 12], 1, false, 'linear'], [[4, 16, 16, 3], [1, 1, 3, 4], 1, false, 'linear'],
    [[2, 5, 7, 8], [1, 1, 8, 16], 2, false, 'linear'], [[2, 5, 7, 8], [1, 1, 8, 6], 1, false, 'linear'], [[2, 5, 7, 8], [1, 1, 8, 16], 1, true, 'relu'],
    [[2, 5, 7, 4], [3, 3, 4, 8], 1, false, 'linear'], [[2, 5, 7, 8], [1, 1, 8, 16], 1, false, 'linear', 1],
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s, twice with the same filter', async (_n, [x, filter, s, bias, activation, pad = 'same']) => {
    const inputs: Record<string, [number[], number]> = { x: [x, 71], filter: [filter, 72], ...(bias ? { bias: [[filter[3]!], 73] as [number[], number] } : {}) };
    const attrs = { strides: [s, s], pad, dataFormat: 'NHWC', dilations: [1, 1], activation, dimRoundingMode: 'floor' };
    await compare('FusedConv2D', inputs, attrs);
    const run = () => tf.tidy(() => {
      const w = tf.tensor(randomValues(filter.reduce((a, b) => a * b, 1), 72), filter);
      const xs = [0, 1].map(() => tf.tensor(randomValues(x.reduce((a, b) => a * b, 1), 71), x));
      const b = bias ? tf.tensor(randomValues(filter[3]!, 73), [filter[3]!]) : undefined;
      const outs = xs.map((xi) => tf.engine().runKernel('FusedConv2D', { x: xi, filter: w, ...(b ? { bias: b } : {}) } as never, attrs as never) as tf.Tensor);
      return tf.stack(outs);
    });
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(relError(got.values, want.values)).toBeLessThan(1e-4);
  });
});

describe('bad input', () => {
  it('names the kernel, the input and both shapes', () => {
    const x = tf.zeros([1, 8, 8, 2]);
    const dy = tf.zeros([1, 3, 3, 4]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', filterShape: [3, 3, 2, 4] } as never))
      .toThrow(/Conv2DBackpropFilter: input 'dy' has shape \[1, 3, 3, 4\]; the convolution produces \[1, 8, 8, 4\]/);
    expect(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad: 'same', filterShape: [3, 3, 2] } as never))
      .toThrow(KernelInputError);
    tf.dispose([x, dy]);
  });
});
