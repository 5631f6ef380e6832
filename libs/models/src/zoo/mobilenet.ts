/** MobileNet v1 as keras.applications.MobileNet(include_top=False): 86 layers. */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors.js';
import { type BuildOptions, validateInputShape, weighted } from './layers.js';

/** Options of {@link buildMobileNetV1}. */
export interface MobileNetV1Options extends BuildOptions {
  /** Width multiplier: 0.25, 0.5, 0.75 or 1.0. */
  alpha: number;
}

/** The width multipliers keras.applications (and tfjs-models) publish weights for. */
export const MOBILENET_ALPHAS = [0.25, 0.5, 0.75, 1.0] as const;

type T = tf.SymbolicTensor;

function convBlock(x: T, filters: number): T {
  x = weighted(tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' })).apply(x) as T;
  x = tf.layers.batchNormalization({ axis: -1, name: 'conv1_bn' }).apply(x) as T;
  return tf.layers.reLU({ maxValue: 6, name: 'conv1_relu' }).apply(x) as T;
}

function depthwiseBlock(x: T, pointwiseFilters: number, stride: 1 | 2, id: number): T {
  if (stride === 2) {
    x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `conv_pad_${id}` }).apply(x) as T;
  }
  x = weighted(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 1 ? 'same' : 'valid', depthMultiplier: 1, useBias: false, name: `conv_dw_${id}` }))
    .apply(x) as T;
  x = tf.layers.batchNormalization({ axis: -1, name: `conv_dw_${id}_bn` }).apply(x) as T;
  x = tf.layers.reLU({ maxValue: 6, name: `conv_dw_${id}_relu` }).apply(x) as T;
  x = weighted(tf.layers.conv2d({ filters: pointwiseFilters, kernelSize: 1, strides: 1, padding: 'same', useBias: false, name: `conv_pw_${id}` })).apply(x) as T;
  x = tf.layers.batchNormalization({ axis: -1, name: `conv_pw_${id}_bn` }).apply(x) as T;
  return tf.layers.reLU({ maxValue: 6, name: `conv_pw_${id}_relu` }).apply(x) as T;
}

/** [pointwise filters, stride] of blocks 1..13. */
const BLOCKS: [number, 1 | 2][] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

function validateAlpha(alpha: number): void {
  if (!MOBILENET_ALPHAS.includes(alpha as (typeof MOBILENET_ALPHAS)[number])) {
    throw new InvalidOptionError('alpha', alpha, `one of ${MOBILENET_ALPHAS.join(', ')}`);
  }
}

/** Builds MobileNet v1 without its top, with keras.applications' layer names, order and padding. */
export function buildMobileNetV1(options: MobileNetV1Options): tf.LayersModel {
  const inputShape = validateInputShape(options.inputShape);
  validateAlpha(options.alpha);
  const input = tf.input({ shape: inputShape, name: 'input_1' });
  return tf.model({ inputs: input, outputs: mobileNetV1Graph(input, options.alpha), name: `mobilenet_${options.alpha.toFixed(2)}_${inputShape[0]}` });
}

/** Applies new MobileNet v1 layers (everything after the InputLayer) to `input`; returns the output. */
export function mobileNetV1Graph(input: T, alpha: number): T {
  validateAlpha(alpha);
  let x = convBlock(input, Math.trunc(32 * alpha));
  BLOCKS.forEach(([filters, stride], i) => {
    x = depthwiseBlock(x, Math.trunc(filters * alpha), stride, i + 1);
  });
  return x;
}
