/**
 * Gradients of tfjs kernels re-registered to run slt's fused kernels: Relu, Relu6 and ClipByValue
 * (one masked-gradient kernel instead of four to five), FusedBatchNorm (one kernel for the input,
 * scale and offset gradients, when mean and variance are constants as in inference mode),
 * Softmax (one kernel instead of four) and Identity (dy itself, no Cast); and the inference-mode
 * BatchNorm with its ReLU or ReLU6 as one kernel forward and one backward (wasm). Where the fused kernels are off ({@link setFusedKernels})
 * or missing on the active backend (e.g. 'tensorflow'), tfjs' own gradient runs.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_ACTIVATION_KERNELS } from '../wasm/batchnorm.js';
import { simdKernelsEnabled } from '../wasm/simd/kernels.js';
import { FUSED_KERNELS, registerFusedKernelFuncs } from './kernels.js';
import { installSharedSaves } from './saved.js';

let enabled = process.env.SLT_FUSED !== '0';

/** Turns the fused kernels on or off (default on; the environment variable SLT_FUSED=0 turns them off). */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}

/** Whether training uses the fused kernels on the active backend (on, and registered for it). */
export function fusedKernelsEnabled(): boolean {
  return enabled && tf.getKernel(FUSED_KERNELS.adam, tf.getBackend()) != null;
}

type GradFunc = tf.GradConfig['gradFunc'];
const originals = new Map<string, tf.GradConfig>();
let installed = false;

const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): tf.Tensor =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;

function override(kernelName: string, fused: (original: GradFunc) => GradFunc): void {
  const original = tf.getGradient(kernelName);
  if (original == null) return;
  originals.set(kernelName, original);
  const mine = fused(original.gradFunc);
  tf.registerGradient({
    ...original,
    gradFunc: (dy, saved, attrs) => (fusedKernelsEnabled() ? mine(dy, saved, attrs) : original.gradFunc(dy, saved, attrs)),
  });
}

const range = (x: tf.Tensor, dy: tf.Tensor, lo: number, hi: number, loInclusive: boolean, hiInclusive: boolean) =>
  run(FUSED_KERNELS.rangeGrad, { dy, x }, { lo, hi, loInclusive, hiInclusive });

function rangeGradients(): void {
  override('Relu', () => (dy, saved) => ({ x: () => range(saved[0]!, dy as tf.Tensor, 0, Infinity, false, false) }));
  override('Relu6', () => (dy, saved) => ({ x: () => range(saved[0]!, dy as tf.Tensor, 0, 6, false, true) }));
  override('ClipByValue', () => (dy, saved, attrs) => ({
    x: () => range(saved[0]!, dy as tf.Tensor, Number(attrs.clipValueMin), Number(attrs.clipValueMax), true, true),
  }));
}

function batchNormGradient(): void {
  override('FusedBatchNorm', (original) => (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as tf.Tensor[];
    const g = dy as tf.Tensor;
    const c = x!.shape[x!.shape.length - 1];
    if (mean!.rank !== 1 || variance!.rank !== 1 || mean!.shape[0] !== c || g.dtype !== 'float32') return original(dy, saved, attrs);
    const eps = Number(attrs.varianceEpsilon);
    // one pass for dx, dscale and doffset; run here, outside the per-input tidy of the backward
    // pass, so the outputs no input asks for are disposed with the backward pass's own scope
    const ins: Record<string, tf.Tensor> = { dy: g, x: x!, mean: mean!, variance: variance! };
    if (scale) ins.scale = scale;
    const [dx, dscale, doffset] = tf.engine().runKernel(FUSED_KERNELS.batchNormGrad, ins as unknown as tf.NamedTensorMap, { varianceEpsilon: eps }) as tf.Tensor[];
    // mean and variance are constants in inference mode; when they are not (training-mode BN), tfjs' own formula
    const fallback = (name: string) => () => (original(dy, saved, attrs) as Record<string, () => tf.Tensor>)[name]!();
    return {
      x: () => dx!,
      scale: () => dscale!,
      offset: () => doffset!,
      mean: fallback('mean'),
      variance: fallback('variance'),
    };
  });
}

/** The activation's hi of {@link batchNormActivation}: ReLU6 and ReLU. */
export type BatchNormActivation = 'relu6' | 'relu';

/**
 * min(max(BatchNorm(x), 0), hi) of an inference-mode BatchNorm (mean and variance constants) as one
 * kernel, forward and backward: the same values and gradients as FusedBatchNorm then Relu6 (or Relu)
 * bit for bit, in half the kernel calls. Undefined where that kernel is not available (fused or SIMD
 * kernels off, a backend other than wasm, float16/int inputs, a parameter that is not a [C] vector):
 * the caller runs the two kernels then.
 */
export function batchNormActivation(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number, activation: BatchNormActivation): tf.Tensor | undefined {
  if (!fusedKernelsEnabled() || !simdKernelsEnabled() || tf.getKernel(BN_ACTIVATION_KERNELS.forward, tf.getBackend()) == null) return undefined;
  const c = x.shape[x.rank - 1];
  if ([x, mean, variance, scale, offset].some((t) => t.dtype !== 'float32') || [mean, variance, scale, offset].some((t) => t.rank !== 1 || t.shape[0] !== c)) return undefined;
  return run(BN_ACTIVATION_KERNELS.forward, { x, mean, variance, scale, offset }, { varianceEpsilon: epsilon, hi: activation === 'relu6' ? 6 : Infinity });
}

