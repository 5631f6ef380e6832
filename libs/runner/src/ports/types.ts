/**
 * What the runner needs from the other libs, as small structural interfaces. The adapters in this
 * folder are the only files that call @slt/ga, @slt/models, @slt/datasets and @slt/backend.
 */
import type { EpochMetrics, EvaluationResult } from '../journal/records.js';

/** One split: N images H x W x C in [0, 1], NHWC (docs/CONTRACTS.md). */
export interface ImageSplit {
  images: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
}

/** A loaded data set (docs/CONTRACTS.md). */
export interface ImageDataset {
  name: string;
  classNames: string[];
  train: ImageSplit;
  val: ImageSplit;
  test: ImageSplit;
  split: { seed: number; fractions: [number, number, number] };
  settings?: Record<string, unknown>;
}

/** Layer names of a backbone in genome order. */
export interface ModelDescription {
  genomeLength: number;
  layerNames: string[];
}

/** Live progress of a batch. */
export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  imagesPerSecond: number;
}

/** Where an evaluation runs: the worker slot and the CUDA_VISIBLE_DEVICES it sees ('' when none). */
export interface Placement {
  worker: number;
  device: string;
}

/** Options of one evaluation. */
export interface EvaluateOptions {
  signal?: AbortSignal;
  /** Called when a worker takes the evaluation. */
  onStart?: (p: Placement) => void;
  /** Epochs of this evaluation (default: the search's). */
  epochs?: number;
  /** Save the fine-tuned weights and what inference needs to `dir` (tfjs layers format). */
  saveModel?: { dir: string; classNames: string[]; key?: string; data?: Record<string, unknown> };
  onEpoch?: (m: EpochMetrics) => void;
  onBatch?: (p: BatchProgress) => void;
  /** Per epoch, the validation accuracy below which the fine-tune stops (median pruning); null: never. */
  prune?: (number | null)[];
  /** Seed of this fine-tune (head initialisation, batch order); default: the search's seed. */
  seed?: number;
}

/** Evaluates masks (in worker processes or in this one). */
export interface Evaluator {
  evaluate(mask: string, options?: EvaluateOptions): Promise<EvaluationResult>;
  /**
   * Saves the weights an earlier evaluation of `mask` with `seed` measured (its best epoch), from
   * the worker that still holds them, without training again; resolves its test accuracy, or
   * undefined when none holds them (then train it again to save it).
   */
  saveRetained?(mask: string, seed: number | undefined, saveModel: NonNullable<EvaluateOptions['saveModel']>): Promise<{ testAccuracy: number } | undefined>;
  /** The backend the workers (or this process) run, once ready. */
  readonly backend: string;
  /** CUDA_VISIBLE_DEVICES of each worker slot ('' when none). */
  readonly devices: string[];
  close(): Promise<void>;
}

/** A request of the GA. */
export interface GaRequest {
  id: string;
  generation: number;
  index: number;
  mask: string;
}

/** Generation statistics from the GA. */
export interface GaGenerationStats {
  generation: number;
  best: number;
  mean: number;
  worst: number;
  bestKey: string;
  evaluations: number;
  cacheHits: number;
  failures: number;
}

/** The ask/tell GA as the runner uses it. */
export interface GaPort {
  readonly done: boolean;
  readonly generation: number;
  ask(): GaRequest | null;
  /** Tells a real fitness; `cost` breaks ties (trainable parameters: fewer first). */
  tell(id: string, fitness: number, extra?: { cost?: number; objectives?: Record<string, number> }): void;
  /** Tells a failed evaluation: no fitness, not cached, ranked last. */
  fail(id: string, error: string): void;
  /** The GA's resolved options (presets and defaults applied), for provenance. */
  options(): Record<string, unknown>;
  /** JSON-able whole state (restorable with `restore`). */
  snapshot(): unknown;
  /** Current population with fitness where known. */
  population(): { index: number; mask: string; status: string; fitness?: number }[];
  onGenerationStarted(fn: (generation: number) => void): void;
  onGenerationFinished(fn: (stats: GaGenerationStats) => void): void;
  onCached(fn: (e: { generation: number; index: number; mask: string; fitness: number }) => void): void;
}

/** Baseline masks. */
export interface BaselineMask {
  label: string;
  mask: string;
}
