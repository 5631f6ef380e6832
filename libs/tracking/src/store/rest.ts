/**
 * A typed client of MLflow's REST API 2.0 (experiments, runs, log-batch, tags, metric history)
 * and of the server's artifact proxy (`PUT /api/2.0/mlflow-artifacts/artifacts/<path>`).
 * Transient failures (connection errors, 429, 5xx) are retried with exponential backoff; a 4xx
 * is an `MlflowRequestError` naming the request.
 */
import { MlflowRequestError, StoreError } from '../errors.js';
import { z } from 'zod';
import { parseMetricValue } from '../mlflow/server-rules.js';
import { metricJsonValue, type LogBatch, type MetricPoint } from '../mlflow/validation.js';
import type { RunDatasetInput } from '../delivery/ops.js';
import { writeLocalArtifact } from './artifacts.js';
import type { CreateRunRequest, ExperimentInfo, Run, RunInfo, TrackingStore } from './types.js';

/** Options of `MlflowRestClient`. */
export interface RestClientOptions {
  /** Base URI of the tracking server, e.g. `http://127.0.0.1:5000`. */
  trackingUri: string;
  /** Bearer token (`MLFLOW_TRACKING_TOKEN`). */
  token?: string;
  /** Basic-auth user (`MLFLOW_TRACKING_USERNAME`). */
  username?: string;
  /** Basic-auth password (`MLFLOW_TRACKING_PASSWORD`). */
  password?: string;
  /** Attempts per request for transient failures (default 4). */
  maxAttempts?: number;
  /** First backoff delay in ms, doubled per attempt with jitter (default 250). */
  backoffMs?: number;
  /** Longest backoff delay in ms (default 8000). */
  maxBackoffMs?: number;
  /** Time limit of one request in ms (default 30000). */
  timeoutMs?: number;
  /** Aborts every request of this client (in flight and future), e.g. when a delivery stops. */
  signal?: AbortSignal;
}

const API = '/api/2.0/mlflow';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const str = z.union([z.string(), z.number()]).transform(String);
const num = z.union([z.number(), z.string()]).transform(Number);
const kvSchema = z.object({ key: z.string(), value: z.string().optional() });
const metricSchema = z.object({ key: z.string(), value: z.union([z.number(), z.string()]), timestamp: num.optional(), step: num.optional() });
const runInfoSchema = z.object({
  run_id: z.string().optional(),
  run_uuid: z.string().optional(),
  experiment_id: str,
  run_name: z.string().optional(),
  status: z.string().optional(),
  start_time: num.optional(),
  end_time: num.nullish(),
  artifact_uri: z.string().optional(),
  lifecycle_stage: z.string().optional(),
});
const runSchema = z.object({
  info: runInfoSchema,
  data: z.object({ metrics: z.array(metricSchema).optional(), params: z.array(kvSchema).optional(), tags: z.array(kvSchema).optional() }).optional(),
});
/** Answers of the endpoints slt calls (only the fields it reads; MLflow omits empty fields). */
const answers = {
  empty: z.object({}).passthrough(),
  experiment: z.object({ experiment: z.object({ experiment_id: str, name: z.string(), artifact_location: z.string().optional(), lifecycle_stage: z.string().optional() }) }),
  experimentCreated: z.object({ experiment_id: str }),
  run: z.object({ run: runSchema }),
  runs: z.object({ runs: z.array(runSchema).optional(), next_page_token: z.string().optional() }),
  runInfo: z.object({ run_info: runInfoSchema.optional() }),
  history: z.object({ metrics: z.array(metricSchema).optional(), next_page_token: z.string().optional() }),
};
type RunInfoJson = z.infer<typeof runInfoSchema>;

function toRunInfo(j: RunInfoJson): RunInfo {
  return {
    runId: j.run_id ?? j.run_uuid ?? '',
    experimentId: j.experiment_id,
    runName: j.run_name ?? '',
    status: j.status ?? 'RUNNING',
    startTime: j.start_time ?? 0,
    ...(j.end_time !== undefined && j.end_time !== null ? { endTime: j.end_time } : {}),
    artifactUri: j.artifact_uri ?? '',
    lifecycleStage: j.lifecycle_stage ?? 'active',
  };
}

