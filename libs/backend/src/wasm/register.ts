import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilter, conv2DBackpropInput } from './conv2d-grads.js';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwise-grads.js';

/** The kernels slt registers for the 'wasm' backend, by tfjs kernel name. */
export const WASM_GRADIENT_KERNELS: readonly string[] = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
];

const impls: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
};
void conv2DBackpropInput;

/** Whether `kernelName` on 'wasm' is currently slt's implementation. */
function isOurs(kernelName: string): boolean {
  return tf.getKernel(kernelName, 'wasm')?.kernelFunc === impls[kernelName];
}

/**
 * Registers slt's backward kernels for the 'wasm' backend on the shared `@tensorflow/tfjs`
 * instance (idempotent; safe before or after the wasm backend is initialised). Returns the kernel
 * names it registered on this call (empty when all were already in place).
 */
export function registerWasmGradients(): string[] {
  const added: string[] = [];
  for (const kernelName of WASM_GRADIENT_KERNELS) {
    if (isOurs(kernelName)) continue;
    if (tf.getKernel(kernelName, 'wasm') != null) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: impls[kernelName] });
    added.push(kernelName);
  }
  return added;
}
