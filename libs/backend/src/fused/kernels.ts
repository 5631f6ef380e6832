/**
 * slt's fused training kernels, one kernel call each where tfjs runs several: the masked
 * activation gradient (ReLU, ReLU6, clip), the inference-mode BatchNorm gradients, the softmax
 * gradient, a categorical cross-entropy with its gradient, and the Adam update. Registered for
 * 'wasm' and 'cpu'. On wasm the elementwise ones run slt's SIMD kernels over the heap
 * (wasm/simd); elsewhere, and where SIMD is missing, plain JavaScript over the tensors' float
 * arrays (see arrays.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { KernelInputError } from '../errors.js';
import { asWasmHeap } from '../wasm/heap.js';
import { simdKernels } from '../wasm/simd/kernels.js';
import { withArrays, withPointers } from './arrays.js';

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/** The fused kernels' names. */
export const FUSED_KERNELS = {
  /** dy where lo < x < hi (bounds inclusive as the attrs say), else 0: the ReLU / ReLU6 / clip gradient. */
  rangeGrad: 'SltRangeGrad',
  /** Inference-mode BatchNorm input gradient: dy * scale / sqrt(variance + eps), per channel. */
  batchNormGradX: 'SltBatchNormGradX',
  /** Inference-mode BatchNorm gradients in one pass: outputs [dx, dscale, doffset] (dscale as {@link FUSED_KERNELS.batchNormGradParams} 'scale'). */
  batchNormGrad: 'SltBatchNormGrad',
  /** Inference-mode BatchNorm scale or offset gradient (attr part): per-channel sum of dy * (x - mean) / sqrt(variance + eps), or of dy. */
  batchNormGradParams: 'SltBatchNormGradParams',
  /** Softmax gradient over the last axis: y * (dy - sum(dy * y)). */
  softmaxGrad: 'SltSoftmaxGrad',
  /** Categorical cross-entropy of probabilities (clipped as Keras clips) against one-hot labels, mean over rows. */
  crossEntropy: 'SltCrossEntropy',
  /** Gradient of {@link FUSED_KERNELS.crossEntropy} with respect to the probabilities. */
  crossEntropyGrad: 'SltCrossEntropyGrad',
  /** One Adam step of one variable: new value, first and second moments. */
  adam: 'SltAdam',
} as const;

