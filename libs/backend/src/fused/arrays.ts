/**
 * Float views of kernel inputs and outputs on the wasm and cpu backends, so that one fused kernel
 * is plain JavaScript over typed arrays (as slt's wasm backward kernels are): on wasm the arrays
 * are views of the wasm heap (tfjs-backend-wasm's own binary cannot be rebuilt here), on cpu the
 * backend's value arrays.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelInputError } from '../errors.js';
import { asWasmHeap } from '../wasm/heap.js';
import { type SimdKernels, simdKernels } from '../wasm/simd/kernels.js';

interface CpuLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function asCpu(backend: unknown): CpuLike | undefined {
  const b = backend as Partial<CpuLike> | undefined;
  return b?.data && typeof b.makeTensorInfo === 'function' && !asWasmHeap(backend) ? (b as CpuLike) : undefined;
}

/** Whether a fused kernel can run on `backend` (wasm or cpu). */
export function hasArrays(backend: unknown): boolean {
  return asWasmHeap(backend) !== undefined || asCpu(backend) !== undefined;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Allocates outputs of `outShapes` on `backend`, then calls `fn` with float views of `inputs`
 * and of the outputs (views are taken after every allocation: a growing wasm heap moves).
 */
export function withArrays(
  kernel: string,
  backend: unknown,
  inputs: ReadonlyArray<tf.TensorInfo>,
  outShapes: ReadonlyArray<number[]>,
  fn: (ins: Float32Array[], outs: Float32Array[]) => void,
): tf.TensorInfo[] {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new KernelInputError(kernel, `inputs must be float32, got ${t.dtype}`);
  }
  const wasm = asWasmHeap(backend);
  if (wasm) {
    const outs = outShapes.map((s) => wasm.makeOutput(s, 'float32'));
    const heap = wasm.wasm.HEAPF32;
    const view = (t: tf.TensorInfo): Float32Array => {
      const off = wasm.dataIdMap.get(t.dataId)!.memoryOffset >>> 2;
      return heap.subarray(off, off + size(t.shape));
    };
    fn(inputs.map(view), outs.map(view));
    return outs;
  }
  const cpu = asCpu(backend);
  if (!cpu) throw new KernelInputError(kernel, 'runs on the wasm and cpu backends only');
  const ins = inputs.map((t) => cpu.data.get(t.dataId)!.values as Float32Array);
  const outArrays = outShapes.map((s) => new Float32Array(size(s)));
  fn(ins, outArrays);
  return outShapes.map((s, i) => cpu.makeTensorInfo(s, 'float32', outArrays[i]!));
}

/** Byte pointers of tensors on the wasm heap, and per-channel scratch vectors written from JavaScript. */
export interface HeapPointers {
  kernels: SimdKernels;
  /** Byte offset of a tensor's data. */
  ptr(t: tf.TensorInfo): number;
  /** A scratch float vector on the heap holding `values` (freed by {@link withPointers} afterwards). */
  scratch(values: Float32Array): number;
  /** The heap's current float view (re-read after allocations). */
  heap(): Float32Array;
}

/**
 * On wasm with slt's SIMD kernels ({@link simdKernels}): allocates outputs of `outShapes`, calls
 * `fn` with pointers to inputs and outputs, frees its scratch vectors and returns the outputs.
 * Elsewhere (cpu, no SIMD, non-float inputs) returns undefined and calls nothing.
 */
export function withPointers(
  backend: unknown,
  inputs: ReadonlyArray<tf.TensorInfo>,
  outShapes: ReadonlyArray<number[]>,
  fn: (p: HeapPointers, outs: tf.TensorInfo[]) => void,
): tf.TensorInfo[] | undefined {
  const wasm = asWasmHeap(backend);
  const kernels = simdKernels(backend);
  if (!wasm || !kernels || inputs.some((t) => t.dtype !== 'float32')) return undefined;
  const outs = outShapes.map((s) => wasm.makeOutput(s, 'float32'));
  const temps: tf.TensorInfo[] = [];
  const ptr = (t: tf.TensorInfo): number => wasm.dataIdMap.get(t.dataId)!.memoryOffset;
  const p: HeapPointers = {
    kernels,
    ptr,
    heap: () => wasm.wasm.HEAPF32,
    scratch: (values) => {
      const t = wasm.makeOutput([values.length], 'float32');
      temps.push(t);
      const at = ptr(t);
      wasm.wasm.HEAPF32.set(values, at >>> 2);
      return at;
    },
  };
  try {
    fn(p, outs);
  } finally {
    for (const t of temps) wasm.disposeData(t.dataId);
  }
  return outs;
}
