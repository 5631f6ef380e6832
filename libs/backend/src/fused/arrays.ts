/**
 * Float views of kernel inputs and outputs on the wasm and cpu backends, so that one fused kernel
 * is plain JavaScript over typed arrays (as slt's wasm backward kernels are): on wasm the arrays
 * are views of the wasm heap (tfjs-backend-wasm's own binary cannot be rebuilt here), on cpu the
 * backend's value arrays.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelInputError } from '../errors.js';
import { asWasmHeap } from '../wasm/heap.js';

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
