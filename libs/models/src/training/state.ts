import * as tf from '@tensorflow/tfjs';
import { TrainingInputError } from './errors.js';
import type { TrainableTaskModel } from './types.js';

type LayerVariable = tf.LayersModel['weights'][number];

/** A copy, in plain memory, of every weight of a model: the pretrained starting point. */
export interface WeightSnapshot {
  values: Map<LayerVariable, Float32Array>;
}

/** Copies every weight of `model` out of the backend (once per model). */
export function snapshotWeights(model: tf.LayersModel): WeightSnapshot {
  const values = new Map<LayerVariable, Float32Array>();
  for (const v of model.weights) values.set(v, Float32Array.from(v.read().dataSync() as Float32Array));
  return { values };
}

/** Glorot-uniform limit as Keras computes fans (conv kernels: receptive field times channels). */
function glorotLimit(shape: number[]): number {
  if (shape.length < 2) return Math.sqrt(6 / (2 * (shape[0] ?? 1)));
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape[shape.length - 2]! * receptive;
  const fanOut = shape[shape.length - 1]! * receptive;
  return Math.sqrt(6 / (fanIn + fanOut));
}

/**
 * Puts the pretrained weights back (from memory, never from disk) and re-initialises the kernels of
 * the head layers (glorot uniform, seeded; other head weights from the snapshot, i.e. zero biases).
 */
export function resetWeights(task: TrainableTaskModel, snapshot: WeightSnapshot, seed: number): void {
  const head = new Set(task.headLayers);
  const headKernels = new Set<LayerVariable>();
  for (const layer of task.model.layers) {
    if (!head.has(layer.name)) continue;
    for (const w of layer.weights) if (/kernel$/.test(w.originalName ?? w.name)) headKernels.add(w);
  }
  let k = 0;
  tf.tidy(() => {
    for (const [v, data] of snapshot.values) {
      if (headKernels.has(v)) {
        const limit = glorotLimit(v.shape as number[]);
        v.write(tf.randomUniform(v.shape as number[], -limit, limit, 'float32', seed * 7919 + k++));
      } else {
        v.write(tf.tensor(data, v.shape as number[]));
      }
    }
  });
}

/** Checks a genome string against the model's genome length. */
export function validateGenome(genome: string, length: number): void {
  if (typeof genome !== 'string' || genome.length !== length || !/^[01]*$/.test(genome)) {
    throw new TrainingInputError('genome', genome, `a string of ${length} characters '0'/'1' (one per backbone layer)`);
  }
}

/**
 * Makes layer i of the backbone trainable iff bit i is '1'; the head layers always train; every
 * other layer is frozen. Returns the Keras-style trainable and total parameter counts.
 */
export function applyGenome(task: TrainableTaskModel, genome: string): { trainableParams: number; totalParams: number } {
  validateGenome(genome, task.genomeLayers.length);
  const bits = new Map<string, boolean>();
  task.genomeLayers.forEach((name, i) => bits.set(name, genome[i] === '1'));
  const head = new Set(task.headLayers);
  task.model.trainable = true;
  for (const layer of task.model.layers) layer.trainable = head.has(layer.name) || bits.get(layer.name) === true;
  const size = (v: LayerVariable): number => (v.shape as number[]).reduce((a, b) => a * b, 1);
  const trainableParams = task.model.trainableWeights.reduce((s, v) => s + size(v), 0);
  const totalParams = task.model.weights.reduce((s, v) => s + size(v), 0);
  return { trainableParams, totalParams };
}

/** The tf.Variables the optimiser updates: the model's trainable weights only. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Names of the layers that may be computed once for `genome`: the backbone layers before its first
 * '1', plus weightless layers in front of the backbone (channel repeat) and every layer that is
 * neither in the genome nor in the head. Empty when an adapter with weights (always trained) sits
 * in front of the backbone, or when the first backbone layer trains.
 */
export function frozenPrefix(task: TrainableTaskModel, genome: string): string[] {
  const byName = new Map(task.model.layers.map((l) => [l.name, l] as const));
  if (task.adapterLayers.some((name) => (byName.get(name)?.weights.length ?? 0) > 0)) return [];
  const k = genome.indexOf('1');
  const prefix = task.genomeLayers.slice(0, k < 0 ? genome.length : k);
  if (prefix.length === 0) return [];
  const genomeSet = new Set(task.genomeLayers);
  const head = new Set(task.headLayers.filter((n) => !task.adapterLayers.includes(n)));
  const others = task.model.layers.map((l) => l.name).filter((n) => !genomeSet.has(n) && !head.has(n));
  return [...others, ...prefix];
}
