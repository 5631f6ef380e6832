import type * as tf from '@tensorflow/tfjs';

/** One split of an image data set (docs/CONTRACTS.md): N images H x W x C, float32 in [0, 1], NHWC. */
export interface ImageSplit {
  /** Pixel values in [0, 1], row-major NHWC, length N*H*W*C. */
  images: Float32Array;
  /** [N, H, W, C]. */
  shape: [number, number, number, number];
  /** Class index per image, length N, each in 0..K-1. */
  labels: Int32Array;
}

/** The three splits a fine-tune needs (a structural subset of the contracts' `ImageDataset`). */
export interface TrainingSplits {
  /** Images the optimiser sees. */
  train: ImageSplit;
  /** Images that pick the best epoch (the fitness is the best validation accuracy). */
  val: ImageSplit;
  /** Images only reported (test accuracy of the best-validation epoch). */
  test: ImageSplit;
}

/** Metrics of one training epoch. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training cross-entropy over the epoch's batches (weights changing as they go, like Keras). */
  trainLoss: number;
  /** Training accuracy over the epoch's batches. */
  trainAccuracy: number;
  /** Validation cross-entropy after the epoch. */
  valLoss: number;
  /** Validation accuracy after the epoch. */
  valAccuracy: number;
  /** Wall time of the epoch (training + validation; the test split is measured once, after the last epoch). */
  seconds: number;
}

/** What one genome's evaluation yields (docs/CONTRACTS.md). */
export interface EvaluationResult {
  /** Best validation accuracy over the epochs (0 when `error` is set). */
  fitness: number;
  /**
   * Test accuracy of the weights of the first best-validation epoch (measured once, after training,
   * with those weights put back; 0 when `error` is set: a failed evaluation measures no test split).
   */
  testAccuracy: number;
  /**
   * Confusion counts on the test split with the weights `testAccuracy` was measured with:
   * `testConfusion[true][predicted]`, K x K. Absent when no test pass ran (`error` set).
   */
  testConfusion?: number[][];
  /** Macro-averaged test precision from `testConfusion` (a class nobody was predicted as counts 0, sklearn's zero_division default). */
  testMacroPrecision?: number;
  /** Macro-averaged test recall from `testConfusion`. */
  testMacroRecall?: number;
  /** Metrics of each finished epoch, in order. */
  epochs: EpochMetrics[];
  /** Trainable parameters as Keras counts them (adapter + head included). */
  trainableParams: number;
  /** All parameters of the task model (trainable or not). */
  totalParams: number;
  /** Set bits of the genome (the paper's count). */
  trainableLayers: number;
  /** Layers with trainable weights that trained (a '1' on a weightless layer trains nothing). */
  trainableWeightedLayers?: number;
  /** True when the fine-tune was stopped early by a pruning rule (fitness: the best accuracy it reached). */
  pruned?: boolean;
  /** Wall time of the whole evaluation (reset, training, validation, test). */
  seconds: number;
  /** Training throughput (images through forward + backward per second of training time). */
  imagesPerSecond: number;
  /** tfjs backend that ran it: 'tensorflow' | 'wasm' | 'cpu' | ... */
  backend: string;
  /** Frozen backbone layers whose output was computed once and reused (0 if none). */
  prefixReused: number;
  /** Set when the evaluation failed (NaN loss, worker crash, out of memory); fitness is then 0. */
  error?: string;
}

/**
 * A task model the trainer can fine-tune: a flat functional tfjs model whose backbone layers
 * appear by name in `genomeLayers`, plus the input preprocessing of its backbone.
 */
export interface TrainableTaskModel {
  /** Input [N, h, w, c] already preprocessed to the backbone's range -> class probabilities [N, K]. */
  model: tf.LayersModel;
  /** Backbone layer names in genome order (bit i = genomeLayers[i]); names absent from `model` are allowed (weightless layers such as an input). */
  genomeLayers: string[];
  /** Layers that always train (input adapter and head); every other layer not in `genomeLayers` is frozen. */
  headLayers: string[];
  /** Names of `headLayers` that sit in front of the backbone (a trainable input adapter rules out prefix reuse). */
  adapterLayers: string[];
  /** Maps images in [0, 1], already resized to the model input's H x W, to the model input (channels and range). Must not dispose its input. */
  preprocess: (x: tf.Tensor4D) => tf.Tensor4D;
  /** Frees what the factory created (weights, layers). */
  dispose?: () => void;
}

/** Progress of one batch. */
export interface BatchProgress {
  /** 1-based epoch number. */
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** This batch's training loss. */
  loss: number;
  /** Training images per second over this epoch so far. */
  imagesPerSecond: number;
}

/** Options of one fine-tune (the paper's defaults). */
export interface FineTuneOptions {
  /** Training epochs E (>= 1). Default 2. */
  epochs?: number;
  /** Batch size B (>= 1). Default 32. */
  batchSize?: number;
  /** Adam learning rate (> 0). Default 1e-4. */
  learningRate?: number;
  /** Adam epsilon (> 0). Default 1e-7 (Keras). */
  epsilon?: number;
  /** Seed of the head initialisation and of the per-epoch shuffling. Default 0. */
  seed?: number;
  /** Compute the output of a frozen backbone prefix once and train only the rest. Default true. */
  prefixReuse?: boolean;
  /**
   * Stop after epoch e when its validation accuracy is below `prune[e - 1]` (null: never), e.g. from
   * `medianThresholds`; the result then says `pruned`. Never after the last epoch. Default: no pruning.
   */
  prune?: (number | null)[];
  /** Called after each epoch with its metrics. */
  onEpoch?: (metrics: EpochMetrics) => void;
  /** Called after each training batch. */
  onBatch?: (progress: BatchProgress) => void;
  /** Aborts the evaluation between batches; the promise then rejects with `EvaluationAbortedError`. */
  signal?: AbortSignal;
  /**
   * Keep the best epoch's trainable weights in memory, keyed by (genome, seed), when the evaluation
   * succeeds and its fitness is the highest retained so far (ties kept, at most 4; a better one
   * evicts the rest), so `LocalEvaluator.restoreRetained` can put them back later without training
   * again (e.g. to save the search's best model). Default false.
   */
  retain?: boolean;
}
