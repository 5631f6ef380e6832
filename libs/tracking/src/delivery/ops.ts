/**
 * Run operations: what a delivery does to an MLflow store (create a run, log params, metrics,
 * tags, artifacts, dataset inputs, set its status). They are not journalled: a `RunOpsMapper`
 * derives them from a journal's records (one fact, one record), and the delivery applies them
 * idempotently. The default mapper replays the `run.*` records that `Journal.createRun` & co.
 * write, so a journal written with those helpers is delivered as before.
 */
import type { JournalRecord, RunCreatedPayload, RunStatus } from '../journal/records.js';
import { isTrackingRecord } from '../journal/records.js';
import { parseMetricValue } from '../mlflow/server-rules.js';

/** A dataset input of a run (MLflow `DatasetInput`, logged with `runs/log-inputs`). */
export interface RunDatasetInput {
  /** Dataset name, e.g. `fashion-mnist-900`. */
  name: string;
  /** Short content digest (MLflow uses 8-10 hex characters). */
  digest: string;
  /** Kind of source, e.g. `local`, `http`. */
  sourceType: string;
  /** Source as JSON text, e.g. `{"uri": "/data/fashion"}`. */
  source: string;
  /** Optional schema as JSON text. */
  schema?: string;
  /** Optional profile as JSON text (e.g. `{"num_rows": 900}`). */
  profile?: string;
  /** Tag `mlflow.data.context` of the input, e.g. `training` (default `training`). */
  context?: string;
}

/** One metric point of a `metrics` op. */
export interface RunOpMetric {
  /** Metric key (MLflow key rule). */
  key: string;
  /** Value; NaN and infinities are allowed. */
  value: number;
  /** Integer step. */
  step: number;
  /** ms since the epoch. */
  timestamp: number;
}

/** Creates the run once (found again by its tags after a crash); the fields of a `run.created` record. */
export interface CreateRunOp extends RunCreatedPayload {
  op: 'create';
  /**
   * The parent run when it belongs to ANOTHER journal (a study's run above a model's search):
   * looked up in the target store, in this run's experiment, by its `slt.journal_id` and
   * `slt.run_key` tags, so each store links to its own copy of the parent. Used only without
   * `parentRunKey`; when the store has no such run, the run gets no parent tag.
   */
  parentRef?: { journalId: string; runKey: string };
}
/** Logs params (immutable in MLflow: the same value again is a no-op). */
export interface ParamsRunOp {
  op: 'params';
  /** The run. */
  runKey: string;
  /** Params; values are sent as strings. */
  params: Record<string, string | number | boolean>;
}
/** Logs metric points (a point already in the store's history is not sent again). */
export interface MetricsRunOp {
  op: 'metrics';
  /** The run. */
  runKey: string;
  /** Points. */
  metrics: RunOpMetric[];
}
/** Sets tags (a tag may change). */
export interface TagsRunOp {
  op: 'tags';
  /** The run. */
  runKey: string;
  /** Tags. */
  tags: Record<string, string>;
}
/** Writes an artifact file: inline `content`, or a local `file` read when it is delivered. */
export interface ArtifactRunOp {
  op: 'artifact';
  /** The run. */
  runKey: string;
  /** Relative path under the run's artifact root, e.g. `mask.json`. */
  path: string;
  /** Inline content (small files). */
  content?: string | Uint8Array;
  /** Absolute path of a local file to upload (big files such as model weights). */
  file?: string;
}
/** Logs dataset inputs (idempotent: the same name + digest is stored once). */
export interface InputsRunOp {
  op: 'inputs';
  /** The run. */
  runKey: string;
  /** Datasets. */
  datasets: RunDatasetInput[];
}
/** Sets the run's status (`RUNNING` again after a resume, or a final status with its end time). */
export interface StatusRunOp {
  op: 'status';
  /** The run. */
  runKey: string;
  /** New status. */
  status: RunStatus | 'RUNNING';
  /** End time in ms (final statuses). */
  endTime?: number;
}

/** Any run operation. */
export type RunOp = CreateRunOp | ParamsRunOp | MetricsRunOp | TagsRunOp | ArtifactRunOp | InputsRunOp | StatusRunOp;

/**
 * Derives run operations from a journal. `next` is called once per record, in journal order,
 * starting from the first record; it must be deterministic (the same records give the same
 * ops, whatever process runs it) and causal (the ops of a record depend only on the records up
 * to it). Timestamps come from the records (`record.time`), never from the clock.
 */
export interface RunOpsMapper {
  /** The operations that `record` implies. */
  next(record: JournalRecord): RunOp[];
}

/** Makes a fresh mapper (one per delivery pass from the start of the journal). */
export type RunOpsMapperFactory = () => RunOpsMapper;

/** ms since the epoch of a record's `time`. */
export function recordTime(record: JournalRecord): number {
  const t = Date.parse(record.time);
  return Number.isFinite(t) ? t : 0;
}

/** The mapper of the `run.*` records written by `Journal.createRun`, `logParams`, ... (the default). */
export function trackingRecordMapper(): RunOpsMapper {
  return {
    next(r: JournalRecord): RunOp[] {
      if (!isTrackingRecord(r)) return [];
      switch (r.type) {
        case 'run.created':
          return [{ op: 'create', runKey: r.runKey, ...(r.parentRunKey !== undefined ? { parentRunKey: r.parentRunKey } : {}), experimentName: r.experimentName, runName: r.runName, tags: r.tags, startTime: r.startTime }];
        case 'run.params':
          return [{ op: 'params', runKey: r.runKey, params: r.params }];
        case 'run.tags':
          return [{ op: 'tags', runKey: r.runKey, tags: r.tags }];
        case 'run.metrics':
          return [{ op: 'metrics', runKey: r.runKey, metrics: r.metrics.map((m) => ({ key: m.key, value: parseMetricValue(m.value), step: m.step, timestamp: m.timestamp })) }];
        case 'run.artifact':
          return [{ op: 'artifact', runKey: r.runKey, path: r.path, content: r.encoding === 'base64' ? Buffer.from(r.content, 'base64') : r.content }];
        case 'run.ended':
          return [{ op: 'status', runKey: r.runKey, status: r.status, endTime: r.endTime }];
        default:
          return [];
      }
    },
  };
}

/** A mapper that applies several mappers to every record, in order, concatenating their ops. */
export function composeMappers(...factories: RunOpsMapperFactory[]): RunOpsMapperFactory {
  return () => {
    const ms = factories.map((f) => f());
    return { next: (r) => ms.flatMap((m) => m.next(r)) };
  };
}
