/** The view of a search that the reducer builds from journal records (for the CLI and the TUI). */
import type { SearchConfig } from '../config/schema.js';
import type { EpochMetrics, EvalIdentity } from '../journal/records.js';

/** Where a genome or baseline stands. */
export type RowState = 'queued' | 'training' | 'cached' | 'done' | 'failed';

/** One genome of a generation, or one baseline. */
export interface PopulationRow extends EvalIdentity {
  state: RowState;
  /** Set bits of the mask. */
  trainableLayers: number;
  /** Layers with weights that trained (EvaluationResult.trainableWeightedLayers), once known. */
  trainableWeightedLayers?: number;
  /** The fine-tune was stopped early by `--prune` (fitness: the best accuracy it reached). */
  pruned?: boolean;
  trainableParams?: number;
  /** Best validation accuracy (the fitness) once known; the best so far while training. */
  fitness?: number;
  testAccuracy?: number;
  /** Macro precision on the test split (see EvaluationResult.testMacroPrecision). */
  testMacroPrecision?: number;
  /** Macro recall on the test split. */
  testMacroRecall?: number;
  /** Test confusion counts `[true][predicted]`. */
  testConfusion?: number[][];
  /** Epochs finished so far. */
  epochsDone: number;
  /** Epochs planned. */
  epochs: number;
  /** Metrics of each finished epoch. */
  epochMetrics: EpochMetrics[];
  /** Live progress within the current epoch (from `eval.progress` events). */
  batch?: { batch: number; batches: number };
  imagesPerSecond?: number;
  seconds?: number;
  /** Why the evaluation failed. */
  error?: string;
  /** Attempts so far (1 + retries; absent before the first). */
  attempts?: number;
  /** CUDA_VISIBLE_DEVICES of the worker that ran it ('' when none). */
  device?: string;
}

/** One generation of the GA. */
export interface GenerationState {
  generation: number;
  rows: PopulationRow[];
  finished: boolean;
  best?: number;
  mean?: number;
  worst?: number;
  bestMask?: string;
  cacheHits: number;
}

/** The lifecycle of the whole search. */
export type SearchStatus = 'empty' | 'running' | 'paused' | 'interrupted' | 'finished' | 'failed';

/** A line of the log pane. */
export interface LogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Progress figures of the search. */
export interface SearchProgress {
  /** Evaluations with a fitness (trained, failed or cache hits), GA and baselines. */
  done: number;
  /** Planned evaluations (GA population x generations + baselines). */
  total: number;
  /** Of `done`: how many were cache hits. */
  cacheHits: number;
  /** Of `done`: how many failed on every attempt (no fitness; `eval.failed`). */
  failures: number;
  /** Failed attempts that were tried again (`eval.retry`). */
  retries: number;
  /** Evaluations trained (not cached) so far. */
  trained: number;
  /** done / total in [0, 1]. */
  fraction: number;
  /** Training throughput of the latest evaluation or live progress (images/s). */
  imagesPerSecond?: number;
  /** Mean wall seconds of a trained evaluation. */
  meanEvalSeconds?: number;
  /** Estimated seconds to the end (undefined until one evaluation finished). */
  etaSeconds?: number;
  /** Running seconds from the first record to the latest one (paused spells and the gaps of a kill before a resume left out). */
  elapsedSeconds: number;
  /** Seconds left out of `elapsedSeconds` so far (paused, or no process before a resume). */
  stoppedSeconds?: number;
}

/** The best evaluation so far. */
export interface BestSoFar {
  key: string;
  mask: string;
  fitness: number;
  testAccuracy?: number;
  trainableLayers: number;
  trainableParams?: number;
}

/** Everything a screen needs to draw a search; built by {@link reduceSearch}. */
export interface SearchState {
  status: SearchStatus;
  searchId?: string;
  mode?: 'search' | 'baselines' | 'compare';
  config?: SearchConfig & { seed: number };
  model?: { name: string; genomeLength: number; layerNames: string[]; lockedGenes: number[] };
  dataset?: { name: string; classNames: string[]; counts: { train: number; val: number; test: number }; shape: number[] };
  parentRunKey?: string;
  pid?: number;
  host?: string;
  /** Process starts on this journal (1 + resumes). */
  attempts: number;
  /** The generation being evaluated (or the last one); -1 before the first. */
  currentGeneration: number;
  generations: GenerationState[];
  baselines: PopulationRow[];
  best?: BestSoFar;
  progress: SearchProgress;
  /** Latest log lines (at most {@link MAX_LOG_LINES}). */
  logs: LogLine[];
  /** Why the search failed or was interrupted. */
  reason?: string;
  /** The setup phase under way (live `search.phase` events); cleared when evaluations start. */
  phase?: { name: string; message: string; done?: number; total?: number };
  /** When the search was paused (while it is). */
  pausedAt?: string;
  /** Final population (finished searches). */
  finalPopulation?: { mask: string; fitness: number }[];
  startedAt?: string;
  updatedAt?: string;
  /** Sequence number of the last record reduced (-1 before any). */
  lastSeq: number;
}

/** How many log lines the state keeps. */
export const MAX_LOG_LINES = 200;
