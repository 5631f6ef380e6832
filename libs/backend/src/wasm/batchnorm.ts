import * as tf from '@tensorflow/tfjs';
import { KernelInputError } from '../errors.js';
import { type HeapPointers, withPointers } from '../fused/arrays.js';
import { channelFactors, need, sameShape } from '../fused/kernels.js';

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

/** Per-channel sqrt(variance + eps) in float32, as {@link makeFastBatchNorm} divides by it (and so the gradient below). */
function normFactors(variance: Float32Array, eps: number): Float32Array {
  const sd = new Float32Array(variance.length); // a loop: Float32Array.from with a map function walks an iterator, measured 5x slower here
  for (let j = 0; j < sd.length; j++) sd[j] = Math.sqrt(Math.fround(variance[j]! + eps));
  return sd;
}

interface AffineParams { mean: tf.TensorInfo; variance: tf.TensorInfo; offset?: tf.TensorInfo; scale?: tf.TensorInfo }

/** Heap pointers of mean, scale, sqrt(variance + eps) and offset, each repeated r times (absent scale 1, offset 0). */
function affinePointers(p: HeapPointers, c: number, r: number, t: AffineParams, eps: number): { m: number; sc: number; nf: number; off: number } {
  const view = (x: tf.TensorInfo): Float32Array => p.heap().subarray(p.ptr(x) >>> 2, (p.ptr(x) >>> 2) + c);
  const vec = (values: Float32Array): number => p.scratch(repeat(values, r));
  const param = (x: tf.TensorInfo | undefined, fill: number): number => (x && r === 1 ? p.ptr(x) : vec(x ? view(x) : new Float32Array(c).fill(fill)));
  const nf = vec(normFactors(view(t.variance), eps));
  return { m: param(t.mean, 0), sc: param(t.scale, 1), nf, off: param(t.offset, 0) };
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
    const r = repeats(rows, c);
    const out = withPointers(backend, [x, ...ins], [x.shape as number[]], (p, [o]) => {
      const a = affinePointers(p, c, r, { mean, variance, offset, scale }, eps);
      p.kernels.bnAffine(p.ptr(x), a.m, a.sc, a.nf, a.off, p.ptr(o!), rows / r, r * c);
    });
    return out ? out[0]! : original(args);
  };
}

/**
 * Few channels (MobileNet-0.25's first layers have 8): the kernel's loop per row of c values costs
 * more than its arithmetic. Rows of r*c values, each parameter vector repeated r times, give every
 * value the same formula and so the same float32 result.
 */
function repeats(rows: number, c: number): number {
  let r = 1;
  while (r * c < MIN_ROW && rows % (2 * r) === 0) r *= 2;
  return r;
}

/** slt's wasm kernels of an inference-mode BatchNorm followed by its ReLU or ReLU6 (see {@link batchNormActivation}). */
export const BN_ACTIVATION_KERNELS = {
  /** min(max(BatchNorm(x), 0), hi): inputs x, mean, variance, scale, offset; attrs varianceEpsilon, hi (6, or Infinity for ReLU). */
  forward: 'SltBatchNormActivation',
  /** Its gradients [dx, dscale, doffset] from dy, the forward's inputs and its output y (same attrs). */
  grad: 'SltBatchNormActivationGrad',
} as const;

/** Input `name` (see `need`), float32. */
function floatInput(kernel: string, inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = need(kernel, inputs, name);
  if (t.dtype !== 'float32') throw new KernelInputError(kernel, `input '${name}' must be float32, got ${t.dtype}`);
  return t;
}

function bnActivationInputs(kernel: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined) {
  const get = (name: string): tf.TensorInfo => floatInput(kernel, inputs, name);
  const x = get('x');
  const c = x.shape[x.shape.length - 1] ?? 0;
  const params = { mean: get('mean'), variance: get('variance'), scale: get('scale'), offset: get('offset') };
  for (const [name, t] of Object.entries(params)) {
    if (t.shape.length !== 1 || t.shape[0] !== c) throw new KernelInputError(kernel, `${name} must be [${c}] (the last axis of x), got [${t.shape.join(', ')}]`);
  }
  const hi = Number(attrs?.hi);
  if (!(hi > 0)) throw new KernelInputError(kernel, `attr 'hi' must be a number > 0 (6 for ReLU6, Infinity for ReLU), got ${String(attrs?.hi)}`);
  return { x, c, params, hi, eps: Number(attrs?.varianceEpsilon ?? 0.001), rows: tf.util.sizeFromShape(x.shape) / Math.max(c, 1) };
}

const needSimd = (kernel: string): never => {
  throw new KernelInputError(kernel, "runs on wasm with slt's SIMD kernels only");
};

/** {@link BN_ACTIVATION_KERNELS}.forward: bnAffine's value clamped to [0, hi] in the same pass. */
export function batchNormActivation({ inputs, attrs, backend }: Args): tf.TensorInfo {
  const k = BN_ACTIVATION_KERNELS.forward;
  const { x, c, params, hi, eps, rows } = bnActivationInputs(k, inputs, attrs);
  const r = repeats(rows, c);
  const out = withPointers(backend, [x, ...Object.values(params)], [x.shape as number[]], (p, [o]) => {
    const a = affinePointers(p, c, r, params, eps);
    p.kernels.bnAct(p.ptr(x), a.m, a.sc, a.nf, a.off, p.ptr(o!), rows / r, r * c, hi);
  });
  return out ? out[0]! : needSimd(k);
}

/**
 * {@link BN_ACTIVATION_KERNELS}.grad: the activation's mask (from the output y, and where y is hi
 * from z computed again from x: the same float32 value as the forward's), then dx, dscale and
 * doffset of the BatchNorm in one pass, as the FusedBatchNorm gradient computes them from the
 * masked dy.
 */
export function batchNormActivationGrad({ inputs, attrs, backend }: Args): tf.TensorInfo[] {
  const k = BN_ACTIVATION_KERNELS.grad;
  const { x, c, params, hi, eps, rows } = bnActivationInputs(k, inputs, attrs);
  const [dy, y] = ['dy', 'y'].map((name) => {
    const t = floatInput(k, inputs, name);
    sameShape(k, t, x, `${name} and x`);
    return t;
  }) as [tf.TensorInfo, tf.TensorInfo];
  const out = withPointers(backend, [dy, x, y, ...Object.values(params)], [x.shape as number[], [c], [c]], (p, [dx, ds, doff]) => {
    const view = (t: tf.TensorInfo): Float32Array => p.heap().subarray(p.ptr(t) >>> 2, (p.ptr(t) >>> 2) + c);
    const v = view(params.variance);
    const rs = channelFactors(v, undefined, eps, false);
    const f = p.scratch(channelFactors(v, view(params.scale), eps, true));
    const nf = p.scratch(normFactors(view(params.variance), eps));
    view(ds!).fill(0);
    view(doff!).fill(0);
    p.kernels.bnActGrad(p.ptr(dy), p.ptr(x), p.ptr(params.mean), p.ptr(params.scale), nf, p.ptr(params.offset), f, p.ptr(y), p.ptr(dx!), p.ptr(ds!), p.ptr(doff!), rows, c, hi);
    const s = view(ds!);
    for (let j = 0; j < c; j++) s[j] = s[j]! * rs[j]!;
  });
  return out ?? needSimd(k);
}
