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
  NoWeightsUrlError,
} from './errors.js';

// Zoo
export { MODEL_INFO, MODEL_NAMES, getModelInfo, buildBackbone } from './zoo/table.js';
export type { ModelInfo, InputRange } from './zoo/table.js';
export { buildMobileNetV1, MOBILENET_ALPHAS } from './zoo/mobilenet.js';
export type { MobileNetV1Options } from './zoo/mobilenet.js';
export { buildVgg16 } from './zoo/vgg16.js';
export { buildResNet50 } from './zoo/resnet50.js';
export { buildEfficientNetB0 } from './zoo/efficientnet.js';
export { Normalization, validateInputShape, MIN_INPUT_SIZE } from './zoo/layers.js';
export type { InputShape, BuildOptions, NormalizationArgs } from './zoo/layers.js';

// Weights
export { loadWeights, defaultCacheDir } from './weights/load.js';
export type { LoadWeightsOptions } from './weights/load.js';
export { applyWeights, captureWeights, weightSetSize, splitWeightName } from './weights/weight-set.js';
export type { WeightSet, StoredWeight, ApplyWeightsOptions } from './weights/weight-set.js';

// Task model and genomes
export { createTaskModel } from './task/task-model.js';
export type { TaskModel, TaskModelOptions, ParamCounts, HeadKind, AdapterKind } from './task/task-model.js';
export { validateMask, freezeAllMask, trainAllMask, cutPoints, frozenPrefixLength, layersWithWeights } from './task/genome.js';
export { preprocessImages, CAFFE_MEAN_BGR } from './task/preprocess.js';
