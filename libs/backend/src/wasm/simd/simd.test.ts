import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdam } from '../../fused/adam.js';
import { categoricalCrossEntropy, registerFusedKernels } from '../../fused/gradients.js';
import { FUSED_KERNELS } from '../../fused/kernels.js';
import { registerWasmGradients } from '../register.js';
import { onBackend, randomValues, relError } from '../testing.js';
import { matrixTranspose } from '../transpose.js';
import { setSimdKernels, simdKernels, simdModule } from './kernels.js';

beforeAll(async () => {
  registerWasmGradients();
  registerFusedKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterAll(() => setSimdKernels(true));

const rand = (shape: number[], seed: number, scale = 1): tf.Tensor =>
  tf.tidy(() => tf.mul(tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape), scale));

/** Values of `f()` on wasm with slt's SIMD kernels off (JavaScript / tfjs paths) and on; no tensor leaks. */
async function simdOffOn(f: () => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  await tf.setBackend('wasm');
  const out: Float32Array[][] = [];
  for (const on of [false, true]) {
    setSimdKernels(on);
    expect(simdKernels(tf.backend()) !== undefined).toBe(on);
    const before = tf.memory().numTensors;
    const ts = f();
    out.push(await Promise.all(ts.map(async (t) => (await t.data()) as Float32Array)));
    tf.dispose(ts);
    expect(tf.memory().numTensors).toBe(before);
  }
  setSimdKernels(true);
  return [out[0]!, out[1]!];
}

const close = (a: Float32Array[], b: Float32Array[], tol: number): void => {
  expect(b.length).toBe(a.length);
  a.forEach((x, i) => expect(relError(b[i]!, x, 1e-6), `output ${i}`).toBeLessThanOrEqual(tol));
};

describe('the SIMD module', () => {
  it('is valid WebAssembly and binds to the wasm backend memory', () => {
    const m = simdModule();
    expect(m.valid).toBe(true);
    expect(m.bytes.length).toBeLessThan(8192);
    expect(simdKernels(tf.backend())).toBeDefined();
    expect(simdKernels({})).toBeUndefined();
  });
});

interface Conv { n: number; h: number; w: number; c: number; kh: number; kw: number; s: number; d: number; pad: 'same' | 'valid'; m: number }
const convCases: Conv[] = [
  { n: 2, h: 9, w: 9, c: 8, kh: 3, kw: 3, s: 1, d: 1, pad: 'same', m: 1 },
  { n: 3, h: 10, w: 7, c: 13, kh: 3, kw: 3, s: 2, d: 1, pad: 'same', m: 1 },
  { n: 1, h: 11, w: 11, c: 5, kh: 3, kw: 3, s: 2, d: 1, pad: 'valid', m: 1 },
  { n: 2, h: 8, w: 12, c: 4, kh: 5, kw: 3, s: 1, d: 1, pad: 'valid', m: 1 },
  { n: 1, h: 13, w: 9, c: 3, kh: 5, kw: 5, s: 3, d: 1, pad: 'same', m: 1 },
  { n: 1, h: 9, w: 9, c: 1, kh: 1, kw: 1, s: 2, d: 1, pad: 'valid', m: 1 },
  { n: 2, h: 7, w: 7, c: 3, kh: 3, kw: 3, s: 2, d: 1, pad: 'same', m: 2 }, // multiplier 2: the tfjs-op path
];
const outSize = (x: number, k: number, s: number, d: number, pad: string) => (pad === 'same' ? Math.ceil(x / s) : Math.ceil((x - (k - 1) * d) / s));
const label = (c: Conv) => `n${c.n} ${c.h}x${c.w}x${c.c} k${c.kh}x${c.kw} s${c.s} d${c.d} ${c.pad} m${c.m}`;

/** Runs a kernel with the same random inputs on cpu (tfjs reference) and wasm (slt) and compares. */
async function vsCpu(kernel: string, inputs: Record<string, number[]>, attrs: Record<string, unknown>): Promise<void> {
  const make = () => tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    Object.entries(inputs).forEach(([k, shape], i) => (ins[k] = rand(shape, 31 + i)));
    return tf.engine().runKernel(kernel, ins as never, attrs as never) as tf.Tensor;
  });
  const want = await onBackend('cpu', make);
  const before = tf.memory().numTensors;
  const got = await onBackend('wasm', make);
  expect(tf.memory().numTensors).toBe(before);
  expect(got.shape).toEqual(want.shape);
  expect(relError(got.values, want.values)).toBeLessThan(2e-5);
}

