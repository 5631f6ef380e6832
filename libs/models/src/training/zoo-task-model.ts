import { createTaskModel, type AdapterKind, type HeadKind, type TaskModel } from '../task/task-model.js';
import { loadWeights, type LoadWeightsOptions } from '../weights/load.js';
import type { WeightSet } from '../weights/weight-set.js';
import type { InputShape } from '../zoo/layers.js';
import type { TrainableTaskModel } from './types.js';

/**
 * A zoo `TaskModel` as the evaluator sees it (the task model is flat and names its genome, head
 * and adapter layers, so it is used as is).
 */
export function trainableFromTaskModel(task: TaskModel): TrainableTaskModel {
  return {
    model: task.model,
    genomeLayers: task.genomeLayers,
    headLayers: task.headLayers,
    adapterLayers: task.adapterLayers,
    preprocess: (images) => task.preprocess(images),
    dispose: () => task.dispose(),
  };
}

/** Options of {@link zooTaskModel}: plain JSON, so that a pool worker can build the same model. */
export interface ZooTaskModelOptions {
  /** Zoo name, e.g. 'mobilenet_v1_0.25' (see MODEL_NAMES). */
  model: string;
  /** Task input [H, W, C], C 1 or 3. */
  inputShape: InputShape;
  /** Number of classes K (>= 2). */
  classes: number;
  /** Head pooling: 'flatten' (the paper's) or 'gap'. Default 'flatten'. */
  head?: HeadKind;
  /** 1-channel input: 'conv1x1' (trainable, the paper's) or 'repeat' (allows frozen-prefix reuse). Default 'conv1x1'. */
  adapter?: AdapterKind;
  /** Pretrained weights: a zoo name, folder, model.json path, file:// or https:// URL (see loadWeights). Default: none (random). */
  weights?: string;
  /** Options of loadWeights (cache folder ...). */
  weightsOptions?: LoadWeightsOptions;
  /** Seed of the head's initial weights. */
  seed?: number;
}

const weightCache = new Map<string, Promise<WeightSet>>();

/**
 * Builds a zoo task model with pretrained weights for the evaluator. Weights are read once per
 * process and source and then reused from memory.
 */
export async function zooTaskModel(options: ZooTaskModelOptions): Promise<TrainableTaskModel> {
  let weights: WeightSet | undefined;
  if (options.weights) {
    const key = options.weights;
    if (!weightCache.has(key)) weightCache.set(key, loadWeights(key, options.weightsOptions));
    try {
      weights = await weightCache.get(key)!;
    } catch (e) {
      weightCache.delete(key);
      throw e;
    }
  }
  const task = createTaskModel({
    model: options.model,
    inputShape: options.inputShape,
    classes: options.classes,
    head: options.head,
    adapter: options.adapter,
    weights,
    seed: options.seed,
  });
  return trainableFromTaskModel(task);
}
