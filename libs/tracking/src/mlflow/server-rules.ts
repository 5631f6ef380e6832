/**
 * Server-side checks MLflow applies to a log-batch (validation.py `_validate_batch_log_*`,
 * `_validate_param_keys_unique`), raised as `StoreError` with MLflow's error codes. Used by the
 * FileStore and by the in-process test server.
 */
import { StoreError, TrackingValidationError } from '../errors.js';
import {
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  validateMetric,
  validateParam,
  validateTag,
  type LogBatch,
} from './validation.js';

function invalid(message: string, cause?: unknown): StoreError {
  return new StoreError('INVALID_PARAMETER_VALUE', message, { cause });
}

/** Throws `StoreError` INVALID_PARAMETER_VALUE when `batch` breaks a limit or a key/value rule. */
export function checkLogBatch(batch: LogBatch): void {
  const limit = (what: string, max: number, n: number): void => {
    if (n > max) {
      throw invalid(`A batch logging request can contain at most ${max} ${what}. Got ${n} ${what}. Please split up ${what} across multiple requests and try again.`);
    }
  };
  limit('metrics', MAX_METRICS_PER_BATCH, batch.metrics.length);
  limit('params', MAX_PARAMS_TAGS_PER_BATCH, batch.params.length);
  limit('tags', MAX_PARAMS_TAGS_PER_BATCH, batch.tags.length);
  limit('metrics, params, and tags', MAX_ENTITIES_PER_BATCH, batch.metrics.length + batch.params.length + batch.tags.length);
  try {
    for (const m of batch.metrics) validateMetric(m.key, m.value, m.timestamp, m.step);
    for (const p of batch.params) validateParam(p.key, p.value);
    for (const t of batch.tags) validateTag(t.key, t.value);
  } catch (err) {
    if (err instanceof TrackingValidationError) throw invalid(err.message, err);
    throw err;
  }
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const p of batch.params) (seen.has(p.key) ? dupes : seen).add(p.key);
  if (dupes.size) {
    throw invalid(`Duplicate parameter keys have been submitted: ${[...dupes].join(', ')}. Please ensure the request contains only one param value per param key.`);
  }
}

/** The error MLflow gives when a param is logged again with another value. */
export function paramChangedError(key: string, oldValue: string, newValue: string, runId: string): StoreError {
  return invalid(
    `Changing param values is not allowed. Param with key='${key}' was already logged with value='${oldValue}' for run ID='${runId}'. Attempted logging new value '${newValue}'.`,
  );
}

/** Parses a JSON metric value as MLflow accepts it (number or 'NaN' / 'Infinity' / '-Infinity'). */
export function parseMetricValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw invalid(`Got invalid value ${String(v)} for metric: please specify value as a valid double (64-bit floating point)`);
}