/** Input `name` of a kernel's inputs, or a KernelInputError naming it. */
export const need = (kernel: string, inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo => {
  const t = inputs[name] as tf.TensorInfo | undefined;
  if (t == null) throw new KernelInputError(kernel, `input '${name}' is missing`);
  return t;
};

/** A KernelInputError naming `names` unless a and b have one shape. */
export const sameShape = (kernel: string, a: tf.TensorInfo, b: tf.TensorInfo, names: string): void => {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new KernelInputError(kernel, `${names} must have one shape, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
};

function rangeGrad({ inputs, attrs, backend }: Args): tf.TensorInfo {
  const k = FUSED_KERNELS.rangeGrad;
  const dy = need(k, inputs, 'dy');
  const x = need(k, inputs, 'x');
  sameShape(k, dy, x, 'dy and x');
  const lo = Number(attrs?.lo ?? -Infinity), hi = Number(attrs?.hi ?? Infinity);
  const loIn = attrs?.loInclusive === true, hiIn = attrs?.hiInclusive === true;
  const fast = withPointers(backend, [dy, x], [x.shape], (p, [out]) => {
    const f = loIn ? (hiIn ? p.kernels.range11 : p.kernels.range10) : hiIn ? p.kernels.range01 : p.kernels.range00;
    f(p.ptr(dy), p.ptr(x), p.ptr(out!), tf.util.sizeFromShape(x.shape), lo, hi);
  });
  if (fast) return fast[0]!;
  return withArrays(k, backend, [dy, x], [x.shape], ([gv, xv], [ov]) => {
    const g = gv!, v = xv!, out = ov!, n = v.length;
    // one loop per bound kind (a NaN input passes no gradient)
    if (loIn && hiIn) for (let i = 0; i < n; i++) out[i] = v[i]! >= lo && v[i]! <= hi ? g[i]! : 0;
    else if (!loIn && hiIn) for (let i = 0; i < n; i++) out[i] = v[i]! > lo && v[i]! <= hi ? g[i]! : 0;
    else if (loIn) for (let i = 0; i < n; i++) out[i] = v[i]! >= lo && v[i]! < hi ? g[i]! : 0;
    else for (let i = 0; i < n; i++) out[i] = v[i]! > lo && v[i]! < hi ? g[i]! : 0;
  })[0]!;
}

/** Per-channel 1 / sqrt(variance + eps) * scale (scale optional), in float32 as tfjs computes it. */
export function channelFactors(variance: Float32Array, scale: Float32Array | undefined, eps: number, withScale: boolean): Float32Array {
  const f = new Float32Array(variance.length);
  for (let c = 0; c < f.length; c++) {
    const r = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(variance[c]! + eps))));
    f[c] = withScale && scale ? Math.fround(r * scale[c]!) : r;
  }
  return f;
}

function batchNormGradX({ inputs, attrs, backend }: Args): tf.TensorInfo {
  const k = FUSED_KERNELS.batchNormGradX;
  const dy = need(k, inputs, 'dy');
  const variance = need(k, inputs, 'variance');
  const scale = inputs.scale as tf.TensorInfo | undefined;
  const c = dy.shape[dy.shape.length - 1]!;
  if (variance.shape.length !== 1 || variance.shape[0] !== c) throw new KernelInputError(k, `variance must be [${c}] (the last axis of dy)`);
  const eps = Number(attrs?.varianceEpsilon ?? 0.001);
  const ins = scale ? [dy, variance, scale] : [dy, variance];
  const fast = withPointers(backend, ins, [dy.shape], (p, [out]) => {
    const f = channelFactors(heapView(p.heap(), p.ptr(variance), c), scale ? heapView(p.heap(), p.ptr(scale), c) : undefined, eps, true);
    const fp = p.scratch(f), zero = p.scratch(new Float32Array(c)), one = p.scratch(new Float32Array(c).fill(1));
    p.kernels.bnAffine(p.ptr(dy), zero, fp, one, zero, p.ptr(out!), tf.util.sizeFromShape(dy.shape) / c, c); // dy * f
  });
  if (fast) return fast[0]!;
  return withArrays(k, backend, ins, [dy.shape], ([g, v, s], [out]) => {
    const f = channelFactors(v!, s, eps, true);
    for (let i = 0; i < g!.length; i += c) for (let j = 0; j < c; j++) out![i + j] = g![i + j]! * f[j]!;
  })[0]!;
}

const heapView = (heap: Float32Array, ptr: number, n: number): Float32Array => heap.subarray(ptr >>> 2, (ptr >>> 2) + n);

function bnInputs(k: string, inputs: tf.NamedTensorInfoMap): { dy: tf.TensorInfo; x: tf.TensorInfo; mean: tf.TensorInfo; variance: tf.TensorInfo; c: number } {
  const dy = need(k, inputs, 'dy');
  const x = need(k, inputs, 'x');
  const mean = need(k, inputs, 'mean');
  const variance = need(k, inputs, 'variance');
  sameShape(k, dy, x, 'dy and x');
  const c = x.shape[x.shape.length - 1]!;
  for (const [n, t] of [['mean', mean], ['variance', variance]] as const) {
    if (t.shape.length !== 1 || t.shape[0] !== c) throw new KernelInputError(k, `${n} must be [${c}] (the last axis of x)`);
  }
  return { dy, x, mean, variance, c };
}

/** dx, dscale and doffset of an inference-mode BatchNorm in one pass over dy and x. */
function batchNormGrad({ inputs, attrs, backend }: Args): tf.TensorInfo[] {
  const k = FUSED_KERNELS.batchNormGrad;
  const { dy, x, mean, variance, c } = bnInputs(k, inputs);
  const scale = inputs.scale as tf.TensorInfo | undefined;
  const eps = Number(attrs?.varianceEpsilon ?? 0.001);
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const ins = scale ? [dy, x, mean, variance, scale] : [dy, x, mean, variance];
  const fast = withPointers(backend, ins, [x.shape, [c], [c]], (p, [dx, ds, doff]) => {
    const v = heapView(p.heap(), p.ptr(variance), c);
    const r = channelFactors(v, undefined, eps, false);
    const f = channelFactors(v, scale ? heapView(p.heap(), p.ptr(scale), c) : undefined, eps, true);
    const fp = p.scratch(f);
    const heap = p.heap();
    heapView(heap, p.ptr(ds!), c).fill(0);
    heapView(heap, p.ptr(doff!), c).fill(0);
    p.kernels.bnGrad(p.ptr(dy), p.ptr(x), p.ptr(mean), fp, p.ptr(dx!), p.ptr(ds!), p.ptr(doff!), rows, c);
    const s = heapView(p.heap(), p.ptr(ds!), c);
    for (let j = 0; j < c; j++) s[j] = s[j]! * r[j]!;
  });
  if (fast) return fast;
  return withArrays(k, backend, ins, [x.shape, [c], [c]], ([g, xv, m, va, sc], [dx, ds, doff]) => {
    const r = channelFactors(va!, undefined, eps, false);
    const f = channelFactors(va!, sc, eps, true);
    const accS = new Float64Array(c), accO = new Float64Array(c);
    for (let i = 0; i < g!.length; i += c) {
      for (let j = 0; j < c; j++) {
        const d = g![i + j]!;
        dx![i + j] = d * f[j]!;
        accO[j] += d;
        accS[j] += d * (xv![i + j]! - m![j]!);
      }
    }
    for (let j = 0; j < c; j++) {
      ds![j] = accS[j]! * r[j]!;
      doff![j] = accO[j]!;
    }
  });
}

function batchNormGradParams({ inputs, attrs, backend }: Args): tf.TensorInfo {
  const k = FUSED_KERNELS.batchNormGradParams;
  const { dy, x, mean, variance, c } = bnInputs(k, inputs);
  const part = attrs?.part;
  if (part !== 'scale' && part !== 'offset') throw new KernelInputError(k, `attr 'part' must be 'scale' or 'offset', got ${JSON.stringify(part)}`);
  const eps = Number(attrs?.varianceEpsilon ?? 0.001);
  return withArrays(k, backend, [dy, x, mean, variance], [[c]], ([g, v, m, va], [out]) => {
    const acc = new Float64Array(c);
    if (part === 'offset') {
      for (let i = 0; i < g!.length; i += c) for (let j = 0; j < c; j++) acc[j] += g![i + j]!;
      out!.set(acc);
      return;
    }
    const r = channelFactors(va!, undefined, eps, false);
    for (let i = 0; i < g!.length; i += c) for (let j = 0; j < c; j++) acc[j] += g![i + j]! * (v![i + j]! - m![j]!);
    for (let j = 0; j < c; j++) out![j] = acc[j]! * r[j]!;
  })[0]!;
}

function softmaxGrad({ inputs, backend }: Args): tf.TensorInfo {
  const k = FUSED_KERNELS.softmaxGrad;
  const dy = need(k, inputs, 'dy');
  const y = need(k, inputs, 'y');
  sameShape(k, dy, y, 'dy and y');
  const n = y.shape[y.shape.length - 1] ?? 1;
  return withArrays(k, backend, [dy, y], [y.shape], ([g, p], [out]) => {
    for (let i = 0; i < p!.length; i += n) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += g![i + j]! * p![i + j]!;
      for (let j = 0; j < n; j++) out![i + j] = p![i + j]! * (g![i + j]! - dot);
    }
  })[0]!;
}

const CLIP = 1e-7;

function checkRows(k: string, probs: tf.TensorInfo, labels: tf.TensorInfo): void {
  sameShape(k, probs, labels, 'probs and labels');
  if (probs.shape.length !== 2) throw new KernelInputError(k, `probs must be [rows, classes], got [${probs.shape.join(', ')}]`);
}

function crossEntropy({ inputs, attrs, backend }: Args): tf.TensorInfo {
  const k = FUSED_KERNELS.crossEntropy;
  const probs = need(k, inputs, 'probs');
  const labels = need(k, inputs, 'labels');
  checkRows(k, probs, labels);
  const eps = Number(attrs?.epsilon ?? CLIP);
  const [rows] = probs.shape as [number, number];
  return withArrays(k, backend, [probs, labels], [[]], ([p, y], [out]) => {
    const lo = Math.fround(eps), hi = Math.fround(1 - eps);
    let total = 0;
    for (let i = 0; i < p!.length; i++) {
      const yi = y![i]!;
      if (yi === 0) continue;
      const v = p![i]!;
      total += yi * Math.log(v !== v ? v : v < lo ? lo : v > hi ? hi : v);
    }
    out![0] = -total / rows;
  })[0]!;
}

function crossEntropyGrad({ inputs, attrs, backend }: Args): tf.TensorInfo {
  const k = FUSED_KERNELS.crossEntropyGrad;
  const dy = need(k, inputs, 'dy');
  const probs = need(k, inputs, 'probs');
  const labels = need(k, inputs, 'labels');
  checkRows(k, probs, labels);
  const eps = Number(attrs?.epsilon ?? CLIP);
  const [rows] = probs.shape as [number, number];
  return withArrays(k, backend, [dy, probs, labels], [probs.shape], ([g, p, y], [out]) => {
    const lo = Math.fround(eps), hi = Math.fround(1 - eps);
    const scale = -g![0]! / rows;
    for (let i = 0; i < p!.length; i++) {
      const v = p![i]!;
      // the clip passes the gradient only inside [lo, hi] (tfjs' ClipByValue gradient)
      out![i] = v >= lo && v <= hi ? (scale * y![i]!) / v : v !== v ? NaN : 0;
    }
  })[0]!;
}

/** Attributes of {@link FUSED_KERNELS.adam}: the step's hyperparameters and bias corrections 1 - beta^t. */
export interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  correction1: number;
  correction2: number;
}

/** Adam's inputs checked (one shape, finite attrs), its attrs as numbers. */
function adamArgs(k: string, x: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo, g: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined): AdamAttrs {
  for (const [n, t] of [['m', m], ['v', v], ['gradient', g]] as const) sameShape(k, x, t, `x and ${n}`);
  const a = attrs ?? {};
  const r = {
    learningRate: Number(a.learningRate), beta1: Number(a.beta1), beta2: Number(a.beta2), epsilon: Number(a.epsilon),
    correction1: Number(a.correction1), correction2: Number(a.correction2),
  };
  if (!Object.values(r).every(Number.isFinite) || r.correction1 <= 0 || r.correction2 <= 0) {
    throw new KernelInputError(k, 'attrs learningRate, beta1, beta2, epsilon, correction1, correction2 must be finite (corrections > 0)');
  }
  return r;
}

/** The Adam step over float arrays (outputs may be the inputs themselves: each element is read before it is written). */
function adamLoop(xv: Float32Array, mv: Float32Array, vv: Float32Array, gv: Float32Array, xo: Float32Array, mo: Float32Array, vo: Float32Array, a: AdamAttrs): void {
  const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, correction1: c1, correction2: c2 } = a;
  const ob1 = 1 - b1, ob2 = 1 - b2;
  for (let i = 0; i < xv.length; i++) {
    const gi = gv[i]!;
    const mi = mv[i]! * b1 + gi * ob1;
    const vi = vv[i]! * b2 + gi * gi * ob2;
    mo[i] = mi;
    vo[i] = vi;
    xo[i] = xv[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}

function adam({ inputs, attrs, backend }: Args): tf.TensorInfo[] {
  const k = FUSED_KERNELS.adam;
  const x = need(k, inputs, 'x');
  const m = need(k, inputs, 'm');
  const v = need(k, inputs, 'v');
  const g = need(k, inputs, 'gradient');
  const a = adamArgs(k, x, m, v, g, attrs);
  const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, correction1: c1, correction2: c2 } = a;
  const fast = withPointers(backend, [x, m, v, g], [x.shape, x.shape, x.shape], (p, [xo, mo, vo]) => {
    p.kernels.adam(p.ptr(x), p.ptr(m), p.ptr(v), p.ptr(g), p.ptr(xo!), p.ptr(mo!), p.ptr(vo!), tf.util.sizeFromShape(x.shape), lr, b1, 1 - b1, b2, 1 - b2, eps, c1, c2);
  });
  if (fast) return fast;
  return withArrays(k, backend, [x, m, v, g], [x.shape, x.shape, x.shape], ([xv, mv, vv, gv], [xo, mo, vo]) => adamLoop(xv!, mv!, vv!, gv!, xo!, mo!, vo!, a));
}

/**
 * One Adam step of one variable on wasm without a kernel call: the same arithmetic as the
 * {@link FUSED_KERNELS.adam} kernel (SIMD where it runs), the moments `m` and `v` written over in
 * place, the new value in new data (returned; the caller makes it the variable's). The value is
 * never written over: tfjs-backend-wasm caches packed weights by tensor (XNNPACK's convolutions and
 * matmuls), so a tensor's data must not change. Done only where no other tensor shares the data of
 * `m` or `v`; returns undefined, having written nothing, when it is not done (shared data, another
 * backend: cpu hands its own arrays out from dataSync).
 */
export function adamStep(backend: unknown, x: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo, g: tf.TensorInfo, attrs: AdamAttrs): tf.TensorInfo | undefined {
  const wasm = asWasmHeap(backend);
  if (!wasm || [x, m, v, g].some((t) => t.dtype !== 'float32')) return undefined;
  if (wasm.refCount(m.dataId) !== 1 || wasm.refCount(v.dataId) !== 1) return undefined;
  const a = adamArgs(FUSED_KERNELS.adam, x, m, v, g, attrs as unknown as tf.NamedAttrMap);
  const out = wasm.makeOutput([...x.shape], 'float32'); // may grow the heap: pointers and views after
  const ptr = (t: tf.TensorInfo): number => wasm.dataIdMap.get(t.dataId)!.memoryOffset;
  const n = tf.util.sizeFromShape(x.shape);
  const kernels = simdKernels(backend);
  if (kernels) {
    kernels.adam(ptr(x), ptr(m), ptr(v), ptr(g), ptr(out), ptr(m), ptr(v), n, a.learningRate, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.epsilon, a.correction1, a.correction2);
    return out;
  }
  const heap = wasm.wasm.HEAPF32;
  const view = (t: tf.TensorInfo): Float32Array => heap.subarray(ptr(t) >>> 2, (ptr(t) >>> 2) + n);
  const [mv, vv] = [view(m), view(v)];
  adamLoop(view(x), mv, vv, view(g), view(out), mv, vv, a);
  return out;
}

const IMPLS: Record<string, (args: Args) => tf.TensorInfo | tf.TensorInfo[]> = {
  [FUSED_KERNELS.rangeGrad]: rangeGrad,
  [FUSED_KERNELS.batchNormGradX]: batchNormGradX,
  [FUSED_KERNELS.batchNormGrad]: batchNormGrad,
  [FUSED_KERNELS.batchNormGradParams]: batchNormGradParams,
  [FUSED_KERNELS.softmaxGrad]: softmaxGrad,
  [FUSED_KERNELS.crossEntropy]: crossEntropy,
  [FUSED_KERNELS.crossEntropyGrad]: crossEntropyGrad,
  [FUSED_KERNELS.adam]: adam,
};

/** The backends the fused kernels are registered for. */
export const FUSED_BACKENDS: readonly string[] = ['wasm', 'cpu'];

/** Registers the fused kernels for wasm and cpu (idempotent); returns the names newly registered. */
export function registerFusedKernelFuncs(): string[] {
  const added: string[] = [];
  for (const backendName of FUSED_BACKENDS) {
    for (const [kernelName, impl] of Object.entries(IMPLS)) {
      if (tf.getKernel(kernelName, backendName) != null) continue;
      tf.registerKernel({ kernelName, backendName, kernelFunc: impl as unknown as tf.KernelFunc });
      added.push(`${kernelName}@${backendName}`);
    }
  }
  return added;
}
