/**
 * `@slt/datasets`: data set folders (Fashion-MNIST IDX, UrbanSound8K, class folders of audio
 * (WAV, FLAC, Ogg Vorbis, MP3) or PNG/JPEG) -> deterministic stratified splits held as one Float32Array per split.
 */
export {
  DatasetEmptyClassError,
  DatasetError,
  DatasetFileError,
  DatasetLayoutError,
  DatasetOptionError,
} from './errors.js';
export type { DatasetKind, ImageDataset, ImageSplit, LoadProgress, SplitRecord } from './types.js';
export { loadDataset, readCatalog } from './load.js';
export type { LoadDatasetOptions } from './load.js';
export type { DatasetAudioOptions } from './audio.js';
/** The audio feature presets and shapes of `@slt/audio`, re-exported for the runner's config. */
export { FEATURE_PRESET_NAMES, FEATURE_PRESETS } from '@slt/audio';
export { DATASET_KINDS, detectKind } from './detect.js';
/** Image decoding and the loader's resize, for classifying single files as the data set did (`slt predict`). */
export { decodeImage, sniffImage, writeResized } from './image.js';
export type { DecodedImage } from './image.js';
export { inspectDataset } from './inspect.js';
export { formatInspectReport } from './format.js';
export type { InspectOptions, InspectProblem, InspectReport, Stats } from './inspect.js';
export type { Catalog, CatalogItem, Media } from './layouts/catalog.js';
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export { DEFAULT_FRACTIONS } from './split.js';
