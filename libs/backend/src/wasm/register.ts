import * as tf from '@tensorflow/tfjs';
import { BN_ACTIVATION_KERNELS, batchNormActivation, batchNormActivationGrad, makeFastBatchNorm } from './batchnorm.js';
import { makeFastSum, makeFastTile } from './broadcast.js';
import { conv2DBackpropFilter, conv2DBackpropInput } from './conv2d-grads.js';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwise-grads.js';
import { makeFastConcat, makeFastPad, makeFastSlice, makeSharedIdentity } from './heap.js';
import { makeFastConv1x1, makeFastMatMul } from './matmul.js';
import { maxPoolGrad } from './pool-grads.js';
import { makeFastTranspose } from './transpose.js';

/** The backward kernels the wasm backend lacks, which slt provides. */
export const WASM_GRADIENT_KERNELS: readonly string[] = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
];

/** Kernels of slt's own on wasm: an inference-mode BatchNorm with its ReLU or ReLU6 as one kernel, and its gradient. */
export const WASM_SLT_KERNELS: readonly string[] = [BN_ACTIVATION_KERNELS.forward, BN_ACTIVATION_KERNELS.grad];

/**
 * Kernels the wasm backend has but that slt replaces: Conv2DBackpropInput (slow; here a forward
 * conv2d of the dilated dy), MaxPoolGrad (wrong for some shapes; here exact, first maximum wins as on
 * cpu), Tile and Sum (fast paths for the broadcast and the leading-axes reduction the BatchNorm
 * and bias gradients ask for; other cases still run the original) Slice (copied inside the
 * wasm heap; the padding gradient is a slice) and Identity (shares memory instead of copying: the
 * engine clones every tensor it saves for a gradient), and FusedBatchNorm (slt's SIMD kernel over
 * the heap, wasm/simd; the backend's own computes an index modulo per element) and Transpose
 * (batched matrix transposes as slt's blocked wasm kernel; other permutations run the original) and
 * PadV2 (a fill and one heap copy per contiguous run) and Concat (heap copies; a plain loop for
 * short runs, where the backend's own makes a subarray per value) and BatchMatMul (single products
 * as slt's SIMD gemm over the heap: the backend's own packs a copy of B on every call for a B it has
 * not seen, and loops in scalar code when a side is transposed).
 */
export const WASM_REPLACED_KERNELS: readonly string[] = ['Conv2DBackpropInput', 'MaxPoolGrad', 'Tile', 'Sum', 'Slice', 'Identity', 'FusedBatchNorm', 'Transpose', 'PadV2', 'Concat', 'BatchMatMul', 'FusedConv2D'];

const impls: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
  Conv2DBackpropInput: conv2DBackpropInput as unknown as tf.KernelFunc,
  MaxPoolGrad: maxPoolGrad as unknown as tf.KernelFunc,
  [BN_ACTIVATION_KERNELS.forward]: batchNormActivation as unknown as tf.KernelFunc,
  [BN_ACTIVATION_KERNELS.grad]: batchNormActivationGrad as unknown as tf.KernelFunc,
};
const ours = new Set<tf.KernelFunc>(Object.values(impls));

function install(kernelName: string, kernelFunc: tf.KernelFunc, setupFunc?: tf.KernelSetupFunc): void {
  if (tf.getKernel(kernelName, 'wasm') != null) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc ? { setupFunc } : {}) });
  ours.add(kernelFunc);
}

/**
 * Registers slt's backward kernels for the 'wasm' backend on the shared `@tensorflow/tfjs`
 * instance ({@link WASM_GRADIENT_KERNELS}, plus the faster {@link WASM_REPLACED_KERNELS}).
 * Idempotent; safe before or after the wasm backend is initialised. Call it after importing
 * `@tensorflow/tfjs-backend-wasm` ({@link selectBackend} does): before, only the missing kernels
 * can be registered and the replacements are skipped. Returns the kernel
 * names it registered on this call (empty when all were already in place).
 */
export function registerWasmGradients(): string[] {
  const added: string[] = [];
  // Replacements only once the wasm package has registered its own kernels (else its later
  // registration would override ours); the missing gradients can go in at any time.
  const wasmLoaded = tf.getKernel('Tile', 'wasm') != null;
  for (const kernelName of [...WASM_GRADIENT_KERNELS, ...WASM_SLT_KERNELS, ...(wasmLoaded ? ['Conv2DBackpropInput', 'MaxPoolGrad'] : [])]) {
    if (tf.getKernel(kernelName, 'wasm')?.kernelFunc === impls[kernelName]) continue;
    install(kernelName, impls[kernelName]);
    added.push(kernelName);
  }
  for (const [name, wrap] of [['Tile', makeFastTile], ['Sum', makeFastSum], ['Slice', makeFastSlice], ['Identity', makeSharedIdentity], ['FusedBatchNorm', makeFastBatchNorm], ['Transpose', makeFastTranspose], ['PadV2', makeFastPad], ['Concat', makeFastConcat], ['BatchMatMul', makeFastMatMul], ['FusedConv2D', makeFastConv1x1]] as const) {
    const k = tf.getKernel(name, 'wasm');
    if (k != null && !ours.has(k.kernelFunc)) {
      install(name, wrap(k.kernelFunc), k.setupFunc);
      added.push(name);
    }
  }
  return added;
}