function batchNormActivationGradient(): void {
  tf.registerGradient({
    kernelName: BN_ACTIVATION_KERNELS.forward,
    inputsToSave: ['x', 'mean', 'variance', 'scale', 'offset'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale, offset, y] = saved as tf.Tensor[];
      const g = dy as tf.Tensor;
      // one pass for dx, dscale and doffset, outside the per-input tidy (as the FusedBatchNorm gradient above)
      const [dx, dscale, doffset] = tf.engine().runKernel(BN_ACTIVATION_KERNELS.grad, { dy: g, x: x!, mean: mean!, variance: variance!, scale: scale!, offset: offset!, y: y! } as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor[];
      // mean and variance are constants of an inference-mode BatchNorm; asked for anyway, their gradients in tfjs ops
      const eps = Number(attrs.varianceEpsilon);
      const hi = Number(attrs.hi);
      const axes = Array.from({ length: x!.rank - 1 }, (_, i) => i);
      const dz = () => {
        const z = tf.batchNorm(x!, mean!, variance!, offset!, scale!, eps);
        return tf.mul(g, tf.logicalAnd(tf.greater(z, 0), tf.lessEqual(z, hi)).toFloat());
      };
      return {
        x: () => dx!,
        scale: () => dscale!,
        offset: () => doffset!,
        mean: () => tf.neg(tf.sum(tf.mul(dz(), tf.div(scale!, tf.sqrt(tf.add(variance!, eps)))), axes)),
        variance: () => tf.sum(tf.mul(tf.mul(dz(), tf.mul(tf.sub(x!, mean!), scale!)), tf.mul(-0.5, tf.pow(tf.add(variance!, eps), -1.5))), axes),
      };
    },
  });
}

/** Identity's gradient is dy itself for float32 (tfjs' casts it to float32, one Cast kernel per clone on the tape). */
function identityGradient(): void {
  override('Identity', (original) => (dy, saved, attrs) => ((dy as tf.Tensor).dtype === 'float32' ? { x: () => dy as tf.Tensor } : original(dy, saved, attrs)));
}

function softmaxGradient(): void {
  override('Softmax', (original) => (dy, saved, attrs) => {
    const [y] = saved as tf.Tensor[];
    if (Number(attrs.dim) !== -1 && Number(attrs.dim) !== y!.rank - 1) return original(dy, saved, attrs);
    return { logits: () => run(FUSED_KERNELS.softmaxGrad, { dy: dy as tf.Tensor, y: y! }) };
  });
}

function crossEntropyGradient(): void {
  tf.registerGradient({
    kernelName: FUSED_KERNELS.crossEntropy,
    inputsToSave: ['probs', 'labels'],
    gradFunc: (dy, saved, attrs) => {
      const [probs, labels] = saved as tf.Tensor[];
      return {
        probs: () => run(FUSED_KERNELS.crossEntropyGrad, { dy: dy as tf.Tensor, probs: probs!, labels: labels! }, { epsilon: attrs.epsilon }),
        labels: () => tf.mul(tf.div(tf.log(tf.clipByValue(probs!, Number(attrs.epsilon), 1 - Number(attrs.epsilon))), -probs!.shape[0]!), dy as tf.Tensor),
      };
    },
  });
}

/**
 * Registers the fused kernels (wasm, cpu) and the gradients that use them, and shares the tensors
 * saved for the backward pass instead of cloning them (saved.ts) (idempotent). Returns what it
 * registered on this call: kernel@backend names, the re-registered gradients, the shared saves.
 */
export function registerFusedKernels(): string[] {
  const added = registerFusedKernelFuncs();
  if (!installed) {
    installed = true;
    rangeGradients();
    batchNormGradient();
    softmaxGradient();
    identityGradient();
    crossEntropyGradient();
    batchNormActivationGradient();
    if (installSharedSaves()) added.push('shared saved tensors');
    added.push(...[...originals.keys()].map((k) => `${k} gradient`), `${FUSED_KERNELS.crossEntropy} gradient`, `${BN_ACTIVATION_KERNELS.forward} gradient`);
  }
  return added;
}

/**
 * Keras' categorical cross-entropy on probabilities (clipped to [1e-7, 1 - 1e-7]), mean over the
 * rows: one fused kernel (and one for its gradient) where available, else tfjs ops.
 */
export function categoricalCrossEntropy(probs: tf.Tensor, oneHot: tf.Tensor, epsilon = 1e-7): tf.Scalar {
  if (fusedKernelsEnabled() && probs.rank === 2 && probs.dtype === 'float32' && oneHot.dtype === 'float32') {
    return run(FUSED_KERNELS.crossEntropy, { probs, labels: oneHot }, { epsilon }) as tf.Scalar;
  }
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, epsilon, 1 - epsilon))), -1))) as tf.Scalar);
}
