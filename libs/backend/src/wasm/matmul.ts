import * as tf from '@tensorflow/tfjs';
import { asWasmHeap } from './heap.js';
import { simdKernels } from './simd/kernels.js';

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/** M, K, N and the output shape of a float32 matMul that is one matrix product (batch 1), else undefined. */
export function singleProduct(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): { m: number; k: number; n: number; shape: number[] } | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const batch = (s: readonly number[]) => s.slice(0, -2);
  if ([...batch(a.shape), ...batch(b.shape)].some((d) => d !== 1)) return undefined;
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [k2, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== k2) return undefined; // the original kernel reports the mismatch
  const lead = Array.from({ length: Math.max(a.shape.length, b.shape.length) - 2 }, () => 1);
  return { m, k, n, shape: [...lead, m, n] };
}

/**
 * BatchMatMul for the wasm backend: a single product (batch 1) of float32 matrices whose output
 * width is a multiple of 4 runs slt's gemm (simd/gemm.ts) over the heap. A transposed A is read
 * in place; a transposed B is transposed first into a temporary buffer (slt's transpose kernel).
 * The backend's own runs XNNPACK only without transposes, and then packs a copy of B on every call
 * for a B it has not seen (every gradient is new), which at training sizes costs more than the
 * product; with a transpose it runs a scalar loop. Other cases run the original.
 */
export function makeFastMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as Args;
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const ta = attrs?.transposeA === true, tb = attrs?.transposeB === true;
    const p = singleProduct(a, b, ta, tb);
    const be = asWasmHeap(backend);
    const k = simdKernels(backend);
    if (!p || !be || !k || p.n % 4 !== 0 || p.m * p.n * p.k === 0) return original(args);
    const ptr = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId)!.memoryOffset;
    const out = be.makeOutput(p.shape, 'float32');
    // B as [K, N] rows: in place, or transposed from its [N, K] into a temporary
    const bt = tb ? be.makeOutput([p.k, p.n], 'float32') : undefined;
    if (bt) k.transpose(ptr(b), ptr(bt), 1, p.n, p.k);
    const [aMs, aKs] = ta ? [4, p.m * 4] : [p.k * 4, 4];
    k.gemm(ptr(a), aMs, aKs, ptr(bt ?? b), p.n * 4, ptr(out), p.n * 4, p.m, p.n, p.k, 0);
    if (bt) be.disposeData(bt.dataId);
    return out;
  };
}

/**
 * FusedConv2D for the wasm backend: a 1x1, stride-1, undilated NHWC float32 convolution without
 * bias or activation (MobileNet's pointwise convolutions: batch norm follows) whose output
 * channels are a multiple of 4 is one gemm, x [P, Cin] times the filter [Cin, Cout], both read in
 * place. The backend's own runs XNNPACK, which packs the filter again whenever it is a new
 * tensor, i.e. at every training step for a trained layer; even with its packed operator kept (a
 * frozen layer) it measured no faster than the gemm at MobileNet's sizes, and training steps ran
 * 6-14% faster with the gemm for every such convolution than with it only for new filters.
 * Other cases run the original.
 */
export function makeFastConv1x1(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as Args;
    const x = inputs.x as tf.TensorInfo;
    const w = inputs.filter as tf.TensorInfo;
    const a = (attrs ?? {}) as { strides?: number | number[]; dilations?: number | number[]; dataFormat?: string; activation?: string; pad?: unknown };
    // 'same' and 'valid' pad nothing around a 1x1 filter at stride 1; a number or explicit pads may
    const unpadded = a.pad === undefined || a.pad === 'same' || a.pad === 'valid' || a.pad === 0 ||
      (Array.isArray(a.pad) && a.pad.flat().every((v) => v === 0));
    const ones = (v: number | number[] | undefined) => v === undefined || (Array.isArray(v) ? v.every((d) => d === 1) : v === 1);
    const be = asWasmHeap(backend);
    const k = simdKernels(backend);
    const plain = inputs.bias == null && inputs.preluActivationWeights == null && (a.activation ?? 'linear') === 'linear' && (a.dataFormat ?? 'NHWC') === 'NHWC';
    if (!be || !k || !plain || !unpadded || !ones(a.strides) || !ones(a.dilations) || x.dtype !== 'float32' || w.dtype !== 'float32' ||
      x.shape.length !== 4 || w.shape.length !== 4 || w.shape[0] !== 1 || w.shape[1] !== 1 || w.shape[2] !== x.shape[3] || w.shape[3]! % 4 !== 0) {
      return original(args);
    }
    const [n, h, wd, cin] = x.shape as [number, number, number, number];
    const cout = w.shape[3]!;
    const p = n * h * wd;
    const out = be.makeOutput([n, h, wd, cout], 'float32');
    if (p * cin === 0) return out;
    const ptr = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId)!.memoryOffset;
    k.gemm(ptr(x), cin * 4, 4, ptr(w), cout * 4, ptr(out), cout * 4, p, cout, cin, 0);
    return out;
  };
}