describe('convolution gradients over the SIMD row kernels equal cpu', () => {
  it.each(convCases.map((c) => [label(c), c] as const))('%s', async (_n, c) => {
    const oh = outSize(c.h, c.kh, c.s, c.d, c.pad), ow = outSize(c.w, c.kw, c.s, c.d, c.pad);
    // tfjs allows dilation only with stride 1
    const attrs = { strides: [c.s, c.s], pad: c.pad, dilations: [c.d, c.d] };
    await vsCpu('DepthwiseConv2dNativeBackpropFilter', { x: [c.n, c.h, c.w, c.c], dy: [c.n, oh, ow, c.c * c.m] }, { ...attrs, filterShape: [c.kh, c.kw, c.c, c.m] });
    await vsCpu('DepthwiseConv2dNativeBackpropInput', { dy: [c.n, oh, ow, c.c * c.m], filter: [c.kh, c.kw, c.c, c.m] }, { ...attrs, inputShape: [c.n, c.h, c.w, c.c] });
    const cout = 2 + (c.c % 5);
    await vsCpu('Conv2DBackpropInput', { dy: [c.n, oh, ow, cout], filter: [c.kh, c.kw, c.c, cout] }, { ...attrs, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.w, c.c] });
  });

  // tfjs' cpu gradients ignore dilations: the reference is the undilated kernel with the filter's taps spread apart
  it.each([['same', 1], ['valid', 2]] as const)('dilation 2, %s, batch %i: the undilated gradient of the spread filter', async (pad, n) => {
    const [h, w, c, k, d] = [12, 10, 6, 3, 2], ek = (k - 1) * d + 1;
    const oh = outSize(h, k, 1, d, pad), ow = outSize(w, k, 1, d, pad);
    const fv = randomValues(k * k * c, 41), spread = new Float32Array(ek * ek * c);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let ch = 0; ch < c; ch++) spread[((i * d) * ek + j * d) * c + ch] = fv[(i * k + j) * c + ch]!;
    const run = (kernel: string, ins: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => tf.engine().runKernel(kernel, ins as never, attrs as never) as tf.Tensor;
    const x = () => rand([n, h, w, c], 42), dy = () => rand([n, oh, ow, c], 43);
    const base = { strides: [1, 1], pad };
    const wantF = await onBackend('cpu', () => tf.tidy(() => {
      const full = run('DepthwiseConv2dNativeBackpropFilter', { x: x(), dy: dy() }, { ...base, dilations: [1, 1], filterShape: [ek, ek, c, 1] });
      return tf.stridedSlice(full, [0, 0, 0, 0], [ek, ek, c, 1], [d, d, 1, 1]);
    }));
    const wantI = await onBackend('cpu', () => tf.tidy(() => run('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: tf.tensor(spread, [ek, ek, c, 1]) }, { ...base, dilations: [1, 1], inputShape: [n, h, w, c] })));
    const gotF = await onBackend('wasm', () => tf.tidy(() => run('DepthwiseConv2dNativeBackpropFilter', { x: x(), dy: dy() }, { ...base, dilations: [d, d], filterShape: [k, k, c, 1] })));
    const gotI = await onBackend('wasm', () => tf.tidy(() => run('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: tf.tensor(fv, [k, k, c, 1]) }, { ...base, dilations: [d, d], inputShape: [n, h, w, c] })));
    expect(relError(gotF.values, wantF.values)).toBeLessThan(2e-5);
    expect(relError(gotI.values, wantI.values)).toBeLessThan(2e-5);
    const cout = 4;
    const cf = randomValues(k * k * c * cout, 44), cspread = new Float32Array(ek * ek * c * cout);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let q = 0; q < c * cout; q++) cspread[((i * d) * ek + j * d) * c * cout + q] = cf[(i * k + j) * c * cout + q]!;
    const dyc = () => rand([n, oh, ow, cout], 45);
    const wantC = await onBackend('cpu', () => tf.tidy(() => run('Conv2DBackpropInput', { dy: dyc(), filter: tf.tensor(cspread, [ek, ek, c, cout]) }, { ...base, dilations: [1, 1], dataFormat: 'NHWC', inputShape: [n, h, w, c] })));
    const gotC = await onBackend('wasm', () => tf.tidy(() => run('Conv2DBackpropInput', { dy: dyc(), filter: tf.tensor(cf, [k, k, c, cout]) }, { ...base, dilations: [d, d], dataFormat: 'NHWC', inputShape: [n, h, w, c] })));
    expect(relError(gotC.values, wantC.values)).toBeLessThan(2e-5);
  });

  it('conv1 of MobileNet at 32 px (3x3 s2 same, 3 -> 8 channels, batch 4)', async () => {
    await vsCpu('Conv2DBackpropInput', { dy: [4, 16, 16, 8], filter: [3, 3, 3, 8] }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', inputShape: [4, 32, 32, 3] });
    await vsCpu('DepthwiseConv2dNativeBackpropFilter', { x: [4, 17, 17, 16], dy: [4, 8, 8, 16] }, { strides: [2, 2], pad: 'valid', dilations: [1, 1], filterShape: [3, 3, 16, 1] });
  });
});

describe('gemm (register-blocked SIMD matrix product over the heap)', () => {
  // [M, N, K]: row tails (M % 4), the 4-column block (N % 8 == 4), K of 1, MobileNet's pointwise filter gradients
  const shapes: Array<[number, number, number]> = [[1, 4, 1], [3, 4, 7], [5, 12, 9], [8, 16, 8192], [13, 20, 33], [16, 32, 2048], [64, 128, 128], [7, 8, 2]];
  it.each(shapes.map((s) => [s.join('x'), s] as const))('M x N x K %s, A read in place and transposed, equals a float64 product', async (_n, [m, n, kk]) => {
    await tf.setBackend('wasm');
    const k = simdKernels(tf.backend())!;
    const a = randomValues(m * kk, 51), b = randomValues(kk * n, 52);
    const want = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let q = 0; q < kk; q++) want[i * n + j]! += a[i * kk + q]! * b[q * n + j]!;
    const at = new Float32Array(m * kk); // A^T [K, M]: what the filter gradient reads (X [P, Cin])
    for (let i = 0; i < m; i++) for (let q = 0; q < kk; q++) at[q * m + i] = a[i * kk + q]!;
    const before = tf.memory().numTensors;
    for (const [src, aMs, aKs] of [[a, kk * 4, 4], [at, 4, m * 4]] as const) {
      const ta = tf.tensor(src), tb = tf.tensor(b), tc = tf.fill([m * n], NaN);
      const heap = (tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap;
      const ptr = (t: tf.Tensor) => heap.get(t.dataId)!.memoryOffset;
      k.gemm(ptr(ta), aMs, aKs, ptr(tb), n * 4, ptr(tc), n * 4, m, n, kk, 0);
      expect(relError(tc.dataSync() as Float32Array, Float32Array.from(want))).toBeLessThan(1e-5);
      // add = 1: C += A B, here over K in two parts (the first overwrites)
      const half = Math.floor(kk / 2);
      k.gemm(ptr(ta), aMs, aKs, ptr(tb), n * 4, ptr(tc), n * 4, m, n, half, 0);
      k.gemm(ptr(ta) + aKs * half, aMs, aKs, ptr(tb) + n * 4 * half, n * 4, ptr(tc), n * 4, m, n, kk - half, 1);
      expect(relError(tc.dataSync() as Float32Array, Float32Array.from(want))).toBeLessThan(1e-5);
      tf.dispose([ta, tb, tc]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [[4, 16, 16, 8], [1, 1, 8, 16], 1, 'same'], [[2, 8, 8, 13], [1, 1, 13, 20], 1, 'same'], [[4, 32, 32, 3], [3, 3, 3, 8], 2, 'same'],
    [[2, 9, 7, 5], [3, 3, 5, 12], 1, 'valid'], [[3, 6, 6, 4], [1, 1, 4, 6], 1, 'same'], [[2, 5, 5, 2], [1, 1, 2, 8], 2, 'valid'],
    [[3, 13, 11, 1], [5, 3, 1, 4], 3, 'same'], [[1, 10, 10, 13], [3, 3, 13, 16], 2, 'valid'], [[2, 7, 9, 6], [5, 5, 6, 8], 1, 'same'],
  ] as const)('Conv2DBackpropFilter x %j filter %j stride %i %s equals cpu (gemm when Cout % 4 == 0, else the matMul path)', async (x, f, s, pad) => {
    const oh = outSize(x[1], f[0], s, 1, pad), ow = outSize(x[2], f[1], s, 1, pad);
    await vsCpu('Conv2DBackpropFilter', { x: [...x], dy: [x[0], oh, ow, f[3]] }, { strides: [s, s], pad, dilations: [1, 1], dataFormat: 'NHWC', filterShape: [...f] });
  });
});

describe('1x1 stride-1 convolution gradients: one gemm call each, no kernel call inside', () => {
  it.each([
    [[4, 16, 16, 8], 16], [[2, 8, 8, 16], 8], [[3, 5, 7, 12], 20], [[1, 1, 1, 4], 4],
  ] as const)('x %j to %i channels: equal cpu, and bit for bit the matMul products they replace, with one kernel call', async (x, cout) => {
    const cin = x[3];
    const attrs = { strides: [1, 1], pad: 'same', dilations: [1, 1], dataFormat: 'NHWC' };
    await vsCpu('Conv2DBackpropInput', { dy: [x[0], x[1], x[2], cout], filter: [1, 1, cin, cout] }, { ...attrs, inputShape: [...x] });
    await vsCpu('Conv2DBackpropFilter', { x: [...x], dy: [x[0], x[1], x[2], cout] }, { ...attrs, filterShape: [1, 1, cin, cout] });
    await tf.setBackend('wasm');
    const p = x[0] * x[1] * x[2];
    const xs = rand([...x], 41), dy = rand([x[0], x[1], x[2], cout], 42), w = rand([1, 1, cin, cout], 43);
    const run = (k: string, ins: Record<string, tf.Tensor>, a: Record<string, unknown>) => tf.engine().runKernel(k, ins as never, a as never) as tf.Tensor;
    const profile = await tf.profile(() => [run('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: [...x] }), run('Conv2DBackpropFilter', { x: xs, dy }, { ...attrs, filterShape: [1, 1, cin, cout] })]);
    expect(profile.kernels.map((k) => k.name)).toEqual(['Conv2DBackpropInput', 'Conv2DBackpropFilter']);
    const [dx, dw] = profile.result as tf.Tensor[];
    const [wantDx, wantDw] = tf.tidy(() => [
      tf.matMul(tf.reshape(dy, [p, cout]), tf.transpose(tf.reshape(w, [cin, cout]))),
      tf.matMul(tf.transpose(tf.reshape(xs, [p, cin])), tf.reshape(dy, [p, cout])),
    ]);
    expect(dx!.dataSync()).toEqual(wantDx!.dataSync());
    expect(dw!.dataSync()).toEqual(wantDw!.dataSync());
    tf.dispose([xs, dy, w, dx!, dw!, wantDx!, wantDw!]);
  });
});

describe('Conv2DBackpropFilter with dilation 2 (per-row gemm calls)', () => {
  // tfjs' cpu gradients ignore dilations: the reference is the undilated gradient of the spread filter at the taps' places
  it.each([['same', 1], ['valid', 2]] as const)('%s, batch %i', async (pad, n) => {
    const [h, w, c, k, d, cout] = [12, 10, 5, 3, 2, 8], ek = (k - 1) * d + 1;
    const oh = outSize(h, k, 1, d, pad), ow = outSize(w, k, 1, d, pad);
    const run = (ins: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => tf.engine().runKernel('Conv2DBackpropFilter', ins as never, attrs as never) as tf.Tensor;
    const x = () => rand([n, h, w, c], 91), dy = () => rand([n, oh, ow, cout], 92);
    const want = await onBackend('cpu', () => tf.tidy(() => {
      const full = run({ x: x(), dy: dy() }, { strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC', filterShape: [ek, ek, c, cout] });
      return tf.stridedSlice(full, [0, 0, 0, 0], [ek, ek, c, cout], [d, d, 1, 1]);
    }));
    const got = await onBackend('wasm', () => tf.tidy(() => run({ x: x(), dy: dy() }, { strides: [1, 1], pad, dilations: [d, d], dataFormat: 'NHWC', filterShape: [k, k, c, cout] })));
    expect(got.shape).toEqual([k, k, c, cout]);
    expect(relError(got.values, want.values)).toBeLessThan(2e-5);
  });
});

describe('FusedBatchNorm (SIMD) gives the wasm kernel\'s own float32 results', () => {
  const cases: Array<[string, number[], boolean, boolean]> = [
    ['4-D, scale and offset', [2, 5, 3, 8], true, true],
    ['13 channels, no scale', [3, 4, 13], false, true],
    ['2-D, no offset', [7, 6], true, false],
    ['neither', [2, 2, 2, 3], false, false],
    ['8 channels in 16x16 rows (the parameters repeated to rows of 64)', [32, 16, 16, 8], true, true],
    ['3 channels, 144 rows (repeated 16 times)', [4, 6, 6, 3], false, true],
  ];
  it.each(cases)('%s', async (_n, shape, withScale, withOffset) => {
    const c = shape[shape.length - 1]!;
    const [off, on] = await simdOffOn(() => tf.tidy(() => {
      const x = rand(shape, 1, 4);
      const mean = rand([c], 2);
      const variance = tf.add(tf.abs(rand([c], 3)), 0.05);
      return [tf.batchNorm(x, mean, variance, withOffset ? rand([c], 4) : undefined, withScale ? rand([c], 5) : undefined, 0.001)];
    }));
    close(off, on, 1e-6); // within an ulp or two (the backend's binary may contract the division)
  });

  it('repeated parameters give each value the same float32 result as rows of one channel vector', async () => {
    const c = 8;
    const [off, on] = await simdOffOn(() => tf.tidy(() => {
      const x = rand([64, c], 9, 4);
      const bn = (t: tf.Tensor) => tf.batchNorm(t, rand([c], 10), tf.add(tf.abs(rand([c], 11)), 0.05), rand([c], 12), rand([c], 13), 0.001);
      return [bn(x), bn(tf.slice(x, [0, 0], [63, c]))]; // 64 rows: repeated; 63 (odd): not
    }));
    expect(Array.from(on[0]!.subarray(0, 63 * c))).toEqual(Array.from(on[1]!));
    close(off, on, 1e-6);
  });

  it('falls back to the wasm kernel for parameters broadcast from a full-rank shape', async () => {
    const [off, on] = await simdOffOn(() => tf.tidy(() => {
      const x = rand([2, 3, 4], 6);
      return [tf.batchNorm(x, rand([2, 3, 4], 7), tf.add(tf.abs(rand([2, 3, 4], 8)), 0.1))];
    }));
    expect(Array.from(on[0]!)).toEqual(Array.from(off[0]!));
  });
});

describe('fused training kernels: SIMD equals the JavaScript path', () => {
  it('ReLU6 / ReLU / clip gradients with a tail (1031 values, kinks included)', async () => {
    const [off, on] = await simdOffOn(() => tf.tidy(() => {
      const x = tf.concat([tf.reshape(rand([1026], 9, 8), [-1]), tf.tensor1d([0, 6, -0, 1e-7, NaN])]);
      const w = rand([1031], 10);
      return [
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu6(t), w)))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), w)))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(t, -2.5, 3), w)))(x),
      ];
    }));
    close(off, on, 0);
  });

  it.each([[[4, 6, 6, 8]], [[3, 5, 13]], [[9, 3]]])('BatchNorm x / scale / offset gradients %j', async (shape) => {
    const c = shape[shape.length - 1]!;
    const [off, on] = await simdOffOn(() => tf.tidy(() => {
      const x = rand(shape, 11, 3), mean = rand([c], 12), variance = tf.add(tf.abs(rand([c], 13)), 0.1);
      const w = rand(shape, 14);
      return tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(a, mean, variance, o, s, 0.001), w)))([x, rand([c], 15), rand([c], 16)]);
    }));
    close(off, on, 1e-5);
  });

  it('the BatchNorm gradient kernel gives dx, dscale and doffset, and checks its inputs', async () => {
    await tf.setBackend('wasm');
    const x = rand([2, 3, 8], 17), dy = rand([2, 3, 8], 18), mean = rand([8], 19), variance = tf.fill([8], 0.5);
    const outs = tf.engine().runKernel(FUSED_KERNELS.batchNormGrad, { dy, x, mean, variance } as never, { varianceEpsilon: 0.001 }) as tf.Tensor[];
    expect(outs.map((t) => t.shape)).toEqual([[2, 3, 8], [8], [8]]);
    const offsetWant = await tf.sum(dy, [0, 1]).data();
    expect(relError((await outs[2]!.data()) as Float32Array, offsetWant as Float32Array)).toBeLessThan(1e-6);
    expect(() => tf.engine().runKernel(FUSED_KERNELS.batchNormGrad, { dy, x, mean: tf.zeros([3]), variance } as never, {})).toThrow(/SltBatchNormGrad: mean must be \[8\]/);
    tf.dispose([x, dy, mean, variance, ...outs]);
  });

  it('an Adam trajectory (sizes with a tail) is the same', async () => {
    const [off, on] = await simdOffOn(() => {
      const a = tf.tidy(() => tf.variable(rand([5, 7], 20), true, `simd_a_${Math.random()}`));
      const x = rand([6, 5], 21), target = rand([6, 7], 22);
      const opt = createAdam(0.05);
      for (let i = 0; i < 20; i++) tf.dispose(opt.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(x, a), target))) as tf.Scalar, true, [a]) ?? []);
      const out = [a.clone()];
      opt.dispose();
      tf.dispose([a, x, target]);
      return out;
    });
    close(off, on, 1e-5);
  });
});

