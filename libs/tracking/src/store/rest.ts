/**
 * A typed client of MLflow's REST API 2.0 (experiments, runs, log-batch, tags, metric history)
 * and of the server's artifact proxy (`PUT /api/2.0/mlflow-artifacts/artifacts/<path>`).
 * Transient failures (connection errors, 429, 5xx) are retried with exponential backoff; a 4xx
 * is an `MlflowRequestError` naming the request.
 */
import { MlflowRequestError, StoreError } from '../errors.js';
import { metricJsonValue, type LogBatch, type MetricPoint } from '../mlflow/validation.js';
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

function toRunInfo(j: any): RunInfo {
  return {
    runId: j.run_id ?? j.run_uuid,
    experimentId: String(j.experiment_id),
    runName: j.run_name ?? '',
    status: j.status ?? 'RUNNING',
    startTime: Number(j.start_time ?? 0),
    ...(j.end_time !== undefined && j.end_time !== null ? { endTime: Number(j.end_time) } : {}),
    artifactUri: j.artifact_uri ?? '',
    lifecycleStage: j.lifecycle_stage ?? 'active',
  };
}

function toMetric(m: any): MetricPoint {
  return { key: m.key, value: Number(m.value), timestamp: Number(m.timestamp ?? 0), step: Number(m.step ?? 0) };
}

function toRun(j: any): Run {
  const kv = (xs: any[] | undefined): Record<string, string> => Object.fromEntries((xs ?? []).map((x) => [x.key, x.value ?? '']));
  return {
    info: toRunInfo(j.info ?? {}),
    params: kv(j.data?.params),
    tags: kv(j.data?.tags),
    metrics: (j.data?.metrics ?? []).map(toMetric),
  };
}

/** Request kinds that may safely be sent again after an ambiguous failure (the server may have applied them). */
const IDEMPOTENT = new Set(['GET', 'PUT']);
const IDEMPOTENT_POST = new Set([`${API}/runs/search`, `${API}/runs/set-tag`, `${API}/runs/update`]);

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
  async request(method: string, path: string, body?: unknown, query?: Record<string, string>, rawBody?: Uint8Array): Promise<any> {
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
        const code = (cause as any)?.cause?.code ?? (cause as any)?.code ?? (cause as Error)?.name;
        const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
        lastError = new MlflowRequestError(
          `${method} ${path} to ${this.base} failed: ${code ?? (cause as Error).message}`,
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
      let parsed: any = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = {};
      }
      const errorCode: string | undefined = parsed.error_code;
      const retryable = res.status === 429 || res.status >= 500;
      lastError = new MlflowRequestError(
        `${method} ${path} to ${this.base} answered ${res.status}${errorCode ? ` ${errorCode}` : ''}: ${parsed.message ?? text.slice(0, 300)}`,
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

  async getExperimentByName(name: string): Promise<ExperimentInfo | undefined> {
    try {
      const r = await this.request('GET', `${API}/experiments/get-by-name`, undefined, { experiment_name: name });
      const e = r.experiment;
      return { experimentId: String(e.experiment_id), name: e.name, artifactLocation: e.artifact_location ?? '', lifecycleStage: e.lifecycle_stage ?? 'active' };
    } catch (err) {
      if (err instanceof MlflowRequestError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async createExperiment(name: string): Promise<string> {
    const r = await this.request('POST', `${API}/experiments/create`, { name });
    return String(r.experiment_id);
  }

  async createRun(req: CreateRunRequest): Promise<RunInfo> {
    const r = await this.request('POST', `${API}/runs/create`, {
      experiment_id: req.experimentId,
      run_name: req.runName,
      start_time: req.startTime,
      tags: req.tags,
      ...(req.userId ? { user_id: req.userId } : {}),
    });
    return toRunInfo(r.run.info);
  }

  async getRun(runId: string): Promise<Run> {
    const r = await this.request('GET', `${API}/runs/get`, undefined, { run_id: runId });
    return toRun(r.run);
  }

  async searchRuns(experimentIds: string[], filter: string): Promise<Run[]> {
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.request('POST', `${API}/runs/search`, {
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
    await this.request('POST', `${API}/runs/log-batch`, {
      run_id: runId,
      metrics: batch.metrics.map((m) => ({ key: m.key, value: metricJsonValue(m.value), timestamp: m.timestamp, step: m.step })),
      params: batch.params,
      tags: batch.tags,
    });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.request('POST', `${API}/runs/set-tag`, { run_id: runId, key, value });
  }

  async updateRun(runId: string, status: string, endTime?: number): Promise<RunInfo> {
    const r = await this.request('POST', `${API}/runs/update`, { run_id: runId, status, ...(endTime !== undefined ? { end_time: endTime } : {}) });
    return toRunInfo(r.run_info ?? {});
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    const out: MetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const q: Record<string, string> = { run_id: runId, metric_key: key };
      if (pageToken) q.page_token = pageToken;
      const r = await this.request('GET', `${API}/metrics/get-history`, undefined, q);
      for (const m of r.metrics ?? []) out.push(toMetric(m));
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  async logArtifact(run: RunInfo, path: string, content: Uint8Array): Promise<void> {
    const uri = run.artifactUri;
    if (uri.startsWith('mlflow-artifacts:')) {
      // mlflow-artifacts:/<path> or mlflow-artifacts://host:port/<path>: the server proxies it.
      const rest = uri.slice('mlflow-artifacts:'.length);
      const root = rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/, '') : rest;
      const full = `${root.replace(/^\/+|\/+$/g, '')}/${path}`;
      const encoded = full.split('/').map(encodeURIComponent).join('/');
      await this.request('PUT', `/api/2.0/mlflow-artifacts/artifacts/${encoded}`, undefined, undefined, content);
      return;
    }
    await writeLocalArtifact(uri, path, content);
  }
}
