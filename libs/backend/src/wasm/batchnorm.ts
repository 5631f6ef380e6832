import * as tf from '@tensorflow/tfjs';
import { withPointers } from '../fused/arrays.js';

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

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
    const out = withPointers(backend, [x, ...ins], [x.shape as number[]], (p, [o]) => {
      const view = (t: tf.TensorInfo): Float32Array => p.heap().subarray(p.ptr(t) >>> 2, (p.ptr(t) >>> 2) + c);
      const v = view(variance);
      const nf = p.scratch(Float32Array.from(v, (x) => Math.sqrt(Math.fround(x + eps))));
      const sc = scale ? p.ptr(scale) : p.scratch(new Float32Array(c).fill(1));
      const off = offset ? p.ptr(offset) : p.scratch(new Float32Array(c));
      p.kernels.bnAffine(p.ptr(x), p.ptr(mean), sc, nf, off, p.ptr(o!), tf.util.sizeFromShape(x.shape) / c, c);
    });
    return out ? out[0]! : original(args);
  };
}