describe('a MobileNet block model: every weight\'s gradient and Adam steps with SIMD on and off', () => {
  function model(): tf.LayersModel {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const input = tf.input({ shape: [17, 17, 3] });
    let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ movingVarianceInitializer: tf.initializers.constant({ value: 0.7 }) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: init(2) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'valid', useBias: false, depthwiseInitializer: init(3) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ filters: 12, kernelSize: 1, useBias: false, kernelInitializer: init(4) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: init(5) }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  }

  it('agree within float tolerance and leak no tensors', async () => {
    await tf.setBackend('wasm');
    const m = model();
    const start = m.getWeights().map((w) => w.clone());
    const xs = rand([6, 17, 17, 3], 23);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), 5).toFloat();
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = () => categoricalCrossEntropy(m.apply(xs, { training: false }) as tf.Tensor, ys);
    const [off, on] = await simdOffOn(() => {
      m.setWeights(start);
      const { value, grads } = tf.variableGrads(loss, vars);
      value.dispose();
      const g = vars.map((v) => grads[v.name]!);
      const opt = createAdam(1e-2);
      for (let i = 0; i < 5; i++) tf.dispose(opt.minimize(loss, true, vars) ?? []);
      opt.dispose();
      return [...g, ...m.getWeights().map((w) => w.clone())];
    });
    close(off.slice(0, vars.length), on.slice(0, vars.length), 1e-4);
    close(off.slice(vars.length), on.slice(vars.length), 1e-4);
    tf.dispose([...start, xs, ys]);
    m.dispose();
  });
});

