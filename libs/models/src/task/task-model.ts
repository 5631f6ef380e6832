/**
 * The task model of the paper: [1x1 Conv2D adapter to 3 channels | channel repeat | frozen 1x1
 * Conv2D] (1-channel input only) -> the zoo backbone in inference mode -> Flatten | GlobalAveragePooling -> Dense
 * softmax; genomes switch backbone layers between trainable and frozen.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors.js';
import { type InputShape, validateInputShape, withWeightsToFollow } from '../zoo/layers.js';
import { type ModelInfo, getModelInfo } from '../zoo/table.js';
import { type WeightSet, applyWeights } from '../weights/weight-set.js';
import { layersWithWeights, validateMask } from './genome.js';
import { preprocessImages } from './preprocess.js';

/** Head on top of the backbone. */
export type HeadKind = 'flatten' | 'gap';
/**
 * How a 1-channel input becomes the backbone's 3 channels: `conv1x1` (a trainable 1x1 Conv2D, the
 * paper's), `repeat` (the channel repeated, no weights) or `conv1x1-frozen` (a 1x1 Conv2D
 * initialised as a channel repeat and never trained: the paper's layer, prefix reuse allowed).
 */
export type AdapterKind = 'conv1x1' | 'repeat' | 'conv1x1-frozen';
/** Every {@link AdapterKind}, the default first. */
export const ADAPTER_KINDS: readonly AdapterKind[] = ['conv1x1', 'repeat', 'conv1x1-frozen'];
/** Every {@link HeadKind}, the default first. */
export const HEAD_KINDS: readonly HeadKind[] = ['flatten', 'gap'];

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
  /** For 1-channel input (see {@link AdapterKind}); default `conv1x1`. Ignored for 3 channels. */
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
  /** Names of the layers that always train: the adapter (unless frozen), then the head's. */
  headLayers: string[];
  /** Names of the head layers in front of the backbone (a trainable adapter; it rules out prefix reuse). */
  adapterLayers: string[];
  /** Per backbone layer: has any weights (a '1' on a layer without weights trains nothing). */
  hasWeights: boolean[];
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
  /** The current genome. */
  mask(): string;
  /** Sets layer i trainable iff bit i of `mask` is '1'; the adapter and head always train. */
  applyGenome(mask: string): void;
  /** Trainable/total parameter counts under the current genome. */
  countParams(): ParamCounts;
  /** Images [N, h, w, C] in [0, 1] -> [N, H, W, C] in the backbone's input range. */
  preprocess(images: tf.Tensor4D): tf.Tensor4D;
  /** Frees every variable of the model. */
  dispose(): void;
}

type T = tf.SymbolicTensor;

