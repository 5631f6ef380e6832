/**
 * @slt/models: the model zoo (keras.applications-equal backbones in tfjs-layers), pretrained
 * weights in the TensorFlow.js layers format, the task model with genomes, and training.
 */

// Errors
export { ModelsError } from './errors.js';

// Zoo
export { MODEL_INFO, MODEL_NAMES, getModelInfo } from './zoo/table.js';
export type { ModelInfo } from './zoo/table.js';
export type { InputShape } from './zoo/layers.js';

// Weights
export { loadWeights } from './weights/load.js';
export type { LoadWeightsOptions } from './weights/load.js';
export { checkWeights } from './weights/check.js';
export type { CheckWeightsOptions, CheckedWeights } from './weights/check.js';
export type { DownloadProgress } from './weights/download.js';
export { defaultCacheDir, cachedWeights, zooModelOfFile, isH5Name } from './weights/cache.js';
export type { WeightsFormat } from './weights/cache.js';
export { addWeightsFile } from './weights/add.js';
export type { AddWeightsOptions } from './weights/add.js';
export { applyWeights } from './weights/weight-set.js';
export type { WeightSet, ApplyWeightsOptions } from './weights/weight-set.js';

// Task model and genomes
export { ADAPTER_KINDS, createTaskModel } from './task/task-model.js';
export type { TaskModel, TaskModelOptions, HeadKind, AdapterKind } from './task/task-model.js';
export { freezeAllMask, trainAllMask } from './task/genome.js';
export { GENE_MODES, geneLayout } from './task/genes.js';
export type { GeneLayout, GeneMode } from './task/genes.js';
export { describeGenome } from './task/genome-info.js';

// Fine-tuning (training/) and the evaluator pool (pool/)
export { createLocalEvaluator } from './training/evaluator.js';
export type { LocalEvaluatorOptions } from './training/evaluator.js';
export { medianThresholds } from './training/pruning.js';
export type { MedianPrunerOptions } from './training/pruning.js';
export { zooTaskModel } from './training/zoo-task-model.js';
export type { ZooTaskModelOptions } from './training/zoo-task-model.js';
export type { ImageSplit, TrainingSplits, EpochMetrics, EvaluationResult, BatchProgress } from './training/types.js';
export { createEvaluatorPool } from './pool/pool.js';
export type { EvaluatorPool, EvaluatorPoolOptions } from './pool/pool.js';
export { startWorkers } from './pool/spawn.js';
export type { StartedWorkers } from './pool/spawn.js';
export { loadSavedModel, classifyImages } from './export/saved-model.js';
export type { SavedModel } from './export/saved-model.js';
