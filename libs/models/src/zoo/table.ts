/**
 * The model zoo as a data table (in the style of tfjs-models): name -> builder, genome length,
 * official weights URL where one exists, and the input range the backbone expects.
 */
import type * as tf from '@tensorflow/tfjs';
import { UnknownModelError } from '../errors.js';
import type { InputShape } from './layers.js';
import { buildMobileNetV1, mobileNetV1Graph } from './mobilenet.js';
import { buildVgg16, vgg16Graph } from './vgg16.js';
import { buildResNet50, resNet50Graph } from './resnet50.js';
import { buildEfficientNetB0, efficientNetB0Graph } from './efficientnet.js';

/**
 * How a backbone expects its input (keras.applications' `preprocess_input` modes):
 * - `tf`: RGB scaled to [-1, 1] (MobileNet),
 * - `caffe`: BGR in [0, 255] minus the ImageNet channel means (VGG16, ResNet50),
 * - `raw255`: RGB in [0, 255], the model rescales and normalises itself (EfficientNet).
 */
export type InputRange = 'tf' | 'caffe' | 'raw255';

/** One official weights file of a zoo model (keras.applications' `.h5`, or a tfjs layers model). */
export interface WeightsFile {
  /** `keras-h5`: a Keras 2 `save_weights` HDF5 file; `tfjs`: a TensorFlow.js `model.json` (+ shards beside it). */
  format: 'keras-h5' | 'tfjs';
  /** Where it is published. */
  url: string;
  /** md5 (hex) that keras.applications checks (`file_hash`), where it publishes one. */
  md5?: string;
}

/** One row of the zoo. */
export interface ModelInfo {
  /** The zoo name, e.g. `mobilenet_v1_0.25`. */
  name: string;
  /** Family, e.g. `MobileNetV1`. */
  family: 'MobileNetV1' | 'VGG16' | 'ResNet50' | 'EfficientNetB0';
  /** Human description. */
  description: string;
  /** Builds the backbone (include_top=False) for an input shape. */
  builder: (inputShape: InputShape) => tf.LayersModel;
  /** Applies fresh backbone layers (all but the InputLayer) to a symbolic NHWC tensor; returns the output. */
  graph: (input: tf.SymbolicTensor) => tf.SymbolicTensor;
  /** Number of layers as Keras counts `len(model.layers)` (InputLayer included) = genome length. */
  genomeLength: number;
  /**
   * Official ImageNet weights of the backbone without its top, in the order they are fetched when
   * the cache holds none (keras.applications' `_notop` / `_no_top` `.h5` first).
   */
  weightsFiles: readonly WeightsFile[];
  /** Official TensorFlow.js layers-format weights (model.json), if one exists (also in `weightsFiles`). */
  weightsUrl?: string;
  /** Input range the backbone expects (see {@link InputRange}). */
  inputRange: InputRange;
  /** Input size of the published ImageNet weights. */
  defaultSize: number;
}

const mobilenetUrl = (alpha: string): string =>
  `https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_${alpha}_224/model.json`;

/** keras.applications' base URL of its weights files (keras/src/applications/*.py). */
const KERAS_APPS = 'https://storage.googleapis.com/tensorflow/keras-applications';

/** keras.applications.MobileNet's file name part for an alpha (`mobilenet_2_5_224_tf_no_top.h5`). */
const MOBILENET_ALPHA_TEXT: Record<string, string> = { '1.0': '1_0', '0.75': '7_5', '0.50': '5_0', '0.25': '2_5' };

function mobilenet(alpha: number, suffix: string, alphaStr: string): ModelInfo {
  return {
    name: `mobilenet_v1${suffix}`,
    family: 'MobileNetV1',
    description: `MobileNet v1, alpha ${alphaStr}`,
    builder: (inputShape) => buildMobileNetV1({ inputShape, alpha }),
    graph: (input) => mobileNetV1Graph(input, alpha),
    genomeLength: 86,
    weightsFiles: [
      { format: 'keras-h5', url: `${KERAS_APPS}/mobilenet/mobilenet_${MOBILENET_ALPHA_TEXT[alphaStr]}_224_tf_no_top.h5` },
      { format: 'tfjs', url: mobilenetUrl(alphaStr) },
    ],
    weightsUrl: mobilenetUrl(alphaStr),
    inputRange: 'tf',
    defaultSize: 224,
  };
}

/** The zoo, by name. */
export const MODEL_INFO: Readonly<Record<string, ModelInfo>> = Object.freeze({
  mobilenet_v1: mobilenet(1.0, '', '1.0'),
  'mobilenet_v1_0.75': mobilenet(0.75, '_0.75', '0.75'),
  'mobilenet_v1_0.5': mobilenet(0.5, '_0.5', '0.50'),
  'mobilenet_v1_0.25': mobilenet(0.25, '_0.25', '0.25'),
  vgg16: {
    name: 'vgg16',
    family: 'VGG16',
    description: 'VGG16 (convolutional part)',
    builder: (inputShape: InputShape) => buildVgg16({ inputShape }),
    graph: vgg16Graph,
    genomeLength: 19,
    weightsFiles: [
      { format: 'keras-h5', url: `${KERAS_APPS}/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`, md5: '6d6bbae143d832006294945121d1f1fc' },
    ],
    inputRange: 'caffe',
    defaultSize: 224,
  },
  resnet50: {
    name: 'resnet50',
    family: 'ResNet50',
    description: 'ResNet50 v1',
    builder: (inputShape: InputShape) => buildResNet50({ inputShape }),
    graph: resNet50Graph,
    genomeLength: 175,
    weightsFiles: [
      { format: 'keras-h5', url: `${KERAS_APPS}/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`, md5: '4d473c1dd8becc155b73f8504c6f6626' },
    ],
    inputRange: 'caffe',
    defaultSize: 224,
  },
  efficientnet_b0: {
    name: 'efficientnet_b0',
    family: 'EfficientNetB0',
    description: 'EfficientNetB0 (Rescaling + Normalization stem)',
    builder: (inputShape: InputShape) => buildEfficientNetB0({ inputShape }),
    graph: efficientNetB0Graph,
    genomeLength: 237,
    // keras.applications.efficientnet uses another bucket path (no `tensorflow/`).
    weightsFiles: [{ format: 'keras-h5', url: 'https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5', md5: '50bc09e76180e00e4465e1a485ddc09d' }],
    inputRange: 'raw255',
    defaultSize: 224,
  },
} satisfies Record<string, ModelInfo>);

/** The zoo's names, in table order. */
export const MODEL_NAMES: readonly string[] = Object.freeze(Object.keys(MODEL_INFO));

/** The zoo row of `name`; throws {@link UnknownModelError} (listing the valid names) otherwise. */
export function getModelInfo(name: string): ModelInfo {
  if (!Object.prototype.hasOwnProperty.call(MODEL_INFO, name)) throw new UnknownModelError(name, MODEL_NAMES);
  return MODEL_INFO[name];
}

/** Builds the backbone of zoo model `name` (include_top=False) for `inputShape`. */
export function buildBackbone(name: string, inputShape: InputShape): tf.LayersModel {
  return getModelInfo(name).builder(inputShape);
}
