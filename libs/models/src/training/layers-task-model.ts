import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TrainingInputError } from './errors.js';
import { type AdapterKind, type HeadKind, buildTaskGraph, forceInference } from '../task/task-model.js';
import { type InputShape, validateInputShape } from '../zoo/layers.js';
import { modelNodes, reapply } from './graph.js';
import type { TrainableTaskModel } from './types.js';

/** Options of {@link layersTaskModel} (plain JSON, so a pool worker can rebuild the same model). */
export interface LayersTaskModelOptions {
  /** A tfjs layers model: its model.json, or the folder holding it (shards beside it). */
  modelPath: string;
  /** Last backbone layer (the cut); e.g. 'conv_pw_13_relu' for MobileNet v1. */
  cutAt: string;
  /** Task input [H, W, C], C 1 or 3; H, W >= 32 (as `createTaskModel`). */
  inputShape: InputShape;
  /** Number of classes K (>= 2). */
  classes: number;
  /** How a 1-channel input reaches the 3-channel backbone (as `createTaskModel`). Default 'conv1x1'. */
  adapter?: AdapterKind;
  /** Head pooling (as `createTaskModel`). Default 'flatten'. */
  head?: HeadKind;
  /** Seed of the adapter's and head's initialisers (default: unseeded). */
  seed?: number;
  /** Backbone input range [lo, hi] that [0, 1] pixels are scaled to. Default [-1, 1] (MobileNet). */
  range?: [number, number];
}

const artifactCache = new Map<string, Promise<tf.io.ModelArtifacts>>();

async function readArtifacts(modelPath: string): Promise<tf.io.ModelArtifacts> {
  const file = modelPath.endsWith('.json') ? modelPath : path.join(modelPath, 'model.json');
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new TrainingInputError('modelPath', file, `a readable tfjs layers model.json (${(cause as Error).message})`);
  }
  const buffers: Buffer[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) buffers.push(await readFile(path.join(path.dirname(file), p)));
    weightSpecs.push(...group.weights);
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return { modelTopology: json.modelTopology, weightSpecs, weightData };
}

/**
 * Builds the task model around a tfjs layers model cut at a layer, with the same task layers as
 * `createTaskModel` (buildTaskGraph): [adapter] -> backbone (its layers re-applied to the task
 * input, so any size works) -> Flatten | GAP -> Dense softmax.
 * Files are read once per process and kept in memory; each call builds fresh weights from memory.
 */
export async function layersTaskModel(options: LayersTaskModelOptions): Promise<TrainableTaskModel> {
  const { modelPath, cutAt, classes, range = [-1, 1] } = options;
  const inputShape = validateInputShape(options.inputShape);
  const key = path.resolve(modelPath);
  if (!artifactCache.has(key)) artifactCache.set(key, readArtifacts(key));
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await artifactCache.get(key)!;
  } catch (e) {
    artifactCache.delete(key);
    throw e;
  }
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const names = loaded.layers.map((l) => l.name);
  if (!names.includes(cutAt)) {
    loaded.dispose();
    throw new TrainingInputError('cutAt', cutAt, `a layer of ${modelPath}: ${names.slice(-8).join(', ')} ...`);
  }
  const backbone = tf.model({ inputs: loaded.inputs, outputs: loaded.getLayer(cutAt).output as tf.SymbolicTensor });
  const genomeLayers = backbone.layers.map((l) => l.name);
  backbone.layers.forEach(forceInference);
  const x = tf.input({ shape: inputShape, name: 'task_input' });
  const backboneGraph = (feed: tf.SymbolicTensor): tf.SymbolicTensor =>
    reapply(modelNodes(backbone), new Map([[backbone.inputs[0]!, feed]])).get(backbone.outputs[0]!)!;
  const g = buildTaskGraph({ input: x, backbone: backboneGraph, classes, head: options.head, adapter: options.adapter, seed: options.seed });
  const model = tf.model({ inputs: x, outputs: g.output });
  const headLayers = g.trainable.map((l) => l.name);
  const [lo, hi] = range;
  return {
    model,
    genomeLayers,
    headLayers,
    adapterLayers: g.adapter && g.trainable.includes(g.adapter) ? [g.adapter.name] : [],
    preprocess: (img) => tf.tidy(() => tf.add(tf.mul(img, hi - lo), lo) as tf.Tensor4D),
    dispose: () => {
      model.dispose();
      loaded.dispose();
    },
  };
}
