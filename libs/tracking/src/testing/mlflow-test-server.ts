/**
 * An in-process HTTP server that behaves like an MLflow tracking server for the endpoints slt
 * uses (documented REST API 2.0 + the mlflow-artifacts proxy), validation included, with fault
 * injection (refused connections, 5xx answers, stalls). A test double for tests and benches.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { StoreError } from '../errors.js';
import { matchesFilter, parseRunFilter } from '../mlflow/filter.js';
import { checkLogBatch, paramChangedError, parseMetricValue } from '../mlflow/server-rules.js';
import { MAX_BATCH_LOG_REQUEST_SIZE, validateExperimentName, validateTag, type KeyValue, type MetricPoint } from '../mlflow/validation.js';
import type { Run, RunInfo } from '../store/types.js';
import { MlflowHttpError as HttpError, parseRequestBody } from './requests.js';

interface StoredRun {
  info: RunInfo;
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: MetricPoint[];
  /** Dataset inputs by `name|digest`. */
  inputs: Map<string, { name: string; digest: string; source_type: string; source: string; context?: string }>;
}

/** A running test server. */
export interface MlflowTestServer {
  /** Base URI, e.g. `http://127.0.0.1:40123`. */
  readonly uri: string;
  /** Every request received: method, path and the status answered (0 when stalled). */
  readonly requests: Array<{ method: string; path: string; status: number }>;
  /** Answer the next `n` requests (whose path ends with `match`, if given) with `status` (default 503) without applying them. */
  failNext(n: number, status?: number, match?: string): void;
  /** Apply the next `n` requests (whose path ends with `match`, if given) but never answer them (the client times out). */
  stallNext(n: number, match?: string): void;
  /** Stop listening: new connections are refused until `resume()`. */
  refuse(): Promise<void>;
  /** Listen again on the same port. */
  resume(): Promise<void>;
  /** Every run with its full metric history and dataset inputs. */
  allRuns(): Array<Run & { history: MetricPoint[]; inputs: Array<{ name: string; digest: string; source_type: string; source: string; context?: string }> }>;
  /** Artifact bytes by path (`<exp>/<run>/artifacts/<file>`). */
  readonly artifacts: Map<string, Buffer>;
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

/** Options of `startMlflowTestServer`. */
export interface MlflowTestServerOptions {
  /** Port (default 0: any free port). */
  port?: number;
  /** When set, requests must carry `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** When set, requests must carry HTTP basic auth with this user and password (else 401). */
  basicAuth?: { username: string; password: string };
}

const codeStatus = (code: string): number => (code === 'RESOURCE_DOES_NOT_EXIST' ? 404 : code === 'INTERNAL_ERROR' ? 500 : 400);

/** Starts the test server on 127.0.0.1. */
export async function startMlflowTestServer(options: MlflowTestServerOptions = {}): Promise<MlflowTestServer> {
  const experiments = new Map<string, { id: string; name: string; created: number }>([['0', { id: '0', name: 'Default', created: Date.now() }]]);
  let nextExp = 1;
  const runs = new Map<string, StoredRun>();
  const artifacts = new Map<string, Buffer>();
  const requests: MlflowTestServer['requests'] = [];
  let fail = 0;
  let failStatus = 503;
  let failMatch = '';
  let stall = 0;
  let stallMatch = '';
  const sockets = new Set<Socket>();

  const getRun = (id: unknown): StoredRun => {
    const r = runs.get(String(id));
    if (!r) throw new HttpError(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${String(id)}' not found`);
    return r;
  };
  const runJson = (r: StoredRun, withHistory = false) => {
    const latest = new Map<string, MetricPoint>();
    for (const m of r.metrics) {
      const cur = latest.get(m.key);
      if (!cur || m.step > cur.step || (m.step === cur.step && m.timestamp >= cur.timestamp)) latest.set(m.key, m);
    }
    return {
      info: { ...runInfoJson(r.info) },
      data: {
        metrics: [...(withHistory ? r.metrics : latest.values())].map(metricJson),
        params: [...r.params].map(([key, value]) => ({ key, value })),
        tags: [...r.tags].map(([key, value]) => ({ key, value })),
      },
    };
  };
  const toRun = (r: StoredRun): Run => ({ info: { ...r.info }, params: Object.fromEntries(r.params), tags: Object.fromEntries(r.tags), metrics: [] });

  function handle(method: string, path: string, query: URLSearchParams, raw: Buffer): unknown {
    const api = '/api/2.0/mlflow';
    if (method === 'PUT' && path.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      const rel = decodeURIComponent(path.slice('/api/2.0/mlflow-artifacts/artifacts/'.length));
      if (!rel || rel.split('/').includes('..')) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid artifact path '${rel}'`);
      artifacts.set(rel, Buffer.from(raw));
      return {};
    }
    const post = <E extends Parameters<typeof parseRequestBody>[0]>(e: E) => parseRequestBody(e, raw);
    switch (`${method} ${path}`) {
      case `GET ${api}/experiments/get-by-name`: {
        const name = query.get('experiment_name') ?? '';
        const e = [...experiments.values()].find((x) => x.name === name);
        if (!e) throw new HttpError(404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
        return { experiment: { experiment_id: e.id, name: e.name, artifact_location: `mlflow-artifacts:/${e.id}`, lifecycle_stage: 'active', creation_time: e.created } };
      }
      case `POST ${api}/experiments/create`: {
        const body = post('experiments/create');
        validateExperimentName(body.name);
        if ([...experiments.values()].some((x) => x.name === body.name)) {
          throw new HttpError(400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${body.name}' already exists.`);
        }
        const id = String(nextExp++);
        experiments.set(id, { id, name: body.name, created: Date.now() });
        return { experiment_id: id };
      }
      case `POST ${api}/runs/create`: {
        const body = post('runs/create');
        const expId = body.experiment_id || '0';
        if (!experiments.has(expId)) throw new HttpError(404, 'RESOURCE_DOES_NOT_EXIST', `No experiment with ID ${expId}`);
        const tags: KeyValue[] = body.tags;
        for (const t of tags) validateTag(t.key, t.value);
        const tagName = tags.find((t) => t.key === 'mlflow.runName')?.value;
        if (body.run_name && tagName && body.run_name !== tagName) {
          throw new HttpError(400, 'INVALID_PARAMETER_VALUE', "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values");
        }
        const runId = randomUUID().replace(/-/g, '');
        const runName = body.run_name || tagName || `run-${runId.slice(0, 6)}`;
        const r: StoredRun = {
          info: { runId, experimentId: expId, runName, status: 'RUNNING', startTime: body.start_time ?? Date.now(), artifactUri: `mlflow-artifacts:/${expId}/${runId}/artifacts`, lifecycleStage: 'active' },
          params: new Map(),
          tags: new Map(tags.map((t) => [t.key, t.value])),
          metrics: [],
          inputs: new Map(),
        };
        r.tags.set('mlflow.runName', runName);
        runs.set(runId, r);
        return { run: runJson(r) };
      }
      case `GET ${api}/runs/get`:
        return { run: runJson(getRun(query.get('run_id'))) };
      case `POST ${api}/runs/search`: {
        const body = post('runs/search');
        const clauses = parseRunFilter(body.filter);
        const ids = new Set(body.experiment_ids);
        const max = body.max_results;
        const all = [...runs.values()].filter((r) => ids.has(r.info.experimentId) && matchesFilter(toRun(r), clauses));
        const start = Number(body.page_token || 0);
        const page = all.slice(start, start + max);
        return { runs: page.map((r) => runJson(r)), ...(start + max < all.length ? { next_page_token: String(start + max) } : {}) };
      }
      case `POST ${api}/runs/log-batch`: {
        if (raw.length > MAX_BATCH_LOG_REQUEST_SIZE) {
          throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Batched logging API requests must be at most ${MAX_BATCH_LOG_REQUEST_SIZE} bytes, got a request of size ${raw.length}.`);
        }
        const body = post('runs/log-batch');
        const r = getRun(body.run_id);
        const metrics: MetricPoint[] = body.metrics.map((m) => ({ key: m.key, value: parseMetricValue(m.value), timestamp: Number(m.timestamp), step: Number(m.step ?? 0) }));
        const batch = { metrics, params: body.params, tags: body.tags };
        checkLogBatch(batch);
        for (const p of batch.params) {
          const old = r.params.get(p.key);
          if (old !== undefined && old !== p.value) throw paramChangedError(p.key, old, p.value, r.info.runId);
        }
        for (const p of batch.params) r.params.set(p.key, p.value);
        r.metrics.push(...metrics); // like FileStore: an exact duplicate point is stored twice
        for (const t of batch.tags) r.tags.set(t.key, t.value);
        return {};
      }
      case `POST ${api}/runs/set-tag`: {
        const body = post('runs/set-tag');
        const r = getRun(body.run_id);
        validateTag(body.key, body.value);
        r.tags.set(body.key, body.value);
        return {};
      }
      case `POST ${api}/runs/update`: {
        const body = post('runs/update');
        const r = getRun(body.run_id);
        const status = body.status;
        if (status && !isRunStatus(status)) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid run status '${status}'`);
        if (status) r.info.status = status;
        if (body.end_time !== undefined) r.info.endTime = body.end_time;
        return { run_info: runInfoJson(r.info) };
      }
      case `GET ${api}/metrics/get-history`: {
        // As MLflow 3.4+ answers (mlflow#23916): without max_results the server reads it as 0,
        // answers no points and a page token, and that token is then refused.
        const r = getRun(query.get('run_id'));
        const key = query.get('metric_key');
        const all = r.metrics.filter((m) => m.key === key);
        const token = query.get('page_token');
        const maxRaw = query.get('max_results');
        if (maxRaw === null) {
          if (token !== null) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid page token '${token}': max_results must be set`);
          return { metrics: [], ...(all.length > 0 ? { next_page_token: Buffer.from(JSON.stringify({ offset: 0 })).toString('base64') } : {}) };
        }
        const max = Number(maxRaw);
        if (!Number.isInteger(max) || max < 1 || max > 25000) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `max_results must be an integer in 1..25000, got ${maxRaw}`);
        let offset = 0;
        if (token !== null) {
          try {
            offset = Number(JSON.parse(Buffer.from(token, 'base64').toString('utf8')).offset);
          } catch {
            throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid page token '${token}'`);
          }
        }
        const page = all.slice(offset, offset + max);
        const more = offset + max < all.length;
        return { metrics: page.map(metricJson), ...(more ? { next_page_token: Buffer.from(JSON.stringify({ offset: offset + max })).toString('base64') } : {}) };
      }
      case `POST ${api}/runs/log-inputs`: {
        const body = post('runs/log-inputs');
        const r = getRun(body.run_id);
        for (const d of body.datasets) {
          const ds = d.dataset;
          for (const f of ['name', 'digest', 'source_type', 'source']) {
            if (typeof ds[f] !== 'string' || !ds[f]) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'datasets.dataset.${f}'`);
          }
          const context = d.tags.find((t) => t.key === 'mlflow.data.context')?.value;
          const k = `${String(ds.name)}|${String(ds.digest)}`;
          if (!r.inputs.has(k)) r.inputs.set(k, { name: String(ds.name), digest: String(ds.digest), source_type: String(ds.source_type), source: String(ds.source), ...(context ? { context } : {}) });
        }
        return {};
      }
      default:
        throw new HttpError(404, 'ENDPOINT_NOT_FOUND', `No endpoint ${method} ${path}`);
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const entry = { method: req.method ?? 'GET', path: url.pathname, status: 0 };
      requests.push(entry);
      const send = (status: number, payload: unknown): void => {
        entry.status = status;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (fail > 0 && entry.path.endsWith(failMatch)) {
        fail--;
        return send(failStatus, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'injected failure' });
      }
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
        return send(401, { error_code: 'UNAUTHENTICATED', message: 'missing or wrong bearer token' });
      }
      const basic = options.basicAuth && `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
      if (basic && req.headers.authorization !== basic) {
        return send(401, { error_code: 'UNAUTHENTICATED', message: 'missing or wrong basic credentials' });
      }
      let status = 200;
      let payload: unknown;
      try {
        payload = handle(entry.method, url.pathname, url.searchParams, Buffer.concat(chunks));
      } catch (err) {
        const e = err as { status?: number; code?: string; errorCode?: string; message: string };
        const code = e instanceof HttpError ? e.code : err instanceof StoreError ? err.errorCode : 'INVALID_PARAMETER_VALUE';
        status = e instanceof HttpError ? e.status : codeStatus(code);
        payload = { error_code: code, message: e.message };
      }
      if (stall > 0 && entry.path.endsWith(stallMatch)) {
        stall--; // applied, but the answer never comes
        return;
      }
      send(status, payload);
    });
  };

  let server: Server = createServer(onRequest);
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.on('connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const closeServer = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  const port = await listen(options.port ?? 0);
  return {
    uri: `http://127.0.0.1:${port}`,
    requests,
    artifacts,
    failNext(n, status = 503, match = '') {
      fail = n;
      failStatus = status;
      failMatch = match;
    },
    stallNext(n, match = '') {
      stall = n;
      stallMatch = match;
    },
    refuse: closeServer,
    async resume() {
      server = createServer(onRequest);
      await listen(port);
    },
    allRuns: () => [...runs.values()].map((r) => ({ ...toRun(r), metrics: runJson(r).data.metrics.map(fromMetricJson), history: r.metrics.map((m) => ({ ...m })), inputs: [...r.inputs.values()] })),
    close: closeServer,
  };
}

const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
const isRunStatus = (s: string): boolean => (RUN_STATUSES as readonly string[]).includes(s);

function runInfoJson(i: RunInfo) {
  return {
    run_id: i.runId, run_uuid: i.runId, run_name: i.runName, experiment_id: i.experimentId, status: i.status,
    start_time: i.startTime, ...(i.endTime !== undefined ? { end_time: i.endTime } : {}), artifact_uri: i.artifactUri, lifecycle_stage: i.lifecycleStage,
  };
}

function metricJson(m: MetricPoint) {
  const v = Number.isNaN(m.value) ? 'NaN' : m.value === Infinity ? 'Infinity' : m.value === -Infinity ? '-Infinity' : m.value;
  return { key: m.key, value: v, timestamp: m.timestamp, step: m.step };
}

function fromMetricJson(m: ReturnType<typeof metricJson>): MetricPoint {
  return { key: m.key, value: parseMetricValue(m.value), timestamp: m.timestamp, step: m.step };
}
