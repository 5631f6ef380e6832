/**
 * The task model of the paper: [1x1 Conv2D adapter to 3 channels | channel repeat] (1-channel
 * input only) -> the zoo backbone in inference mode -> Flatten | GlobalAveragePooling -> Dense
 * softmax; genomes switch backbone layers between trainable and frozen.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors.js';
import { type InputShape, validateInputShape } from '../zoo/layers.js';
import { type ModelInfo, getModelInfo } from '../zoo/table.js';
import { type WeightSet, applyWeights, captureWeights } from '../weights/weight-set.js';
import { cutPoints, frozenPrefixLength, layersWithWeights, validateMask } from './genome.js';
import { preprocessImages } from './preprocess.js';

/** Head on top of the backbone. */
export type HeadKind = 'flatten' | 'gap';
/** How a 1-channel input becomes the backbone's 3 channels. */
export type AdapterKind = 'conv1x1' | 'repeat';

/** Options of {@link createTaskModel}. */
export interface TaskModelOptions {
  /** Zoo name, e.g. `mobilenet_v1_0.25` (see `MODEL_NAMES`). */
  model: string;
  /** Input images [height, width, channels]: height, width >= 32; channels 1 or 3. */
  inputShape: InputShape;
  /** Number of classes (integer >= 2). */
  classes: number;
  /** `flatten` (the authors' head, default) or `gap` (global average pooling). */
  head?: HeadKind;
  /** For 1-channel input: `conv1x1` (trainable 1x1 Conv2D to 3 channels, default) or `repeat`. Ignored for 3 channels. */
  adapter?: AdapterKind;
  /** Pretrained backbone weights (from `loadWeights`); without them the backbone is randomly initialised. */
  weights?: WeightSet;
  /** Initial genome (default: all layers trainable). */
  mask?: string;
  /** Seed of the adapter's and head's initialisers (default: unseeded). */
  seed?: number;
}

/** Trainable and total parameter counts, as Keras counts weights. */
export interface ParamCounts {
  /** Sum of the sizes of all weights (trainable and not). */
  total: number;
  /** Sum of the sizes of the trainable weights (moving BN statistics are never trainable). */
  trainable: number;
}

/** A task model and what a trainer needs to drive it. */
export interface TaskModel {
  /** The zoo row. */
  info: ModelInfo;
  /**
   * The whole model, flat (the backbone's layers sit directly in it): [N, H, W, C] ->
   * softmax [N, classes]. Its input layer is the backbone's `input_1`. Recompile (or re-collect
   * `trainableWeights`) after {@link TaskModel.applyGenome}.
   */
  model: tf.LayersModel;
  /** The backbone's layers in keras.applications order (`input_1` first): genome bit i is layer i. */
  backboneLayers: tf.layers.Layer[];
  /** Names of the backbone layers (genome order). */
  genomeLayers: string[];
  /** Names of the layers that always train: the adapter (if any), then the head's. */
  headLayers: string[];
  /** Names of the head layers in front of the backbone (the adapter; a trainable one rules out prefix reuse). */
  adapterLayers: string[];
  /** Per backbone layer: has any weights (trainable or not). */
  hasWeights: boolean[];
  /** Per backbone layer: has trainable weights when its bit is 1 (other genes change nothing: lock them). */
  tunable: boolean[];
  /** Genome length (= backbone layer count). */
  genomeLength: number;
  /** The adapter layer (1-channel input), else null. */
  adapter: tf.layers.Layer | null;
  /** Input shape of the task model. */
  inputShape: InputShape;
  /** Number of classes. */
  classes: number;
  /** The head used. */
  head: HeadKind;
  /** The adapter used, or null for 3-channel input. */
  adapterKind: AdapterKind | null;
  /** The pretrained weights the backbone is reset to, if any. */
  weights?: WeightSet;
  /** Clean prefix lengths of the backbone (see `cutPoints`). */
  cuts: number[];
  /** The current genome. */
  mask(): string;
  /** Sets layer i trainable iff bit i of `mask` is '1'; the adapter and head always train. */
  applyGenome(mask: string): void;
  /** Resets backbone to the pretrained weights (if any) and adapter/head to their initial values. */
  resetWeights(): void;
  /** Trainable/total parameter counts under the current genome. */
  countParams(): ParamCounts;
  /** Longest frozen prefix (layer count) of `mask` (default: the current one) ending at a cut; 0 with a conv1x1 adapter. */
  frozenPrefixLength(mask?: string): number;
  /** Images [N, h, w, C] in [0, 1] -> [N, H, W, C] in the backbone's input range. */
  preprocess(images: tf.Tensor4D): tf.Tensor4D;
  /** Frees every variable of the model. */
  dispose(): void;
}

type T = tf.SymbolicTensor;

