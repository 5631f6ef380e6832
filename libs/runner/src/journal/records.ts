/**
 * The runner's journal record types (`search.*`, `ga.*`, `eval.*`, `generation.*`). They sit in
 * the same JSON Lines journal as libs/tracking's `run.*` records; the journal adds `seq` and `time`.
 */
import type { SearchConfig } from '../config/schema.js';

import type { EpochMetrics, EvaluationResult } from '@slt/models';

export type { EpochMetrics, EvaluationResult };

/** What the journal adds to every record. */
export interface RecordEnvelope {
  /** Sequence number in the journal (0-based, gapless). */
  seq: number;
  /** ISO time the record was appended. */
  time: string;
}

/** Whether an evaluation belongs to the GA or is a baseline. */
export type EvalKind = 'ga' | 'baseline';

/** A search began: everything needed to rebuild it (resume) or show it (TUI). */
export interface SearchStartedRecord {
  type: 'search.started';
  searchId: string;
  /** The validated config, with `seed` always set. */
  config: SearchConfig & { seed: number };
  /** What the search runs: the GA, the baselines, or both (compare). */
  mode: 'search' | 'baselines' | 'compare';
  model: { name: string; genomeLength: number; layerNames: string[]; lockedGenes: number[] };
  dataset: { name: string; classNames: string[]; counts: { train: number; val: number; test: number }; shape: number[] };
  /** Evaluations the GA asks for in total (population x generations), cache hits included. */
  totalEvaluations: number;
  /** Baseline evaluations planned (0 unless mode is baselines/compare). */
  totalBaselines: number;
  /** The tracking run key of the search's parent run. */
  parentRunKey: string;
  pid: number;
  host: string;
}

/** A search process (re)started on an existing journal. */
export interface SearchResumedRecord {
  type: 'search.resumed';
  pid: number;
  host: string;
}

/** The GA's whole state, taken just before it is asked for generation `generation`. */
export interface GaSnapshotRecord {
  type: 'ga.snapshot';
  generation: number;
  state: unknown;
}

/** One genome of a generation as asked. */
export interface AskedGenome {
  index: number;
  mask: string;
  /** A cache hit: evaluated before in this search, not trained again. */
  cached: boolean;
  /** The cached fitness (cache hits only). */
  fitness?: number;
}

/** A generation was asked from the GA. */
export interface GenerationStartedRecord {
  type: 'generation.started';
  generation: number;
  genomes: AskedGenome[];
}

/** Which evaluation a record or a row is about. */
export interface EvalIdentity {
  /** `g<generation>/<index>` for GA genomes, `baseline/<label>` for baselines. */
  key: string;
  kind: EvalKind;
  generation: number;
  index: number;
  mask: string;
  /** Baseline name (freeze-all, train-all, heuristic, random-1, ...). */
  label?: string;
}

/** An evaluation started training. */
export interface EvalStartedRecord extends EvalIdentity {
  type: 'eval.started';
  /** Number of set bits. */
  trainableLayers: number;
  epochs: number;
}

/** One epoch of an evaluation finished. */
export interface EvalEpochRecord {
  type: 'eval.epoch';
  key: string;
  metrics: EpochMetrics;
}

/** An evaluation finished (or failed: `result.error` set and fitness 0). Exactly once per key. */
export interface EvalFinishedRecord extends EvalIdentity {
  type: 'eval.finished';
  fitness: number;
  result: EvaluationResult;
  /** Tracking run key of the evaluation's child run. */
  runKey: string;
}

/** A cache hit was told to the GA without training. */
export interface EvalCachedRecord {
  type: 'eval.cached';
  key: string;
  generation: number;
  index: number;
  mask: string;
  fitness: number;
}

/** Every genome of a generation has its fitness. */
export interface GenerationFinishedRecord {
  type: 'generation.finished';
  generation: number;
  best: number;
  mean: number;
  worst: number;
  bestMask: string;
  bestTrainableParams: number;
  evaluations: number;
  cacheHits: number;
}

/** The baseline masks about to be trained. */
export interface BaselinesStartedRecord {
  type: 'search.baselines';
  baselines: { label: string; mask: string }[];
}

/** A line for the log pane. */
export interface SearchLogRecord {
  type: 'search.log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** The search was paused or continued by a control command. */
export interface SearchPausedRecord {
  type: 'search.paused' | 'search.continued';
}

/** The search stopped before its end (Ctrl-C, `stop`); the journal is resumable. */
export interface SearchInterruptedRecord {
  type: 'search.interrupted';
  reason: string;
}

/** A row of the final population. */
export interface FinalGenome {
  mask: string;
  fitness: number;
}

/** The search completed. */
export interface SearchFinishedRecord {
  type: 'search.finished';
  best?: { key: string; mask: string; fitness: number; testAccuracy: number; trainableLayers: number; trainableParams: number };
  /** The last generation's genomes with their fitness. */
  population: FinalGenome[];
  seconds: number;
}

/** The search failed as a whole (not one evaluation). */
export interface SearchFailedRecord {
  type: 'search.failed';
  error: string;
}

/** Every record type the runner writes (without the envelope). */
export type RunnerRecordBody =
  | SearchStartedRecord
  | SearchResumedRecord
  | GaSnapshotRecord
  | GenerationStartedRecord
  | EvalStartedRecord
  | EvalEpochRecord
  | EvalFinishedRecord
  | EvalCachedRecord
  | GenerationFinishedRecord
  | BaselinesStartedRecord
  | SearchLogRecord
  | SearchPausedRecord
  | SearchInterruptedRecord
  | SearchFinishedRecord
  | SearchFailedRecord;

/** A runner record as read back from the journal. */
export type RunnerRecord = RunnerRecordBody & RecordEnvelope;

/** Live progress inside an epoch; emitted as an event only, never journaled. */
export interface EvalProgressEvent {
  type: 'eval.progress';
  key: string;
  epoch: number;
  batch: number;
  batches: number;
  imagesPerSecond: number;
  /** ISO time. */
  time: string;
}

/** What `onEvent` receives and the reducer accepts: a journaled record or a live-only event. */
export type SearchEvent = RunnerRecord | EvalProgressEvent | (RecordEnvelope & { type: string; [k: string]: unknown });

/** The record types the runner owns (prefixes of the journal's runner records). */
export const RUNNER_RECORD_PREFIXES = ['search.', 'ga.', 'eval.', 'generation.'] as const;

/** True when `type` is one of the runner's record types (not a tracking `run.*` record). */
export function isRunnerRecordType(type: string): boolean {
  return RUNNER_RECORD_PREFIXES.some((p) => type.startsWith(p));
}

/** The key of a GA evaluation. */
export const gaKey = (generation: number, index: number): string => `g${generation}/${index}`;
/** The key of a baseline evaluation. */
export const baselineKey = (label: string): string => `baseline/${label}`;
