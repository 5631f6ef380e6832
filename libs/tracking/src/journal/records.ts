/**
 * Record shapes of the journal. Every line is `{ seq, time, type, ...payload }`. The tracking
 * record types (`run.*`) describe MLflow-like runs keyed by a client-side `runKey`; other
 * libs add their own types (`search.*`, `ga.*`, `eval.*`, `generation.*`) which sinks ignore.
 */

/** Final status of a run, as MLflow names it. */
export type RunStatus = 'FINISHED' | 'FAILED' | 'KILLED';

/** Any journal record. */
export interface JournalRecord {
  /** 1-based sequence number, strictly increasing within a journal. */
  seq: number;
  /** ISO-8601 time the record was appended. */
  time: string;
  /** Record kind, e.g. `run.created` or `generation.done`. */
  type: string;
  /** The payload's fields. */
  [field: string]: unknown;
}

/** Payload of `run.created`. */
export interface RunCreatedPayload {
  /** Client-side id of the run, unique within the journal (tag `slt.run_key` in MLflow). */
  runKey: string;
  /** runKey of the parent run (becomes tag `mlflow.parentRunId`). */
  parentRunKey?: string;
  /** MLflow experiment name. */
  experimentName: string;
  /** Run name (tag `mlflow.runName`). */
  runName: string;
  /** Tags given at creation (`mlflow.user`, `mlflow.source.name`, `mlflow.note.content`, own tags). */
  tags: Record<string, string>;
  /** Start time, ms since the epoch. */
  startTime: number;
}
/** Payload of `run.params`. */
export interface RunParamsPayload {
  /** The run. */
  runKey: string;
  /** Params as strings (MLflow stores params as strings). */
  params: Record<string, string>;
}
/** One metric point of a `run.metrics` record. */
export interface JournalMetric {
  /** Metric key. */
  key: string;
  /** Value; NaN and infinities are stored as the strings 'NaN', 'Infinity', '-Infinity' (JSON has no such numbers). */
  value: number | 'NaN' | 'Infinity' | '-Infinity';
  /** Step (epoch, generation...). */
  step: number;
  /** ms since the epoch. */
  timestamp: number;
}
/** Payload of `run.metrics`. */
export interface RunMetricsPayload {
  /** The run. */
  runKey: string;
  /** Points, each with its own step and timestamp. */
  metrics: JournalMetric[];
}
/** Payload of `run.tags`. */
export interface RunTagsPayload {
  /** The run. */
  runKey: string;
  /** Tags to set (a tag may be overwritten). */
  tags: Record<string, string>;
}
/** Payload of `run.artifact`. */
export interface RunArtifactPayload {
  /** The run. */
  runKey: string;
  /** Relative path under the run's artifact root, e.g. `mask.json`. */
  path: string;
  /** How `content` is encoded. */
  encoding: 'utf8' | 'base64';
  /** The file's content. */
  content: string;
}
/** Payload of `run.ended`. */
export interface RunEndedPayload {
  /** The run. */
  runKey: string;
  /** Final status. */
  status: RunStatus;
  /** End time, ms since the epoch. */
  endTime: number;
}

/** Map from tracking record type to its payload. */
export interface TrackingPayloads {
  'run.created': RunCreatedPayload;
  'run.params': RunParamsPayload;
  'run.metrics': RunMetricsPayload;
  'run.tags': RunTagsPayload;
  'run.artifact': RunArtifactPayload;
  'run.ended': RunEndedPayload;
}

/** A tracking record (one of the `run.*` types). */
export type TrackingRecord = {
  [K in keyof TrackingPayloads]: { seq: number; time: string; type: K } & TrackingPayloads[K];
}[keyof TrackingPayloads];

/** The tracking record types, which sinks replay. */
export const TRACKING_RECORD_TYPES: ReadonlyArray<keyof TrackingPayloads> = [
  'run.created',
  'run.params',
  'run.metrics',
  'run.tags',
  'run.artifact',
  'run.ended',
];

/** True when `r` is one of the `run.*` records. */
export function isTrackingRecord(r: JournalRecord): r is JournalRecord & TrackingRecord {
  return (TRACKING_RECORD_TYPES as readonly string[]).includes(r.type);
}
