/**
 * Request bodies of the MLflow test double, checked as the real server checks them
 * (mlflow/server/handlers.py: `_get_request_message` with a per-endpoint schema of
 * `_assert_required`, `_assert_string`, `_assert_intlike`, `_assert_array`), then parsed with
 * zod into typed bodies. The messages are MLflow's: "Missing value for required parameter
 * 'run_id'. See the API docs for more information about request parameters."
 */
import { z } from 'zod';

/** An MLflow error answer: HTTP status, `error_code` and message. */
export class MlflowHttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'MlflowHttpError';
  }
}

const API_DOCS = ' See the API docs for more information about request parameters.';

/** Python's name of a JSON value's type, as MLflow's hint prints it. */
function pythonType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return Array.isArray(v) ? 'list' : 'dict';
}

const invalid = (param: string, value: unknown): MlflowHttpError =>
  new MlflowHttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(value)} for parameter '${param}' supplied: Hint: Value was of type '${pythonType(value)}'.${API_DOCS}`);
const missing = (param: string): MlflowHttpError => new MlflowHttpError(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${param}'.${API_DOCS}`);

/** One of MLflow's per-field checks: throws an MlflowHttpError, or returns. */
type Check = (value: unknown, param: string) => void;

const required: Check = (v, p) => {
  if (v === undefined || v === null || v === '') throw missing(p);
};
const string: Check = (v, p) => {
  if (typeof v !== 'string') throw invalid(p, v);
};
// int(x) in Python: integers, and strings of digits (int64 fields travel as strings in proto JSON).
const intlike: Check = (v, p) => {
  if (!(typeof v === 'number' && Number.isInteger(v)) && !(typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v))) throw invalid(p, v);
};
const array: Check = (v, p) => {
  if (!Array.isArray(v)) throw invalid(p, v);
};
const atMost = (max: number): Check => (v, p) => {
  if (Number(v) > max) throw new MlflowHttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(v)} for parameter '${p}' supplied.${API_DOCS}`);
};
/** Each entry of a list has these fields (log-batch's `metrics[0].value` ...). */
const entriesHave = (...fields: string[]): Check => (v, p) => {
  (v as unknown[]).forEach((entry, i) => {
    const e = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
    for (const f of fields) if (e[f] === undefined || e[f] === null || e[f] === '') throw missing(`${p}[${i}].${f}`);
  });
};

const keyValue = z.object({ key: z.string(), value: z.string().default('') });
const metric = z.object({ key: z.string(), value: z.unknown(), timestamp: z.unknown(), step: z.unknown().optional() });
const dataset = z.object({
  dataset: z.record(z.string(), z.unknown()).default({}),
  tags: z.array(keyValue).default([]),
});
const runId = { run_id: [required, string] };

/** Per endpoint (under /api/2.0/mlflow/): MLflow's field checks, and the zod schema of the typed body. */
const ENDPOINTS = {
  'experiments/create': {
    checks: { name: [required, string], artifact_location: [string], tags: [array] },
    schema: z.object({ name: z.string() }),
  },
  'runs/create': {
    checks: { experiment_id: [string], start_time: [intlike], run_name: [string] },
    schema: z.object({ experiment_id: z.string().default('0'), start_time: z.coerce.number().optional(), run_name: z.string().default(''), tags: z.array(keyValue).default([]) }),
  },
  'runs/search': {
    checks: { experiment_ids: [array], filter: [string], max_results: [intlike, atMost(50_000)], order_by: [array] },
    schema: z.object({
      experiment_ids: z.array(z.unknown()).default([]).transform((ids) => ids.map(String)),
      filter: z.string().default(''),
      max_results: z.coerce.number().default(1000),
      page_token: z.string().default(''),
    }),
  },
  'runs/log-batch': {
    checks: { ...runId, metrics: [array, entriesHave('key', 'value', 'timestamp')], params: [array, entriesHave('key')], tags: [array, entriesHave('key')] },
    schema: z.object({ run_id: z.string(), metrics: z.array(metric).default([]), params: z.array(keyValue).default([]), tags: z.array(keyValue).default([]) }),
  },
  'runs/set-tag': {
    checks: { ...runId, key: [required, string], value: [string] },
    schema: z.object({ run_id: z.string(), key: z.string(), value: z.string().default('') }),
  },
  'runs/update': {
    checks: { ...runId, end_time: [intlike], status: [string], run_name: [string] },
    schema: z.object({ run_id: z.string(), status: z.string().optional(), end_time: z.coerce.number().optional() }),
  },
  'runs/log-inputs': {
    checks: { ...runId, datasets: [array], models: [array] },
    schema: z.object({ run_id: z.string(), datasets: z.array(dataset).default([]) }),
  },
} satisfies Record<string, { checks: Record<string, Check[]>; schema: z.ZodType }>;

/** The POST endpoints the double answers. */
export type PostEndpoint = keyof typeof ENDPOINTS;

/** The typed body of a POST endpoint. */
export type RequestBody<E extends PostEndpoint> = z.output<(typeof ENDPOINTS)[E]['schema']>;

/** Whether `path` (under /api/2.0/mlflow/) is a POST endpoint the double answers. */
export function isPostEndpoint(path: string): path is PostEndpoint {
  return Object.hasOwn(ENDPOINTS, path);
}

/**
 * Reads a POST body as MLflow does: JSON that does not parse is an empty request (Flask's
 * `get_json(silent=True)`), a JSON string is decoded once more (older clients), each field of the
 * endpoint's schema is checked (a field absent and not required is not checked), and `run_uuid`
 * stands for a missing `run_id`.
 */
export function parseRequestBody<E extends PostEndpoint>(endpoint: E, raw: Buffer): RequestBody<E> {
  let json: unknown;
  try {
    json = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    if (typeof json === 'string') json = JSON.parse(json);
  } catch {
    json = {};
  }
  const body: Record<string, unknown> = json !== null && typeof json === 'object' && !Array.isArray(json) ? { ...(json as Record<string, unknown>) } : {};
  if (body.run_id === undefined && body.run_uuid !== undefined) body.run_id = body.run_uuid;
  const { checks, schema } = ENDPOINTS[endpoint];
  for (const [field, fns] of Object.entries(checks) as Array<[string, Check[]]>) {
    if (!(field in body) && !fns.includes(required)) continue;
    for (const check of fns) check(body[field], field);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('');
    throw new MlflowHttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid value for parameter '${param}' supplied: ${issue.message}.${API_DOCS}`);
  }
  return parsed.data as RequestBody<E>;
}
