import * as tf from '@tensorflow/tfjs';
import { asWasmHeap } from './heap.js';
import { simdKernels } from './simd/kernels.js';

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/**
 * The batch, rows and columns when `perm` swaps the last two of the (merged) axes, i.e. the
 * transpose is `batch` independent R x C matrix transposes; else undefined.
 */
export function matrixTranspose(shape: readonly number[], perm: readonly number[]): { batch: number; rows: number; cols: number } | undefined {
  const rank = shape.length;
  if (rank < 2 || perm.length !== rank) return undefined;
  // perm = [0..k-1, a..rank-1, k..a-1]: leading axes kept, then two blocks swapped
  let k = 0;
  while (k < rank && perm[k] === k) k++;
  if (k >= rank - 1) return undefined;
  const a = perm[k]!;
  for (let i = k; i < rank; i++) {
    const want = i - k < rank - a ? a + (i - k) : k + (i - k - (rank - a));
    if (perm[i] !== want) return undefined;
  }
  const prod = (from: number, to: number) => shape.slice(from, to).reduce((x, y) => x * y, 1);
  return { batch: prod(0, k), rows: prod(k, a), cols: prod(a, rank) };
}

/**
 * Transpose for the wasm backend: permutations that are (batched) matrix transposes run slt's
 * blocked wasm kernel over the heap (the backend's own takes about 3 ns per value there); others run
 * the original.
 */
export function makeFastTranspose(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as Args;
    const x = inputs.x as tf.TensorInfo;
    const m = matrixTranspose(x.shape, (attrs?.perm ?? []) as number[]);
    const be = asWasmHeap(backend);
    const k = simdKernels(backend);
    if (!m || !be || !k || x.dtype !== 'float32') return original(args);
    const perm = attrs!.perm as number[];
    const out = be.makeOutput(perm.map((p) => x.shape[p]!), 'float32');
    const ptr = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId)!.memoryOffset;
    if (m.rows === 1 || m.cols === 1) {
      // the values keep their order: one copy
      const from = ptr(x) >>> 2;
      be.wasm.HEAPF32.copyWithin(ptr(out) >>> 2, from, from + tf.util.sizeFromShape(x.shape));
    } else {
      k.transpose(ptr(x), ptr(out), m.batch, m.rows, m.cols);
    }
    return out;
  };
}