describe('Transpose (batched matrix transposes over the SIMD module)', () => {
  it('recognises permutations that swap two blocks of trailing axes', () => {
    expect(matrixTranspose([5, 7], [1, 0])).toEqual({ batch: 1, rows: 5, cols: 7 });
    expect(matrixTranspose([9, 5, 3], [0, 2, 1])).toEqual({ batch: 9, rows: 5, cols: 3 });
    expect(matrixTranspose([2, 3, 4, 5], [0, 2, 3, 1])).toEqual({ batch: 2, rows: 3, cols: 20 });
    expect(matrixTranspose([2, 3, 4, 5], [2, 3, 0, 1])).toEqual({ batch: 1, rows: 6, cols: 20 });
    expect(matrixTranspose([2, 3, 4], [1, 0, 2])).toBeUndefined();
    expect(matrixTranspose([2, 3, 4, 5], [2, 0, 1, 3])).toBeUndefined();
    expect(matrixTranspose([2, 3], [0, 1])).toBeUndefined();
  });

  const perms: Array<[number[], number[]]> = [
    [[37, 13], [1, 0]], [[8, 3], [1, 0]], [[131, 1], [1, 0]], [[9, 21, 3], [0, 2, 1]], [[2, 3, 4, 5], [0, 2, 3, 1]],
    [[2, 3, 4, 5], [3, 0, 1, 2]], [[2, 3, 4, 5], [2, 0, 1, 3]], [[4, 5, 6], [1, 0, 2]],
  ];
  it.each(perms.map(([s, p]) => [`${s.join('x')} perm ${p.join(',')}`, s, p] as const))('%s equals the backend\'s own', async (_n, shape, perm) => {
    const [off, on] = await simdOffOn(() => [tf.tidy(() => tf.transpose(rand(shape, 50), perm))]);
    expect(Array.from(on[0]!)).toEqual(Array.from(off[0]!));
  });
});

