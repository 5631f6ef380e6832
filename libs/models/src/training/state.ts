import * as tf from '@tensorflow/tfjs';
import { type WeightSet, applyWeights, captureWeights } from '../weights/weight-set.js';
import { maskProblem } from '@slt/util';
import { countParams } from '../task/task-model.js';
import { TrainingInputError } from './errors.js';
import type { TrainableTaskModel } from './types.js';

type LayerVariable = tf.LayersModel['weights'][number];

/** Copies every weight of `model` out of the backend into plain memory (once per model: the pretrained starting point). */
export function snapshotWeights(model: tf.LayersModel): WeightSet {
  return captureWeights(model.layers, `snapshot of ${model.name}`);
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
export function resetWeights(task: TrainableTaskModel, snapshot: WeightSet, seed: number): void {
  const head = new Set(task.headLayers);
  const headKernels = new Set<LayerVariable>();
  for (const layer of task.model.layers) {
    if (!head.has(layer.name)) continue;
    for (const w of layer.weights) if (/kernel$/.test(w.originalName ?? w.name)) headKernels.add(w);
  }
  let k = 0;
  applyWeights(task.model.layers, snapshot, {
    override: (v) => {
      if (!headKernels.has(v)) return undefined;
      const limit = glorotLimit(v.shape as number[]);
      return tf.randomUniform(v.shape as number[], -limit, limit, 'float32', seed * 7919 + k++);
    },
  });
}

/** Checks a genome string against the model's genome length. */
export function validateGenome(genome: string, length: number): void {
  if (maskProblem(genome, length) !== undefined) {
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
  const { trainable, total } = countParams(task.model);
  return { trainableParams: trainable, totalParams: total };
}

/** The tf.Variables the optimiser updates: the model's trainable weights only. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Index of the first genome layer that trains something under `genome`: bit '1' and trainable
 * weights (call {@link applyGenome} first). A '1' on a weightless layer (input, padding, ReLU)
 * trains nothing and does not end the frozen prefix. Returns the genome length when none.
 */
export function firstTrainableWeighted(task: TrainableTaskModel, genome: string): number {
  const byName = new Map(task.model.layers.map((l) => [l.name, l] as const));
  for (let i = 0; i < genome.length; i++) {
    if (genome[i] !== '1') continue;
    const layer = byName.get(task.genomeLayers[i]!);
    if (layer && layer.trainableWeights.length > 0) return i;
  }
  return genome.length;
}

/** Genome layers with bit '1' that have trainable weights (after {@link applyGenome}). */
export function countTrainableWeighted(task: TrainableTaskModel, genome: string): number {
  const byName = new Map(task.model.layers.map((l) => [l.name, l] as const));
  let n = 0;
  for (let i = 0; i < genome.length; i++) if (genome[i] === '1' && (byName.get(task.genomeLayers[i]!)?.trainableWeights.length ?? 0) > 0) n++;
  return n;
}

/**
 * Names of the layers that may be computed once for `genome` (after {@link applyGenome}): the
 * backbone layers before its first trainable layer with weights, plus weightless or frozen layers
 * in front of the backbone (channel repeat, frozen 1x1 conv) and every layer that is neither in
 * the genome nor in the head. Empty when a trainable adapter sits in front of the backbone, or
 * when the first backbone layer trains.
 */
export function frozenPrefix(task: TrainableTaskModel, genome: string): string[] {
  const byName = new Map(task.model.layers.map((l) => [l.name, l] as const));
  if (task.adapterLayers.some((name) => (byName.get(name)?.weights.length ?? 0) > 0)) return [];
  const prefix = task.genomeLayers.slice(0, firstTrainableWeighted(task, genome));
  if (prefix.length === 0) return [];
  const genomeSet = new Set(task.genomeLayers);
  const head = new Set(task.headLayers.filter((n) => !task.adapterLayers.includes(n)));
  const others = task.model.layers.map((l) => l.name).filter((n) => !genomeSet.has(n) && !head.has(n));
  return [...others, ...prefix];
}