function toMetric(m: z.infer<typeof metricSchema>): MetricPoint {
  return { key: m.key, value: parseMetricValue(m.value), timestamp: m.timestamp ?? 0, step: m.step ?? 0 };
}

function toRun(j: z.infer<typeof runSchema>): Run {
  const kv = (xs: Array<z.infer<typeof kvSchema>> | undefined): Record<string, string> => Object.fromEntries((xs ?? []).map((x) => [x.key, x.value ?? '']));
  return {
    info: toRunInfo(j.info),
    params: kv(j.data?.params),
    tags: kv(j.data?.tags),
    metrics: (j.data?.metrics ?? []).map(toMetric),
  };
}

/** Page size of `metrics/get-history`, as MLflow's own client sends it (a request without it gets no points from MLflow 3.4+, mlflow#23916). */
export const METRIC_HISTORY_PAGE_SIZE = 25_000;

/** Network error codes (a failed fetch's `cause.code`) in words. */
const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused', ENOTFOUND: 'unknown host', EAI_AGAIN: 'host name lookup failed', ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out', ENETUNREACH: 'network unreachable', EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out', UND_ERR_SOCKET: 'connection closed by the server',
};

/**
 * A failed fetch in words, from its cause's code: `connection refused (ECONNREFUSED)`, `no answer
 * within 3000 ms (timeout)`; never fetch's bare "TypeError: fetch failed".
 */
export function fetchFailureText(err: unknown, timeoutMs?: number): string {
  const e = err as { cause?: { code?: unknown; message?: unknown }; code?: unknown; name?: unknown; message?: unknown } | undefined;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : undefined;
  if (code && NETWORK_FAILURES[code]) return `${NETWORK_FAILURES[code]} (${code})`;
  if (e?.name === 'TimeoutError') return `no answer${timeoutMs ? ` within ${timeoutMs} ms` : ''} (timeout)`;
  const detail = typeof e?.cause?.message === 'string' ? e.cause.message : typeof e?.message === 'string' ? e.message : String(err);
  if (detail === 'bad port') return 'a port fetch refuses to use (bad port)';
  return code ? `${detail} (${code})` : detail;
}

/** Request kinds that may safely be sent again after an ambiguous failure (the server may have applied them). */
const IDEMPOTENT = new Set(['GET', 'PUT']);
const IDEMPOTENT_POST = new Set([`${API}/runs/search`, `${API}/runs/set-tag`, `${API}/runs/update`, `${API}/runs/log-inputs`]);

/** MLflow tracking server client; implements `TrackingStore`. */
export class MlflowRestClient implements TrackingStore {
  readonly target: string;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly opts: Required<Pick<RestClientOptions, 'maxAttempts' | 'backoffMs' | 'maxBackoffMs' | 'timeoutMs'>>;
  private readonly signal: AbortSignal | undefined;

