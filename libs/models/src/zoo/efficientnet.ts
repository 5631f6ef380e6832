/**
 * EfficientNetB0 as keras.applications.EfficientNetB0(include_top=False) of TF 2.3-2.9 (one
 * Rescaling, one Normalization in the stem): 237 layers.
 */
import * as tf from '@tensorflow/tfjs';
import { type BuildOptions, Normalization, correctPad, validateInputShape, weighted } from './layers.js';

type T = tf.SymbolicTensor;

interface BlockArgs {
  kernel: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expandRatio: number;
  stride: 1 | 2;
  seRatio: number;
}

/** keras.applications.efficientnet DEFAULT_BLOCKS_ARGS (id_skip is always true). */
const BLOCKS: BlockArgs[] = [
  { kernel: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, stride: 1, seRatio: 0.25 },
  { kernel: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, stride: 2, seRatio: 0.25 },
  { kernel: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, stride: 2, seRatio: 0.25 },
  { kernel: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, stride: 2, seRatio: 0.25 },
  { kernel: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, stride: 1, seRatio: 0.25 },
  { kernel: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, stride: 2, seRatio: 0.25 },
  { kernel: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, stride: 1, seRatio: 0.25 },
];

const DROP_CONNECT_RATE = 0.2;

function bn(x: T, name: string): T {
  return tf.layers.batchNormalization({ axis: -1, name }).apply(x) as T;
}

function act(x: T, activation: 'swish' | 'sigmoid', name: string): T {
  return tf.layers.activation({ activation, name }).apply(x) as T;
}

function conv1x1(x: T, filters: number, name: string, useBias = false, activation?: 'swish' | 'sigmoid'): T {
  return weighted(tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias, activation, name })).apply(x) as T;
}

/** keras.applications.efficientnet.block: an inverted residual block with squeeze-excite. */
function block(inputs: T, dropRate: number, name: string, a: Omit<BlockArgs, 'repeats'>): T {
  const filters = a.filtersIn * a.expandRatio;
  let x = inputs;
  if (a.expandRatio !== 1) {
    x = conv1x1(x, filters, `${name}expand_conv`);
    x = act(bn(x, `${name}expand_bn`), 'swish', `${name}expand_activation`);
  }
  if (a.stride === 2) {
    x = tf.layers.zeroPadding2d({ padding: correctPad(x, a.kernel), name: `${name}dwconv_pad` }).apply(x) as T;
  }
  x = weighted(tf.layers.depthwiseConv2d({ kernelSize: a.kernel, strides: a.stride, padding: a.stride === 2 ? 'valid' : 'same', useBias: false, name: `${name}dwconv` }))
    .apply(x) as T;
  x = act(bn(x, `${name}bn`), 'swish', `${name}activation`);
  if (a.seRatio > 0 && a.seRatio <= 1) {
    const filtersSe = Math.max(1, Math.trunc(a.filtersIn * a.seRatio));
    let se = tf.layers.globalAveragePooling2d({ name: `${name}se_squeeze` }).apply(x) as T;
    se = tf.layers.reshape({ targetShape: [1, 1, filters], name: `${name}se_reshape` }).apply(se) as T;
    se = conv1x1(se, filtersSe, `${name}se_reduce`, true, 'swish');
    se = conv1x1(se, filters, `${name}se_expand`, true, 'sigmoid');
    x = tf.layers.multiply({ name: `${name}se_excite` }).apply([x, se]) as T;
  }
  x = conv1x1(x, a.filtersOut, `${name}project_conv`);
  x = bn(x, `${name}project_bn`);
  if (a.stride === 1 && a.filtersIn === a.filtersOut) {
    if (dropRate > 0) {
      x = tf.layers.dropout({ rate: dropRate, noiseShape: [null, 1, 1, 1] as unknown as number[], name: `${name}drop` }).apply(x) as T;
    }
    x = tf.layers.add({ name: `${name}add` }).apply([x, inputs]) as T;
  }
  return x;
}

/** Builds EfficientNetB0 without its top, with keras.applications' layer names, order and padding. */
export function buildEfficientNetB0(options: BuildOptions): tf.LayersModel {
  const inputShape = validateInputShape(options.inputShape);
  const input = tf.input({ shape: inputShape, name: 'input_1' });
  return tf.model({ inputs: input, outputs: efficientNetB0Graph(input), name: 'efficientnetb0' });
}

/** Applies new EfficientNetB0 layers (everything after the InputLayer) to `input`; returns the output. */
export function efficientNetB0Graph(input: T): T {
  let x = tf.layers.rescaling({ scale: 1 / 255, name: 'rescaling' }).apply(input) as T;
  x = new Normalization({ name: 'normalization' }).apply(x) as T;
  x = tf.layers.zeroPadding2d({ padding: correctPad(x, 3), name: 'stem_conv_pad' }).apply(x) as T;
  x = weighted(tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'stem_conv' })).apply(x) as T;
  x = act(bn(x, 'stem_bn'), 'swish', 'stem_activation');
  const total = BLOCKS.reduce((s, b) => s + b.repeats, 0);
  let b = 0;
  BLOCKS.forEach((args, i) => {
    for (let j = 0; j < args.repeats; j++) {
      const a = j === 0 ? args : { ...args, stride: 1 as const, filtersIn: args.filtersOut };
      x = block(x, (DROP_CONNECT_RATE * b) / total, `block${i + 1}${String.fromCharCode(97 + j)}_`, a);
      b++;
    }
  });
  x = conv1x1(x, 1280, 'top_conv');
  return act(bn(x, 'top_bn'), 'swish', 'top_activation');
}