/** `make()` gives the same values and shape on wasm as on cpu, and leaks no tensor on wasm. */
async function expectWasmEqualsCpu(make: () => tf.Tensor): Promise<void> {
    const want = await onBackend('cpu', make);
    const before = tf.memory().numTensors;
    const got = await onBackend('wasm', make);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.values)).toEqual(Array.from(want.values));
}

describe('PadV2 (heap copies) equals cpu', () => {
  const cases: Array<[number[], Array<[number, number]>, number]> = [
    [[3, 5, 4, 3], [[0, 0], [0, 2], [0, 2], [0, 0]], 0],
    [[2, 4, 4, 8], [[0, 0], [1, 1], [1, 1], [0, 0]], 0],
    [[2, 3, 5], [[1, 0], [0, 0], [2, 3]], -1.5],
    [[7], [[2, 1]], 4],
    [[2, 3], [[0, 0], [0, 0]], 0],
    [[0, 3], [[1, 1], [0, 0]], 2],
  ];
  it.each(cases.map(([s, p, v]) => [`${s.join('x')} ${JSON.stringify(p)} value ${v}`, s, p, v] as const))('%s', async (_n, shape, paddings, value) => {
    const make = () => tf.tidy(() => tf.pad(rand(shape, 60), paddings, value));
    await expectWasmEqualsCpu(make);
  });
});

describe('Concat (heap copies; a loop for short runs) equals cpu', () => {
  const cases: Array<[number[][], number]> = [
    [[[4, 6, 6, 1], [4, 6, 6, 1], [4, 6, 6, 1]], -1], // the repeat adapter: 1 -> 3 channels
    [[[2, 3, 5, 20], [2, 3, 5, 17]], 3], // runs of 16 or more: copyWithin
    [[[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1],
    [[[3, 2], [5, 2]], 0],
    [[[2, 0, 3], [2, 4, 3]], 1], // an empty input
    [[[7], [1], [16]], 0],
  ];
  it.each(cases.map(([s, a]) => [`${s.map((x) => x.join('x')).join(' + ')} axis ${a}`, s, a] as const))('%s', async (_n, shapes, axis) => {
    const make = () => tf.tidy(() => tf.concat(shapes.map((s, i) => rand(s, 70 + i)), axis));
    await expectWasmEqualsCpu(make);
  });

  it('int32 inputs run the backend\'s own kernel', async () => {
    const make = () => tf.tidy(() => tf.concat([tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6], [2, 1], 'int32')], 1).toFloat());
    expect(Array.from((await onBackend('wasm', make)).values)).toEqual([1, 2, 5, 3, 4, 6]);
  });
});