  constructor(options: RestClientOptions) {
    let url: URL;
    try {
      url = new URL(options.trackingUri);
    } catch (cause) {
      throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid tracking URI '${options.trackingUri}': not a URL`, { cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid tracking URI '${options.trackingUri}': the REST client needs http:// or https://`);
    }
    this.base = options.trackingUri.replace(/\/+$/, '');
    this.target = this.base;
    this.headers = { 'content-type': 'application/json' };
    if (options.token) this.headers.authorization = `Bearer ${options.token}`;
    else if (options.username !== undefined && options.password !== undefined) {
      this.headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    }
    this.opts = {
      maxAttempts: options.maxAttempts ?? 4,
      backoffMs: options.backoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 8000,
      timeoutMs: options.timeoutMs ?? 30_000,
    };
    this.signal = options.signal;
  }

  /**
   * Sends one request with retries and backoff. Idempotent requests (GET, PUT, search, set-tag,
   * update) are retried on network errors, 429 and 5xx; the others (create, log-batch) only when
   * the connection was refused (nothing was sent). Any other transient failure is thrown as a
   * retryable `MlflowRequestError` so the caller can check what the server applied first.
   */
  async request(method: string, path: string, body?: unknown, query?: Record<string, string>, rawBody?: Uint8Array): Promise<unknown> {
    const qs = query ? `?${new URLSearchParams(query).toString()}` : '';
    const url = `${this.base}${path}${qs}`;
    const idempotent = IDEMPOTENT.has(method) || IDEMPOTENT_POST.has(path);
    let lastError: MlflowRequestError | undefined;
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      if (attempt > 1) {
        const delay = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (attempt - 2));
        await sleep(delay * (0.5 + Math.random() / 2));
      }
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: rawBody ? { ...this.headers, 'content-type': 'application/octet-stream' } : this.headers,
          body: rawBody ?? (body !== undefined ? JSON.stringify(body) : undefined),
          signal: this.signal ? AbortSignal.any([this.signal, AbortSignal.timeout(this.opts.timeoutMs)]) : AbortSignal.timeout(this.opts.timeoutMs),
        });
      } catch (cause) {
        const c = cause as { cause?: { code?: string }; code?: string };
        const code = c?.cause?.code ?? c?.code;
        const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
        // One line naming the server once; the request is in the error's method and path.
        lastError = new MlflowRequestError(
          `MLflow at ${this.base} is unreachable: ${fetchFailureText(cause, this.opts.timeoutMs)}`,
          { method, path, retryable: true },
          { cause },
        );
        if (this.signal?.aborted) throw lastError;
        if (notSent || idempotent) continue;
        throw lastError; // ambiguous: the server may have applied it
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        if (!text) return {};
        try {
          return JSON.parse(text);
        } catch {
          return {};
        }
      }
      let parsed: { error_code?: unknown; message?: unknown } = {};
      try {
        const j: unknown = JSON.parse(text);
        if (j && typeof j === 'object') parsed = j as typeof parsed;
      } catch {
        parsed = {};
      }
      const errorCode = typeof parsed.error_code === 'string' ? parsed.error_code : undefined;
      const retryable = res.status === 429 || res.status >= 500;
      lastError = new MlflowRequestError(
        `${method} ${path} to ${this.base} answered ${res.status}${errorCode ? ` ${errorCode}` : ''}: ${typeof parsed.message === 'string' ? parsed.message : text.slice(0, 300)}`,
        { method, path, status: res.status, errorCode, retryable },
      );
      // A 5xx from a proxy may come after the server applied the request: only idempotent
      // requests are repeated here; the others go back to the caller to reconcile first.
      if (!retryable || !idempotent) throw lastError;
      const retryAfter = Number(res.headers.get('retry-after'));
      if (res.status === 429 && retryAfter > 0) await sleep(Math.min(retryAfter * 1000, this.opts.maxBackoffMs));
    }
    throw lastError!;
  }

  /** Sends a request and parses its answer with `schema` (an answer of another shape is an `MlflowRequestError`). */
  private async call<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, query?: Record<string, string>, rawBody?: Uint8Array): Promise<z.infer<S>> {
    const answer = await this.request(method, path, body, query, rawBody);
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      throw new MlflowRequestError(`${method} ${path} to ${this.base} answered an unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, { method, path, retryable: false });
    }
    return parsed.data;
  }

  async getExperimentByName(name: string): Promise<ExperimentInfo | undefined> {
    try {
      const r = await this.call(answers.experiment, 'GET', `${API}/experiments/get-by-name`, undefined, { experiment_name: name });
      const e = r.experiment;
      return { experimentId: String(e.experiment_id), name: e.name, artifactLocation: e.artifact_location ?? '', lifecycleStage: e.lifecycle_stage ?? 'active' };
    } catch (err) {
      if (err instanceof MlflowRequestError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async createExperiment(name: string): Promise<string> {
    const r = await this.call(answers.experimentCreated, 'POST', `${API}/experiments/create`, { name });
    return r.experiment_id;
  }

  async createRun(req: CreateRunRequest): Promise<RunInfo> {
    const r = await this.call(answers.run, 'POST', `${API}/runs/create`, {
      experiment_id: req.experimentId,
      run_name: req.runName,
      start_time: req.startTime,
      tags: req.tags,
      ...(req.userId ? { user_id: req.userId } : {}),
    });
    return toRunInfo(r.run.info);
  }

  async getRun(runId: string): Promise<Run> {
    const r = await this.call(answers.run, 'GET', `${API}/runs/get`, undefined, { run_id: runId });
    return toRun(r.run);
  }

  async searchRuns(experimentIds: string[], filter: string): Promise<Run[]> {
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.call(answers.runs, 'POST', `${API}/runs/search`, {
        experiment_ids: experimentIds,
        filter,
        run_view_type: 'ACTIVE_ONLY',
        max_results: 1000,
        ...(pageToken ? { page_token: pageToken } : {}),
      });
      for (const run of r.runs ?? []) runs.push(toRun(run));
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return runs;
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    await this.call(answers.empty, 'POST', `${API}/runs/log-batch`, {
      run_id: runId,
      metrics: batch.metrics.map((m) => ({ key: m.key, value: metricJsonValue(m.value), timestamp: m.timestamp, step: m.step })),
      params: batch.params,
      tags: batch.tags,
    });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.call(answers.empty, 'POST', `${API}/runs/set-tag`, { run_id: runId, key, value });
  }

  async updateRun(runId: string, status: string, endTime?: number): Promise<RunInfo> {
    const r = await this.call(answers.runInfo, 'POST', `${API}/runs/update`, { run_id: runId, status, ...(endTime !== undefined ? { end_time: endTime } : {}) });
    return r.run_info ? toRunInfo(r.run_info) : { runId, experimentId: '', runName: '', status, startTime: 0, artifactUri: '', lifecycleStage: 'active' };
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    const out: MetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const q: Record<string, string> = { run_id: runId, metric_key: key, max_results: String(METRIC_HISTORY_PAGE_SIZE) };
      if (pageToken) q.page_token = pageToken;
      const r = await this.call(answers.history, 'GET', `${API}/metrics/get-history`, undefined, q);
      for (const m of r.metrics ?? []) out.push(toMetric(m));
      const next = r.next_page_token || undefined;
      if (next !== undefined && next === pageToken) {
        throw new MlflowRequestError(`GET ${API}/metrics/get-history to ${this.base} returned the same page token twice (run ${runId}, metric '${key}')`, { method: 'GET', path: `${API}/metrics/get-history`, retryable: false });
      }
      pageToken = next;
    } while (pageToken);
    return out;
  }

  async logInputs(run: RunInfo, datasets: RunDatasetInput[]): Promise<void> {
    await this.call(answers.empty, 'POST', `${API}/runs/log-inputs`, {
      run_id: run.runId,
      datasets: datasets.map((d) => ({
        tags: [{ key: 'mlflow.data.context', value: d.context ?? 'training' }],
        dataset: { name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source, ...(d.schema !== undefined ? { schema: d.schema } : {}), ...(d.profile !== undefined ? { profile: d.profile } : {}) },
      })),
    });
  }

  async logArtifact(run: RunInfo, path: string, content: Uint8Array): Promise<void> {
    const uri = run.artifactUri;
    if (uri.startsWith('mlflow-artifacts:')) {
      // mlflow-artifacts:/<path> or mlflow-artifacts://host:port/<path>: the server proxies it.
      const rest = uri.slice('mlflow-artifacts:'.length);
      const root = rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/, '') : rest;
      const full = `${root.replace(/^\/+|\/+$/g, '')}/${path}`;
      const encoded = full.split('/').map(encodeURIComponent).join('/');
      await this.call(answers.empty, 'PUT', `/api/2.0/mlflow-artifacts/artifacts/${encoded}`, undefined, undefined, content);
      return;
    }
    await writeLocalArtifact(uri, path, content);
  }
}
