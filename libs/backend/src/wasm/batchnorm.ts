import * as tf from '@tensorflow/tfjs';
import { withPointers } from '../fused/arrays.js';

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/** Values per row below which the parameter vectors are repeated (see makeFastBatchNorm). */
const MIN_ROW = 64;

/** `values` repeated `r` times. */
function repeat(values: Float32Array, r: number): Float32Array {
  if (r === 1) return values.slice();
  const out = new Float32Array(values.length * r);
  for (let i = 0; i < r; i++) out.set(values, i * values.length);
  return out;
}

/**
 * FusedBatchNorm for the wasm backend over slt's SIMD kernel (`bnAffine`: the backend's own formula,
 * offset + (x - mean) * scale / sqrt(variance + eps) per channel, with the same float32 results):
 * the backend's own kernel steps four modulo counters per element and is several times slower. Runs the original when a parameter is not a
 * [C] vector of the last axis, or SIMD is missing.
 */
export function makeFastBatchNorm(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as Args;
    const x = inputs.x as tf.TensorInfo;
    const c = x.shape[x.shape.length - 1] ?? 0;
    const params = ['mean', 'variance', 'offset', 'scale'].map((n) => inputs[n] as tf.TensorInfo | undefined);
    const [mean, variance, offset, scale] = params;
    const vec = (t: tf.TensorInfo | undefined): boolean => t === undefined || (t.shape.length === 1 && t.shape[0] === c);
    if (x.shape.length === 0 || c === 0 || !mean || !variance || !params.every(vec)) return original(args);
    const eps = Number(attrs?.varianceEpsilon ?? 0.001);
    const ins = params.filter((t): t is tf.TensorInfo => t !== undefined);
    const rows = tf.util.sizeFromShape(x.shape) / c;
    // Few channels (MobileNet-0.25's first layers have 8): the kernel's loop per row of c values
    // costs more than its arithmetic. Rows of r*c values, each parameter vector repeated r times,
    // give every value the same formula and so the same float32 result.
    let r = 1;
    while (r * c < MIN_ROW && rows % (2 * r) === 0) r *= 2;
    const out = withPointers(backend, [x, ...ins], [x.shape as number[]], (p, [o]) => {
      const view = (t: tf.TensorInfo): Float32Array => p.heap().subarray(p.ptr(t) >>> 2, (p.ptr(t) >>> 2) + c);
      const vec = (values: Float32Array): number => p.scratch(repeat(values, r));
      const param = (t: tf.TensorInfo | undefined, fill: number): number => (t && r === 1 ? p.ptr(t) : vec(t ? view(t) : new Float32Array(c).fill(fill)));
      const v = view(variance);
      const sd = new Float32Array(c); // a loop: Float32Array.from with a map function walks an iterator, measured 5x slower here
      for (let j = 0; j < c; j++) sd[j] = Math.sqrt(Math.fround(v[j]! + eps));
      const nf = vec(sd);
      const m = param(mean, 0);
      const sc = param(scale, 1);
      const off = param(offset, 0);
      p.kernels.bnAffine(p.ptr(x), m, sc, nf, off, p.ptr(o!), rows / r, r * c);
    });
    return out ? out[0]! : original(args);
  };
}
