/**
 * @slt/models: the model zoo (keras.applications-equal backbones in tfjs-layers), pretrained
 * weights in the TensorFlow.js layers format, the task model with genomes, and training.
 */

// Errors
export {
  ModelsError,
  UnknownModelError,
  InvalidOptionError,
  InvalidMaskError,
  WeightsError,
  InvalidModelJsonError,
  MissingShardError,
  ShapeMismatchError,
  MissingWeightError,
  WeightsUnavailableError,
} from './errors.js';

// Zoo
export { MODEL_INFO, MODEL_NAMES, getModelInfo, buildBackbone } from './zoo/table.js';
export type { ModelInfo, InputRange, WeightsFile } from './zoo/table.js';
export { buildMobileNetV1, MOBILENET_ALPHAS } from './zoo/mobilenet.js';
export type { MobileNetV1Options } from './zoo/mobilenet.js';
export { buildVgg16 } from './zoo/vgg16.js';
export { buildResNet50 } from './zoo/resnet50.js';
export { buildEfficientNetB0 } from './zoo/efficientnet.js';
export { Normalization, validateInputShape, MIN_INPUT_SIZE } from './zoo/layers.js';
export type { InputShape, BuildOptions, NormalizationArgs } from './zoo/layers.js';

// Weights
export { loadWeights, resolveWeights, readResolved } from './weights/load.js';
export type { LoadWeightsOptions, ResolvedWeights } from './weights/load.js';
export { checkWeights, checkFinite, weightsSha256 } from './weights/check.js';
export type { CheckWeightsOptions, CheckedWeights } from './weights/check.js';
export { readKerasH5, writeKerasH5 } from './weights/h5.js';
export type { KerasH5Info, WriteKerasH5Options } from './weights/h5.js';
export { downloadFile, hashFile } from './weights/download.js';
export type { DownloadOptions, DownloadProgress, DownloadResult } from './weights/download.js';
export { defaultCacheDir, cachedWeights, verifyCachedFile, recordFile, readRecord, zooModelOfFile, urlFileName, isH5Name } from './weights/cache.js';
export type { CachedWeights, FileRecord, WeightsFormat } from './weights/cache.js';
export { addWeightsFile } from './weights/add.js';
export type { AddWeightsOptions } from './weights/add.js';
export { InvalidWeightsFileError, NonFiniteWeightError, DownloadError, ModelWeightsUnavailableError } from './weights/errors.js';
export { applyWeights, matchWeights, captureWeights, weightSetSize, splitWeightName } from './weights/weight-set.js';
export type { WeightSet, StoredWeight, ApplyWeightsOptions, WeightMatch } from './weights/weight-set.js';

// Task model and genomes
export { ADAPTER_KINDS, HEAD_KINDS, createTaskModel } from './task/task-model.js';
export type { TaskModel, TaskModelOptions, ParamCounts, HeadKind, AdapterKind } from './task/task-model.js';
export { validateMask, freezeAllMask, trainAllMask, layersWithWeights } from './task/genome.js';
export { GENE_MODES, geneLayout } from './task/genes.js';
export type { GeneLayout, GeneMode } from './task/genes.js';
export type { GenomeInfo } from './task/genome.js';
export { describeGenome } from './task/genome-info.js';
export { preprocessImages, CAFFE_MEAN_BGR } from './task/preprocess.js';

// Fine-tuning (training/) and the evaluator pool (pool/)
export { LocalEvaluator, createLocalEvaluator, crossEntropy } from './training/evaluator.js';
export type { LocalEvaluatorOptions } from './training/evaluator.js';
export { medianThresholds } from './training/pruning.js';
export type { MedianPrunerOptions, PruneThresholds } from './training/pruning.js';
export { TrainingError, TrainingInputError, EvaluationAbortedError, WorkerError, PoolClosedError } from './training/errors.js';
export { layersTaskModel } from './training/layers-task-model.js';
export type { LayersTaskModelOptions } from './training/layers-task-model.js';
export { zooTaskModel, trainableFromTaskModel } from './training/zoo-task-model.js';
export type { ZooTaskModelOptions } from './training/zoo-task-model.js';
export { splitAtPrefix } from './training/graph.js';
export { macroPrecisionRecall, addToConfusion, confusionRows } from './training/confusion.js';
export type { MacroScores } from './training/confusion.js';
export type { PrefixSplit } from './training/graph.js';
export type {
  ImageSplit,
  TrainingSplits,
  EpochMetrics,
  EvaluationResult,
  TrainableTaskModel,
  BatchProgress,
  FineTuneOptions,
} from './training/types.js';
export { createEvaluatorPool, visibleDevices } from './pool/pool.js';
export { SAVED_MODEL_FILES, saveTaskModelFiles, loadSavedModel, classifyImages } from './export/saved-model.js';
export type { SavedModel, SavedModelMeta, SaveModelRequest, Classification } from './export/saved-model.js';
export type { EvaluatorPool, EvaluatorPoolOptions, PoolEvaluateOptions, WorkerInfo } from './pool/pool.js';
export type { TaskModelSource } from './pool/protocol.js';
export { writeSplitsFile, readSplitsFile } from './pool/datafile.js';
