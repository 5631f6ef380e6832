/**
 * The data shapes this lib produces (structural copies of the ones in docs/CONTRACTS.md).
 */

/** One split of an image data set: N images of H x W x C, float32 in [0, 1], row-major NHWC. */
export interface ImageSplit {
  /** All images of the split in one array, length N*H*W*C. */
  images: Float32Array;
  /** [N, H, W, C]. */
  shape: [number, number, number, number];
  /** Class index of each image, length N, in 0..K-1. */
  labels: Int32Array;
}

/** Which layouts a path can hold. */
export type DatasetKind = 'idx' | 'urbansound8k' | 'folders';

/** How a data set was split, enough to rebuild the same split. */
export interface SplitRecord {
  /** Seed of the random stream (`Rng.fromSeed(seed, 'datasets.split')` of @slt/util) that shuffled each class. */
  seed: number;
  /** Requested [train, val, test] fractions (sum 1). */
  fractions: [number, number, number];
  /**
   * `stratified`: every class cut into train/val/test by `fractions`;
   * `fixed-test`: the test split is given by the source (IDX t10k files, an UrbanSound8K fold)
   * and val is carved stratified from the rest with fraction val / (train + val).
   */
  strategy: 'stratified' | 'fixed-test';
  /** What defined the fixed test split (e.g. `t10k-images-idx3-ubyte`, `fold 1`), if any. */
  testSource?: string;
  /**
   * The items in each split, in the order of the split's arrays: paths relative to the data
   * set's root for file sets, `<file>#<index>` for IDX records.
   */
  items: { train: string[]; val: string[]; test: string[] };
  /** Examples left out because they could not be read (only with `skipUnreadable`), and why. */
  skipped?: { item: string; error: string }[];
  /** The size limits asked for (`trainLimit`, ...: N examples or a fraction), when any. */
  limits?: { train?: number; val?: number; test?: number };
  /** Examples in each split before the limits were applied (set with `limits`). */
  available?: { train: number; val: number; test: number };
}

/** A data set ready for training: one typed array per split, never one tensor per clip. */
export interface ImageDataset {
  /** Name, from the folder name (e.g. `fashion-mnist-900`). */
  name: string;
  /** The layout it was read from. */
  kind: DatasetKind;
  /** K class names; label i means classNames[i]. */
  classNames: string[];
  /** The training split. */
  train: ImageSplit;
  /** The validation split (the GA's fitness is measured on it). */
  val: ImageSplit;
  /** The test split (reported only). */
  test: ImageSplit;
  /** How it was split. */
  split: SplitRecord;
  /** Examples per class in each split (index = label). */
  counts: { train: number[]; val: number[]; test: number[] };
  /** Settings that shaped the images (image size, channels, audio parameters), for the record. */
  settings: Record<string, unknown>;
}

/** Progress of a load: `done` of `total` items decoded. */
export interface LoadProgress {
  /** Items decoded so far. */
  done: number;
  /** Items to decode. */
  total: number;
  /** What is being done (`decode`, `features`). */
  phase: string;
}
