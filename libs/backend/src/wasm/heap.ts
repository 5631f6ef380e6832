import * as tf from '@tensorflow/tfjs';

/** The parts of the wasm backend (tfjs-backend-wasm's BackendWasm) this file uses. */
interface WasmHeapBackend {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  /** How many tensors share the data of `dataId` (0: none). */
  refCount(dataId: object): number;
}

/** `backend` as the wasm backend's heap interface, or undefined when it is not one. */
export function asWasmHeap(backend: unknown): WasmHeapBackend | undefined {
  const b = backend as Partial<WasmHeapBackend> | undefined;
  return b?.wasm?.HEAPF32 && b.dataIdMap && b.makeOutput && b.refCount ? (b as WasmHeapBackend) : undefined;
}

function wasmBackend(): WasmHeapBackend | undefined {
  return tf.getBackend() === 'wasm' ? asWasmHeap(tf.backend()) : undefined;
}

/**
 * Gathers the tap windows of stride phases into one [kk, N*outH*outW, C] tensor.
 *
 * `phases` is [S*N, R, Q*C] (see splitPhases); tap g reads rows r0..r0+outH-1 and columns
 * c0..c0+outW-1 of phase `phase[g]`. On wasm every run of outW*C floats is copied inside the wasm
 * heap with `copyWithin` (tf.slice on wasm copies its whole input to JS first, once per call, which
 * made per-tap slices the slowest part of a training step); elsewhere it falls back to tf.slice.
 */
