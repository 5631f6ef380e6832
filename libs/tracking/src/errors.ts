/**
 * Errors of libs/tracking: one base class, `TrackingError`, and subclasses that carry the
 * context (file, request, key) and the underlying `cause`.
 */

/** Base class of every error thrown by `@slt/tracking`. */
export class TrackingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A value handed to the journal or a sink breaks a rule (key rule, length, immutability...). */
export class TrackingValidationError extends TrackingError {
  /** What was invalid, e.g. `param key`, `runKey`, `metric value`. */
  readonly input: string;
  constructor(input: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.input = input;
  }
}

/** The journal file cannot be read, written or parsed. */
export class JournalError extends TrackingError {
  /** The journal file. */
  readonly file: string;
  /** 1-based line number, when the problem is a line. */
  readonly line?: number;
  constructor(file: string, message: string, options?: { cause?: unknown; line?: number }) {
    super(message, options);
    this.file = file;
    this.line = options?.line;
  }
}

/** An MLflow REST request failed (a 4xx, or a network error / 429 / 5xx after all retries). */
export class MlflowRequestError extends TrackingError {
  /** HTTP method of the request. */
  readonly method: string;
  /** Path of the request, e.g. `/api/2.0/mlflow/runs/log-batch`. */
  readonly path: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** MLflow's `error_code`, e.g. `RESOURCE_DOES_NOT_EXIST`, when the server gave one. */
  readonly errorCode?: string;
  /** True when the failure is transient (network error, 429, 5xx): retrying later may succeed. */
  readonly retryable: boolean;
  constructor(
    message: string,
    context: { method: string; path: string; status?: number; errorCode?: string; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.method = context.method;
    this.path = context.path;
    this.status = context.status;
    this.errorCode = context.errorCode;
    this.retryable = context.retryable;
  }
}

/**
 * Whether an error's message names the store already: every request error of an MLflow server
 * does ("MLflow at URL is unreachable: ...", "POST ... to URL answered 503: ..."). Wrappers add the
 * store's name only when it does not, so it is said once.
 */
export function namesStore(err: unknown): boolean {
  return err instanceof MlflowRequestError;
}

/** Whether an error is a request that reached no MLflow server (refused, unknown host, timeout): no HTTP status. */
export function isUnreachable(err: unknown): err is MlflowRequestError {
  return err instanceof MlflowRequestError && err.retryable && err.status === undefined;
}

/** A store operation was refused (MLflow semantics), e.g. `RESOURCE_ALREADY_EXISTS`. */
export class StoreError extends TrackingError {
  /** MLflow-style error code: `RESOURCE_ALREADY_EXISTS`, `RESOURCE_DOES_NOT_EXIST`, `INVALID_PARAMETER_VALUE`. */
  readonly errorCode: string;
  constructor(errorCode: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorCode = errorCode;
  }
}

/** Delivery of the journal to a sink failed in a way retrying will not fix. */
export class DeliveryError extends TrackingError {
  /** The journal being delivered. */
  readonly journal: string;
  /** Sequence number of the record that could not be delivered. */
  readonly seq?: number;
  constructor(journal: string, message: string, options?: { cause?: unknown; seq?: number }) {
    super(message, options);
    this.journal = journal;
    this.seq = options?.seq;
  }
}

/** True when `err` is transient (network, 429, 5xx) and the operation may be retried. */
export function isRetryable(err: unknown): boolean {
  return err instanceof MlflowRequestError && err.retryable;
}
