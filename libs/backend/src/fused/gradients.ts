/**
 * Gradients of tfjs kernels re-registered to run slt's fused kernels: Relu, Relu6 and ClipByValue
 * (one masked-gradient kernel instead of four to five), FusedBatchNorm (one kernel for the input,
 * scale and offset gradients, when mean and variance are constants as in inference mode)
 * and Softmax (one kernel instead of four). Where the fused kernels are off ({@link setFusedKernels})
 * or missing on the active backend (e.g. 'tensorflow'), tfjs' own gradient runs.
 */
import * as tf from '@tensorflow/tfjs';
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
    crossEntropyGradient();
    if (installSharedSaves()) added.push('shared saved tensors');
    added.push(...[...originals.keys()].map((k) => `${k} gradient`), `${FUSED_KERNELS.crossEntropy} gradient`);
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
