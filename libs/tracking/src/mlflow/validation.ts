/**
 * MLflow's documented limits and key rule (mlflow/utils/validation.py), applied on the client
 * side so a request never gets a 4xx for something the journal could have caught.
 */
import { posix } from 'node:path';
import { TrackingValidationError } from '../errors.js';

/** Most params, and most tags, in one `runs/log-batch` request. */
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
/** Most metrics in one `runs/log-batch` request. */
export const MAX_METRICS_PER_BATCH = 1000;
/** Most metrics + params + tags in one `runs/log-batch` request. */
export const MAX_ENTITIES_PER_BATCH = 1000;
/** Largest `runs/log-batch` request body, in bytes. */
export const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;
/** Longest param value. */
export const MAX_PARAM_VAL_LENGTH = 6000;
/** Longest tag value (the strictest MLflow version's limit). */
export const MAX_TAG_VAL_LENGTH = 5000;
/** Longest metric, param or tag key. */
export const MAX_ENTITY_KEY_LENGTH = 250;
/** Longest experiment name. */
export const MAX_EXPERIMENT_NAME_LENGTH = 500;

const KEY_RULE = /^[/\w.\- ]*$/;

/** Why `key` breaks MLflow's key rule, or undefined when it is valid. */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `must be a string, got ${typeof key}`;
  if (key.length === 0) return 'must not be empty';
  if (!KEY_RULE.test(key)) {
    return 'may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ) and slashes (/)';
  }
  const norm = posix.normalize(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    return `must not resolve to another name when treated as a path (it resolves to '${norm}')`;
  }
  if (key.length > MAX_ENTITY_KEY_LENGTH) return `has ${key.length} characters, the limit is ${MAX_ENTITY_KEY_LENGTH}`;
  return undefined;
}

/** Throws a `TrackingValidationError` naming `what` (e.g. `metric key`) unless `key` is valid. */
export function validateKey(what: string, key: unknown): asserts key is string {
  const problem = keyProblem(key);
  if (problem) throw new TrackingValidationError(what, `Invalid ${what} '${String(key).slice(0, 250)}': ${problem}`);
}

/** Validates a param: key rule and value <= 6000 characters. */
export function validateParam(key: string, value: string): void {
  validateKey('param key', key);
  if (typeof value !== 'string') throw new TrackingValidationError('param value', `Param '${key}' value must be a string`);
  if (value.length > MAX_PARAM_VAL_LENGTH) {
    throw new TrackingValidationError(
      'param value',
      `Param '${key}' value has ${value.length} characters, the limit is ${MAX_PARAM_VAL_LENGTH}`,
    );
  }
}

/** Validates a tag: key rule and value <= 5000 characters. */
export function validateTag(key: string, value: string): void {
  validateKey('tag key', key);
  if (typeof value !== 'string') throw new TrackingValidationError('tag value', `Tag '${key}' value must be a string`);
  if (value.length > MAX_TAG_VAL_LENGTH) {
    throw new TrackingValidationError('tag value', `Tag '${key}' value has ${value.length} characters, the limit is ${MAX_TAG_VAL_LENGTH}`);
  }
}

/** Validates a metric point: key rule, numeric value, non-negative integer timestamp, integer step. */
export function validateMetric(key: string, value: number, timestamp: number, step: number): void {
  validateKey('metric key', key);
  if (typeof value !== 'number') throw new TrackingValidationError('metric value', `Metric '${key}' value must be a number, got ${typeof value}`);
  if (!Number.isInteger(timestamp) || timestamp < 0) {
    throw new TrackingValidationError('metric timestamp', `Metric '${key}' timestamp must be a non-negative integer (ms), got ${timestamp}`);
  }
  if (!Number.isInteger(step)) throw new TrackingValidationError('metric step', `Metric '${key}' step must be an integer, got ${step}`);
}

/** Validates an experiment name: non-empty, <= 500 characters. */
export function validateExperimentName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TrackingValidationError('experiment name', `Invalid experiment name '${String(name)}': must be a non-empty string`);
  }
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw new TrackingValidationError('experiment name', `Experiment name has ${name.length} characters, the limit is ${MAX_EXPERIMENT_NAME_LENGTH}`);
  }
}

/** A metric point as MLflow's REST API carries it. */
export interface MetricPoint {
  /** Metric key (MLflow key rule, <= 250 characters). */
  key: string;
  /** Value; NaN and +-Infinity are sent as MLflow's JSON strings. */
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** Step (e.g. epoch or generation). */
  step: number;
}

/** One key/value pair (param or tag). */
export interface KeyValue {
  /** Key (MLflow key rule). */
  key: string;
  /** Value. */
  value: string;
}

/** Contents of one `runs/log-batch` request. */
export interface LogBatch {
  /** Metric points (<= 1000). */
  metrics: MetricPoint[];
  /** Params (<= 100). */
  params: KeyValue[];
  /** Tags (<= 100). */
  tags: KeyValue[];
}

/** JSON value of a metric as MLflow serialises doubles (NaN/Infinity as strings). */
export function metricJsonValue(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

function entitySize(e: MetricPoint | KeyValue): number {
  return Buffer.byteLength(JSON.stringify(e)) + 1;
}

/**
 * Splits metrics/params/tags into batches that each respect MLflow's log-batch limits: 1000
 * metrics, 100 params, 100 tags, 1000 entities and about 1 MB of JSON (with headroom for the
 * envelope). Order is kept within each kind.
 */
export function chunkLogBatch(input: LogBatch, maxBytes = MAX_BATCH_LOG_REQUEST_SIZE - 10_000): LogBatch[] {
  const batches: LogBatch[] = [];
  let cur: LogBatch = { metrics: [], params: [], tags: [] };
  let bytes = 0;
  const flush = (): void => {
    if (cur.metrics.length + cur.params.length + cur.tags.length > 0) batches.push(cur);
    cur = { metrics: [], params: [], tags: [] };
    bytes = 0;
  };
  const add = (kind: 'metrics' | 'params' | 'tags', e: MetricPoint | KeyValue, max: number): void => {
    const size = entitySize(e);
    const total = cur.metrics.length + cur.params.length + cur.tags.length;
    if ((cur[kind] as unknown[]).length >= max || total >= MAX_ENTITIES_PER_BATCH || bytes + size > maxBytes) flush();
    (cur[kind] as unknown[]).push(e);
    bytes += size;
  };
  for (const p of input.params) add('params', p, MAX_PARAMS_TAGS_PER_BATCH);
  for (const t of input.tags) add('tags', t, MAX_PARAMS_TAGS_PER_BATCH);
  for (const m of input.metrics) add('metrics', m, MAX_METRICS_PER_BATCH);
  flush();
  return batches;
}
