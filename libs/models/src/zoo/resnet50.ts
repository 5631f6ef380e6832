/** ResNet50 (v1) as keras.applications.ResNet50(include_top=False): 175 layers. */
import * as tf from '@tensorflow/tfjs';
import { type BuildOptions, validateInputShape, weighted } from './layers.js';

type T = tf.SymbolicTensor;
const EPS = 1.001e-5;

function bn(x: T, name: string): T {
  return tf.layers.batchNormalization({ axis: -1, epsilon: EPS, name }).apply(x) as T;
}

function relu(x: T, name: string): T {
  return tf.layers.activation({ activation: 'relu', name }).apply(x) as T;
}

function conv(x: T, filters: number, kernel: number, stride: number, name: string, padding: 'same' | 'valid' = 'valid'): T {
  return weighted(tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding, name })).apply(x) as T;
}

/** keras.applications.resnet.block1: a bottleneck residual block. */
function block1(x: T, filters: number, stride: number, convShortcut: boolean, name: string): T {
  let shortcut = x;
  if (convShortcut) {
    shortcut = conv(x, 4 * filters, 1, stride, `${name}_0_conv`);
    shortcut = bn(shortcut, `${name}_0_bn`);
  }
  let y = conv(x, filters, 1, stride, `${name}_1_conv`);
  y = relu(bn(y, `${name}_1_bn`), `${name}_1_relu`);
  y = conv(y, filters, 3, 1, `${name}_2_conv`, 'same');
  y = relu(bn(y, `${name}_2_bn`), `${name}_2_relu`);
  y = conv(y, 4 * filters, 1, 1, `${name}_3_conv`);
  y = bn(y, `${name}_3_bn`);
  y = tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as T;
  return relu(y, `${name}_out`);
}

/** keras.applications.resnet.stack1. */
function stack1(x: T, filters: number, blocks: number, stride: number, name: string): T {
  x = block1(x, filters, stride, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) x = block1(x, filters, 1, false, `${name}_block${i}`);
  return x;
}

/** Builds ResNet50 without its top, with keras.applications' layer names, order and padding. */
export function buildResNet50(options: BuildOptions): tf.LayersModel {
  const inputShape = validateInputShape(options.inputShape);
  const input = tf.input({ shape: inputShape, name: 'input_1' });
  return tf.model({ inputs: input, outputs: resNet50Graph(input), name: 'resnet50' });
}

/** Applies new ResNet50 layers (everything after the InputLayer) to `input`; returns the output. */
export function resNet50Graph(input: T): T {
  let x = tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }).apply(input) as T;
  x = conv(x, 64, 7, 2, 'conv1_conv');
  x = relu(bn(x, 'conv1_bn'), 'conv1_relu');
  x = tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }).apply(x) as T;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }).apply(x) as T;
  x = stack1(x, 64, 3, 1, 'conv2');
  x = stack1(x, 128, 4, 2, 'conv3');
  x = stack1(x, 256, 6, 2, 'conv4');
  return stack1(x, 512, 3, 2, 'conv5');
}
