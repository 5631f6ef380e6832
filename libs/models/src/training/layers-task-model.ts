import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TrainingInputError } from './errors.js';
import { modelNodes, reapply } from './graph.js';
import type { TrainableTaskModel } from './types.js';

/** Options of {@link layersTaskModel} (plain JSON, so a pool worker can rebuild the same model). */
export interface LayersTaskModelOptions {
  /** A tfjs layers model: its model.json, or the folder holding it (shards beside it). */
  modelPath: string;
  /** Last backbone layer (the cut); e.g. 'conv_pw_13_relu' for MobileNet v1. */
  cutAt: string;
  /** Task input [H, W, C], C 1 or 3; H, W >= 32. */
  input: [number, number, number];
  /** Number of classes K (>= 2). */
  classes: number;
  /** How a 1-channel input reaches the 3-channel backbone: a trainable 1x1 conv ('conv', the paper's) or repeating the channel ('repeat'). Default 'conv'. */
  adapter?: 'conv' | 'repeat';
  /** Head pooling: 'flatten' (the paper's) or 'avg' (global average pooling). Default 'flatten'. */
  pooling?: 'flatten' | 'avg';
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
 * Builds the paper's task model around a tfjs layers model cut at a layer: [1x1 conv adapter] ->
 * backbone (its layers re-applied to the task input, so any size works) -> Flatten -> Dense softmax.
 * Files are read once per process and kept in memory; each call builds fresh weights from memory.
 */
export async function layersTaskModel(options: LayersTaskModelOptions): Promise<TrainableTaskModel> {
  const { modelPath, cutAt, input, classes, adapter = 'conv', pooling = 'flatten', range = [-1, 1] } = options;
  if (!Array.isArray(input) || input.length !== 3 || input[0] < 32 || input[1] < 32 || (input[2] !== 1 && input[2] !== 3)) {
    throw new TrainingInputError('input', input, '[H, W, C] with H, W >= 32 and C 1 or 3');
  }
  if (!Number.isInteger(classes) || classes < 2) throw new TrainingInputError('classes', classes, 'an integer >= 2');
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
  const x = tf.input({ shape: [input[0], input[1], adapter === 'repeat' ? 3 : input[2]], name: 'task_input' });
  const headLayers: string[] = [];
  let feed = x;
  if (input[2] === 1 && adapter === 'conv') {
    feed = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'adapter' }).apply(x) as tf.SymbolicTensor;
    headLayers.push('adapter');
  }
  const map = reapply(modelNodes(backbone), new Map([[backbone.inputs[0]!, feed]]));
  const features = map.get(backbone.outputs[0]!)!;
  const pooled = (pooling === 'avg' ? tf.layers.globalAveragePooling2d({ name: 'head_pool' }) : tf.layers.flatten({ name: 'head_flatten' })).apply(features) as tf.SymbolicTensor;
  const probs = tf.layers.dense({ units: classes, activation: 'softmax', name: 'head_dense' }).apply(pooled) as tf.SymbolicTensor;
  headLayers.push('head_dense');
  const model = tf.model({ inputs: x, outputs: probs });
  const [lo, hi] = range;
  const repeat = adapter === 'repeat' && input[2] === 1;
  return {
    model,
    genomeLayers,
    headLayers,
    adapterLayers: headLayers.filter((n) => n === 'adapter'),
    preprocess: (img) => tf.tidy(() => {
      const rgb = repeat ? tf.tile(img, [1, 1, 1, 3]) : img;
      return tf.add(tf.mul(rgb, hi - lo), lo) as tf.Tensor4D;
    }),
    dispose: () => {
      model.dispose();
      loaded.dispose();
    },
  };
}
