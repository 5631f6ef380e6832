import * as tf from '@tensorflow/tfjs';
import { asWasmHeap } from './heap.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/**
 * When `reps` only repeats leading size-1 axes of x (x = [1, .., 1, rest], reps = [r, .., 1, ..]),
 * the result is x's values repeated end to end, which needs no index arithmetic.
 */
export function leadingRepeat(shape: readonly number[], reps: readonly number[]): number | undefined {
  if (shape.length !== reps.length) return undefined;
  let times = 1;
  let inLeading = true;
  for (let i = 0; i < shape.length; i++) {
    if (reps[i] === 1) {
      if (shape[i] !== 1) inLeading = false;
      continue;
    }
    if (!inLeading || shape[i] !== 1) return undefined;
    times *= reps[i];
  }
  return times;
}

/**
 * Tile for the wasm backend with a fast path for leading repeats (what the BatchNorm gradient
 * asks for: [1, 1, 1, C] tiled to [N, H, W, C]): the values are copied once and then doubled with
 * `copyWithin` inside the wasm heap. Every other case runs the backend's own Tile kernel.
 */
export function makeFastTile(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as KernelArgs;
    const x = inputs.x as tf.TensorInfo;
    const reps = (attrs?.reps ?? []) as number[];
    const times = leadingRepeat(x.shape, reps);
    const be = asWasmHeap(args.backend);
    if (times === undefined || be === undefined || x.dtype !== 'float32') return original(args);
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const out = be.makeOutput(outShape, 'float32');
    const heap = be.wasm.HEAPF32;
    const src = be.dataIdMap.get(x.dataId)!.memoryOffset >>> 2;
    const dst = be.dataIdMap.get(out.dataId)!.memoryOffset >>> 2;
    const size = x.shape.reduce((a, b) => a * b, 1);
    const total = size * times;
    heap.copyWithin(dst, src, src + size);
    for (let done = size; done < total; done *= 2) {
      heap.copyWithin(dst + done, dst, dst + Math.min(done, total - done));
    }
    return out;
  };
}

/** The number of leading axes `axis` reduces when it is exactly 0..k-1 (k < rank), else undefined. */
export function leadingAxes(rank: number, axis: number | number[] | undefined): number | undefined {
  if (axis === undefined) return undefined;
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  if (list.length === 0 || list.length >= rank) return undefined;
  return list.every((a, i) => a === i) ? list.length : undefined;
}

/**
 * Sum for the wasm backend with a fast path for reducing leading axes (what the BatchNorm and bias
 * gradients ask for: [N, H, W, C] summed over N, H, W): one matMul of a row of ones with the
 * tensor seen as [N*H*W, C]. wasm's own Sum first transposes the reduced axes to the end.
 */
export function makeFastSum(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as KernelArgs;
    const x = inputs.x as tf.TensorInfo;
    const k = leadingAxes(x.shape.length, attrs?.axis as number | number[] | undefined);
    if (k === undefined || x.dtype !== 'float32' || tf.getBackend() !== 'wasm') return original(args);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(k);
    const cols = rest.reduce((a, b) => a * b, 1);
    if (rows < 64) return original(args); // small: the transpose costs nothing
    return tf.tidy(() => {
      const t = x instanceof tf.Tensor ? x : tf.engine().makeTensorFromTensorInfo(x);
      const s = tf.matMul(tf.ones([1, rows]), tf.reshape(t, [rows, cols]));
      return tf.reshape(s, attrs?.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest);
    });
  };
}
