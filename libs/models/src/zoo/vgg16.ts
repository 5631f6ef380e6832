/** VGG16 as keras.applications.VGG16(include_top=False): 19 layers. */
import * as tf from '@tensorflow/tfjs';
import { type BuildOptions, validateInputShape, weighted } from './layers.js';

type T = tf.SymbolicTensor;

/** [filters, convolutions] of blocks 1..5. */
const BLOCKS: [number, number][] = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];

/** Builds VGG16 without its top, with keras.applications' layer names and order. */
export function buildVgg16(options: BuildOptions): tf.LayersModel {
  const inputShape = validateInputShape(options.inputShape);
  const input = tf.input({ shape: inputShape, name: 'input_1' });
  return tf.model({ inputs: input, outputs: vgg16Graph(input), name: 'vgg16' });
}

/** Applies new VGG16 layers (everything after the InputLayer) to `input`; returns the output. */
export function vgg16Graph(input: T): T {
  let x: T = input;
  BLOCKS.forEach(([filters, convs], b) => {
    for (let c = 1; c <= convs; c++) {
      x = weighted(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name: `block${b + 1}_conv${c}` }))
        .apply(x) as T;
    }
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x) as T;
  });
  return x;
}