/** Makes BatchNormalization and Dropout layers always run in inference mode (Keras' `training=False`); ReLU6 as one kernel. */
export function forceInference(layer: tf.layers.Layer): void {
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

/** Keras-style parameter counts of `model`: every weight's size, and the trainable weights' only. */
export function countParams(model: tf.LayersModel): ParamCounts {
  const size = (v: tf.LayerVariable): number => (v.shape as number[]).reduce((a, b) => a * b, 1);
  return {
    total: model.weights.reduce((s, v) => s + size(v), 0),
    trainable: model.trainableWeights.reduce((s, v) => s + size(v), 0),
  };
}

/** What {@link buildTaskGraph} needs: the input, the backbone as a graph function, and the task options. */
export interface TaskGraphOptions {
  /** The task input (channels 1 or 3). */
  input: tf.SymbolicTensor;
  /** Applies the backbone's layers to a 3-channel (or the input's) symbolic tensor. */
  backbone: (x: tf.SymbolicTensor) => tf.SymbolicTensor;
  /** Number of classes (integer >= 2). */
  classes: number;
  /** Head (default `flatten`). */
  head?: HeadKind;
  /** Adapter for 1-channel input (default `conv1x1`). */
  adapter?: AdapterKind;
  /** Seed of the adapter's and head's initialisers. */
  seed?: number;
}

/** The task layers around a backbone (see {@link buildTaskGraph}). */
export interface TaskGraph {
  /** Softmax probabilities [N, classes]. */
  output: tf.SymbolicTensor;
  /** The adapter layer (1-channel input), else null. */
  adapter: tf.layers.Layer | null;
  /** The adapter used, or null for 3-channel input. */
  adapterKind: AdapterKind | null;
  /** Layers that always train: a trainable adapter, then the head's. */
  trainable: tf.layers.Layer[];
  /** Every layer this function added (adapter included, frozen or not). */
  own: tf.layers.Layer[];
  /** The head used. */
  head: HeadKind;
}

/**
 * The one place the task layers are built, for zoo backbones ({@link createTaskModel}) and tfjs
 * layers models (`layersTaskModel`): [adapter] -> backbone -> Flatten | GlobalAveragePooling -> Dense softmax.
 */
export function buildTaskGraph(options: TaskGraphOptions): TaskGraph {
  const { input, classes, seed } = options;
  if (!Number.isInteger(classes) || classes < 2) throw new InvalidOptionError('classes', classes, 'an integer >= 2');
  const head = options.head ?? 'flatten';
  if (!HEAD_KINDS.includes(head)) throw new InvalidOptionError('head', head, HEAD_KINDS.map((h) => `'${h}'`).join(' or '));
  const adapterOpt = options.adapter ?? 'conv1x1';
  if (!ADAPTER_KINDS.includes(adapterOpt)) throw new InvalidOptionError('adapter', adapterOpt, ADAPTER_KINDS.map((a) => `'${a}'`).join(', '));
  const init = (s: number | undefined) => tf.initializers.glorotUniform(s === undefined ? {} : { seed: s });
  let x: T = input;
  let adapter: tf.layers.Layer | null = null;
  const adapterKind = input.shape[3] === 1 ? adapterOpt : null;
  if (adapterKind === 'conv1x1') {
    adapter = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'adapter_conv1x1', kernelInitializer: init(seed) });
    x = adapter.apply(x) as T;
  } else if (adapterKind === 'conv1x1-frozen') {
    // a channel repeat as a 1x1 conv (kernel of ones, zero bias), never trained
    adapter = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'adapter_conv1x1_frozen', kernelInitializer: 'ones', trainable: false });
    x = adapter.apply(x) as T;
  } else if (adapterKind === 'repeat') {
    adapter = tf.layers.concatenate({ axis: -1, name: 'adapter_repeat' });
    x = adapter.apply([x, x, x]) as T;
  }
  x = options.backbone(x);
  const pool = head === 'flatten' ? tf.layers.flatten({ name: 'head_flatten' }) : tf.layers.globalAveragePooling2d({ name: 'head_gap' });
  const dense = tf.layers.dense({
    units: classes,
    activation: 'softmax',
    name: 'head_dense',
    kernelInitializer: init(seed === undefined ? undefined : seed + 1),
  });
  const output = dense.apply(pool.apply(x)) as T;
  const trainable = [...(adapter && adapterKind !== 'conv1x1-frozen' ? [adapter] : []), pool, dense];
  return { output, adapter, adapterKind, trainable, own: [...(adapter ? [adapter] : []), pool, dense], head };
}

/** Builds the task model of a zoo backbone (see {@link TaskModelOptions}). */
export function createTaskModel(options: TaskModelOptions): TaskModel {
  const info = getModelInfo(options.model);
  const inputShape = validateInputShape(options.inputShape);
  const { classes } = options;
  const input = tf.input({ shape: inputShape, name: 'input_1' });
  // With weights, the backbone's variables are written right below: no random init (the adapter's and head's stay seeded).
  const weights = options.weights;
  const backbone = weights ? (x: tf.SymbolicTensor) => withWeightsToFollow(() => info.graph(x)) : info.graph;
  const g = buildTaskGraph({ input, backbone, classes, head: options.head, adapter: options.adapter, seed: options.seed });
  const model = tf.model({ inputs: input, outputs: g.output, name: `task_${info.name}` });
  const backboneLayers = model.layers.filter((l) => !g.own.includes(l));
  backboneLayers.forEach(forceInference);
  const genomeLength = backboneLayers.length;
  if (weights) applyWeights(backboneLayers, weights);
  const headLayers = g.trainable;
  let current = '1'.repeat(genomeLength);
  const task: TaskModel = {
    info,
    model,
    backboneLayers,
    genomeLayers: backboneLayers.map((l) => l.name),
    headLayers: headLayers.map((l) => l.name),
    adapterLayers: g.adapter && headLayers.includes(g.adapter) ? [g.adapter.name] : [],
    hasWeights: layersWithWeights(backboneLayers),
    genomeLength,
    adapter: g.adapter,
    inputShape,
    classes,
    head: g.head,
    adapterKind: g.adapterKind,
    weights: options.weights,
    mask: () => current,
    applyGenome(mask: string) {
      validateMask(mask, genomeLength);
      backboneLayers.forEach((layer, i) => {
        layer.trainable = mask[i] === '1';
      });
      for (const l of headLayers) l.trainable = true;
      current = mask;
    },
    countParams: () => countParams(model),
    preprocess: (images) => preprocessImages(images, [inputShape[0], inputShape[1]], info.inputRange),
    dispose: () => model.dispose(),
  };
  task.applyGenome(options.mask ?? current);
  return task;
}