export function gatherTaps(
  phases: tf.Tensor3D,
  n: number,
  c: number,
  outH: number,
  outW: number,
  taps: ReadonlyArray<{ phase: number; r0: number; c0: number }>,
): tf.Tensor3D {
  const p = n * outH * outW;
  const be = wasmBackend();
  if (be === undefined || phases.dtype !== 'float32') {
    const parts = taps.map(({ phase, r0, c0 }) =>
      tf.reshape(tf.slice(phases, [phase * n, r0, c0 * c], [n, outH, outW * c]), [1, p, c]));
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor3D;
  }
  const [, rows, rowLen] = phases.shape;
  const out = be.makeOutput([taps.length, p, c], 'float32'); // may grow the heap: read views after
  const heap = be.wasm.HEAPF32;
  const src = be.dataIdMap.get(phases.dataId)!.memoryOffset >>> 2;
  let dst = be.dataIdMap.get(out.dataId)!.memoryOffset >>> 2;
  const run = outW * c;
  for (const { phase, r0, c0 } of taps) {
    for (let b = 0; b < n; b++) {
      let from = src + ((phase * n + b) * rows + r0) * rowLen + c0 * c;
      for (let r = 0; r < outH; r++) {
        heap.copyWithin(dst, from, from + run);
        dst += run;
        from += rowLen;
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor3D;
}

/**
 * tf.slice of a rank-4 float tensor that keeps the last axis whole, copied inside the wasm heap
 * (one `copyWithin` per kept row); falls back to tf.slice off wasm or for other slices.
 */
export function sliceRows4D(x: tf.Tensor4D, begin: [number, number, number, number], size: [number, number, number, number]): tf.Tensor4D {
  const be = wasmBackend();
  const [, h, w, c] = x.shape;
  if (be === undefined || x.dtype !== 'float32' || begin[3] !== 0 || size[3] !== c) return tf.slice(x, begin, size);
  const out = be.makeOutput(size, 'float32');
  const heap = be.wasm.HEAPF32;
  const src = be.dataIdMap.get(x.dataId)!.memoryOffset >>> 2;
  let dst = be.dataIdMap.get(out.dataId)!.memoryOffset >>> 2;
  const run = size[2] * c;
  for (let b = begin[0]; b < begin[0] + size[0]; b++) {
    for (let r = begin[1]; r < begin[1] + size[1]; r++) {
      const from = src + ((b * h + r) * w + begin[2]) * c;
      heap.copyWithin(dst, from, from + run);
      dst += run;
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}

/**
 * Slice for the wasm backend: the same result as wasm's own Slice, copied inside the wasm heap with
 * one `copyWithin` per contiguous run (wasm's own first copies the whole input into a new JS array
 * on every call). Non-float32 tensors run the original kernel.
 */
export function makeFastSlice(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as tf.NamedTensorInfoMap).x as tf.TensorInfo;
    const be = asWasmHeap(args.backend);
    if (be === undefined || x.dtype !== 'float32' || x.shape.length === 0) return original(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs!.begin as number[], args.attrs!.size as number[]);
    const rank = x.shape.length;
    // innermost axis d such that every axis after it is taken whole: runs of size[d] * inner
    let d = rank - 1;
    let inner = 1;
    while (d > 0 && begin[d] === 0 && size[d] === x.shape[d]) {
      inner *= x.shape[d];
      d--;
    }
    const run = size[d] * inner;
    const out = be.makeOutput(size, 'float32');
    if (run === 0 || size.some((s) => s === 0)) return out;
    const heap = be.wasm.HEAPF32;
    const src = be.dataIdMap.get(x.dataId)!.memoryOffset >>> 2;
    let dst = be.dataIdMap.get(out.dataId)!.memoryOffset >>> 2;
    const strides = tf.util.computeStrides(x.shape as number[]); // element strides of axes 0..rank-2
    const idx = begin.slice(0, d);
    const base = begin[d] * inner;
    for (;;) {
      let from = src + base;
      for (let i = 0; i < d; i++) from += idx[i] * strides[i];
      heap.copyWithin(dst, from, from + run);
      dst += run;
      let i = d - 1;
      for (; i >= 0; i--) {
        if (++idx[i] < begin[i] + size[i]) break;
        idx[i] = begin[i];
      }
      if (i < 0) break;
    }
    return out;
  };
}

/**
 * Identity for the wasm backend that shares the input's memory (reference counted, as wasm's own
 * Reshape does) instead of copying it: the engine clones every tensor it saves for a gradient, and
 * no slt or tfjs kernel writes into its inputs. Non-float32 tensors run the original kernel.
 */
export function makeSharedIdentity(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as tf.NamedTensorInfoMap).x as tf.TensorInfo;
    const be = args.backend as { incRef?: (dataId: object) => void };
    if (x.dtype !== 'float32' || asWasmHeap(args.backend) === undefined || typeof be.incRef !== 'function') return original(args);
    be.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/**
 * PadV2 for the wasm backend: the output is filled with the constant, then each run of the input
 * that stays contiguous (everything from the last padded axis inward) is copied inside the heap
 * with `copyWithin` (the backend's own pad walks every value with index arithmetic). Non-float32
 * tensors run the original kernel.
 */
export function makeFastPad(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as tf.NamedTensorInfoMap).x as tf.TensorInfo;
    const be = asWasmHeap(args.backend);
    const paddings = args.attrs?.paddings as Array<[number, number]> | undefined;
    const rank = x.shape.length;
    if (be === undefined || x.dtype !== 'float32' || rank === 0 || !paddings || paddings.length !== rank || paddings.some(([a, b]) => a < 0 || b < 0)) return original(args);
    const value = Number(args.attrs?.constantValue ?? 0);
    const outShape = x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
    const out = be.makeOutput(outShape, 'float32');
    const heap = be.wasm.HEAPF32;
    const src = be.dataIdMap.get(x.dataId)!.memoryOffset >>> 2;
    const dst = be.dataIdMap.get(out.dataId)!.memoryOffset >>> 2;
    heap.fill(value, dst, dst + tf.util.sizeFromShape(outShape));
    const size = tf.util.sizeFromShape(x.shape);
    if (size === 0) return out;
    let d = rank - 1; // the last padded axis: runs are x's sub-blocks from there inward
    while (d > 0 && paddings[d]![0] === 0 && paddings[d]![1] === 0) d--;
    const run = x.shape.slice(d).reduce((a, b) => a * b, 1);
    const outStrides = [...tf.util.computeStrides(outShape), 1];
    const idx = new Array<number>(d).fill(0);
    let from = src;
    for (;;) {
      let to = dst + paddings[d]![0] * outStrides[d]!;
      for (let i = 0; i < d; i++) to += (idx[i]! + paddings[i]![0]) * outStrides[i]!;
      heap.copyWithin(to, from, from + run);
      from += run;
      let i = d - 1;
      for (; i >= 0; i--) {
        if (++idx[i]! < x.shape[i]!) break;
        idx[i] = 0;
      }
      if (i < 0) break;
    }
    return out;
  };
}

/**
 * Concat for the wasm backend when every input is float32: runs of at least 16 values are copied
 * inside the heap with `copyWithin`, shorter runs (a channel concat of 1-channel images, the
 * `repeat` adapter) with a plain loop (the backend's own makes a subarray per run, about 40 ns a
 * value for one-value runs). Other dtypes run the original kernel.
 */
export function makeFastConcat(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const inputs = (Array.isArray(args.inputs) ? args.inputs : Object.values(args.inputs)) as tf.TensorInfo[];
    const be = asWasmHeap(args.backend);
    if (be === undefined || inputs.length < 2 || inputs.some((t) => t.dtype !== 'float32')) return original(args);
    const axis = tf.util.parseAxisParam(args.attrs?.axis as number, inputs[0]!.shape)[0]!;
    const shapes = inputs.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape = tf.backend_util.computeOutShape(shapes, axis);
    const out = be.makeOutput(outShape, 'float32');
    if (tf.util.sizeFromShape(outShape) === 0) return out;
    const heap = be.wasm.HEAPF32;
    const outer = tf.util.sizeFromShape(inputs[0]!.shape.slice(0, axis));
    const inner = inputs.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
    const src = inputs.map((t) => be.dataIdMap.get(t.dataId)!.memoryOffset >>> 2);
    const total = inner.reduce((a, b) => a + b, 0);
    let offset = be.dataIdMap.get(out.dataId)!.memoryOffset >>> 2;
    for (let i = 0; i < inputs.length; i++, offset += inner[i - 1]!) {
      const run = inner[i]!;
      if (run === 0) continue;
      const from = src[i]!;
      if (run >= 16) {
        for (let b = 0; b < outer; b++) heap.copyWithin(offset + b * total, from + b * run, from + (b + 1) * run);
      } else {
        for (let b = 0; b < outer; b++) {
          const o = offset + b * total;
          const f = from + b * run;
          for (let j = 0; j < run; j++) heap[o + j] = heap[f + j]!;
        }
      }
    }
    return out;
  };
}