/** Makes BatchNormalization and Dropout layers always run in inference mode (Keras' `training=False`). */
function forceInference(layer: tf.layers.Layer): void {
  const cls = layer.getClassName();
  // ReLU(max_value=6) runs relu then clip (two kernels, two gradients); relu6 is the same function in one.
  if (cls === 'ReLU' && (layer as unknown as { maxValue?: number }).maxValue === 6) {
    layer.call = (inputs) => tf.relu6(Array.isArray(inputs) ? inputs[0]! : inputs);
    return;
  }
  if (cls !== 'BatchNormalization' && cls !== 'Dropout') return;
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
}

function sizeOf(v: tf.LayerVariable): number {
  return (v.shape as number[]).reduce((a, b) => a * b, 1);
}

/** Builds the task model of a zoo backbone (see {@link TaskModelOptions}). */
export function createTaskModel(options: TaskModelOptions): TaskModel {
  const info = getModelInfo(options.model);
  const inputShape = validateInputShape(options.inputShape);
  const { classes } = options;
  if (!Number.isInteger(classes) || classes < 2) throw new InvalidOptionError('classes', classes, 'an integer >= 2');
  const head = options.head ?? 'flatten';
  if (head !== 'flatten' && head !== 'gap') throw new InvalidOptionError('head', head, "'flatten' or 'gap'");
  const adapterOpt = options.adapter ?? 'conv1x1';
  if (adapterOpt !== 'conv1x1' && adapterOpt !== 'repeat') throw new InvalidOptionError('adapter', adapterOpt, "'conv1x1' or 'repeat'");
  const seed = options.seed;
  const init = (s: number | undefined) => tf.initializers.glorotUniform(s === undefined ? {} : { seed: s });

  const input = tf.input({ shape: inputShape, name: 'input_1' });
  let x: T = input;
  let adapter: tf.layers.Layer | null = null;
  const adapterKind = inputShape[2] === 1 ? adapterOpt : null;
  if (adapterKind === 'conv1x1') {
    adapter = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'adapter_conv1x1', kernelInitializer: init(seed) });
    x = adapter.apply(x) as T;
  } else if (adapterKind === 'repeat') {
    adapter = tf.layers.concatenate({ axis: -1, name: 'adapter_repeat' });
    x = adapter.apply([x, x, x]) as T;
  }
  x = info.graph(x);
  const pool = head === 'flatten' ? tf.layers.flatten({ name: 'head_flatten' }) : tf.layers.globalAveragePooling2d({ name: 'head_gap' });
  const dense = tf.layers.dense({
    units: classes,
    activation: 'softmax',
    name: 'head_dense',
    kernelInitializer: init(seed === undefined ? undefined : seed + 1),
  });
  const output = dense.apply(pool.apply(x)) as T;
  const model = tf.model({ inputs: input, outputs: output, name: `task_${info.name}` });

  const ownLayers = [...(adapter ? [adapter] : []), pool, dense];
  const backboneLayers = model.layers.filter((l) => !ownLayers.includes(l));
  backboneLayers.forEach(forceInference);
  const genomeLength = backboneLayers.length;
  const initialHead = captureWeights(ownLayers, 'initial head');
  if (options.weights) applyWeights(backboneLayers, options.weights);
  const cuts = cutPoints(backboneLayers);
  let current = '1'.repeat(genomeLength);

  const task: TaskModel = {
    info,
    model,
    backboneLayers,
    genomeLayers: backboneLayers.map((l) => l.name),
    headLayers: ownLayers.map((l) => l.name),
    adapterLayers: adapter ? [adapter.name] : [],
    hasWeights: layersWithWeights(backboneLayers),
    tunable: backboneLayers.map((l) => l.trainableWeights.length > 0),
    genomeLength,
    adapter,
    inputShape,
    classes,
    head,
    adapterKind,
    weights: options.weights,
    cuts,
    mask: () => current,
    applyGenome(mask: string) {
      validateMask(mask, genomeLength);
      backboneLayers.forEach((layer, i) => {
        layer.trainable = mask[i] === '1';
      });
      for (const l of ownLayers) l.trainable = true;
      current = mask;
    },
    resetWeights() {
      if (options.weights) applyWeights(backboneLayers, options.weights);
      applyWeights(ownLayers, initialHead);
    },
    countParams() {
      const total = model.weights.reduce((s, v) => s + sizeOf(v), 0);
      const trainable = model.trainableWeights.reduce((s, v) => s + sizeOf(v), 0);
      return { total, trainable };
    },
    frozenPrefixLength(mask?: string) {
      const m = validateMask(mask ?? current, genomeLength);
      // A trainable adapter in front of the backbone changes the prefix's input: nothing to reuse.
      return adapterKind === 'conv1x1' ? 0 : frozenPrefixLength(m, cuts);
    },
    preprocess: (images) => preprocessImages(images, [inputShape[0], inputShape[1]], info.inputRange),
    dispose: () => model.dispose(),
  };
  task.applyGenome(options.mask ?? current);
  return task;
}
