/**
 * The runner's errors: one base class ({@link RunnerError}) and subclasses that carry the
 * offending input as context and the underlying error as `cause`.
 */

/**
 * What kind of failure a runner error is, so that a client can react (a CLI picks its exit code
 * from it; the runner knows nothing of exit codes):
 * - `bad-input`: what the user gave is wrong (a config key, a flag, an --out that holds a search,
 *   a resume whose data or weights changed); fixing the input fixes it.
 * - `not-found`: a reference (search or study id, folder, journal) names nothing.
 * - `conflict`: another process holds the search or study (running elsewhere).
 * - `failed`: the work itself failed (a damaged journal, a setup step, too many failed evaluations).
 * - `interrupted`: stopped on request (Ctrl-C, `slt stop`); resumable.
 */
export type RunnerErrorKind = 'bad-input' | 'not-found' | 'conflict' | 'failed' | 'interrupted';

/** Options shared by every runner error. */
export interface RunnerErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** What kind of failure this is (default: the class's own, `failed` for a plain RunnerError). */
  kind?: RunnerErrorKind;
}

/** Base class of every error thrown by `@slt/runner`. */
export class RunnerError extends Error {
  /** What kind of failure this is (see {@link RunnerErrorKind}). */
  readonly kind: RunnerErrorKind;
  constructor(message: string, options: RunnerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = options.kind ?? 'failed';
  }
}

/** A search configuration is invalid: names the key (`path`) and what is wrong. */
export class ConfigError extends RunnerError {
  /** Where the configuration came from (a file path, `flags`, ...). */
  readonly source: string;
  /** Each problem as `key: message`. */
  readonly issues: string[];
  constructor(source: string, issues: string[], options: RunnerErrorOptions = {}) {
    super(`invalid search config (${source}):\n  ${issues.join('\n  ')}`, { kind: 'bad-input', ...options });
    this.source = source;
    this.issues = issues;
  }
}

/**
 * A search reference (file, folder or id) names no search. (A journal that cannot be read or
 * holds a damaged record is `JournalError` of @slt/tracking, naming the file and line.)
 */
export class SearchNotFoundError extends RunnerError {
  /** The reference as given. */
  readonly path: string;
  constructor(path: string, message: string, options: RunnerErrorOptions = {}) {
    super(`${path}: ${message}`, { kind: 'not-found', ...options });
    this.path = path;
  }
}

/** A search cannot be resumed (finished already, journal without a start, running elsewhere). */
export class ResumeError extends RunnerError {
  /** The journal file. */
  readonly path: string;
  constructor(path: string, message: string, options: RunnerErrorOptions = {}) {
    super(`cannot resume ${path}: ${message}`, options);
    this.path = path;
  }
}

/** A search stopped because it was interrupted (Ctrl-C, stop command); the journal is resumable. */
export class SearchInterruptedError extends RunnerError {
  /** The journal file, to resume from. */
  readonly journalPath: string;
  constructor(journalPath: string, options: RunnerErrorOptions = {}) {
    super(`search interrupted; resume with: slt resume ${journalPath}`, { kind: 'interrupted', ...options });
    this.journalPath = journalPath;
  }
}

/** A dependency lib failed in a way that stops the whole search (data set, model, tracking). */
export class SearchSetupError extends RunnerError {
  /** Which step failed: 'dataset' | 'model' | 'tracking' | 'backend' | 'ga'. */
  readonly step: string;
  constructor(step: string, message: string, options: RunnerErrorOptions = {}) {
    super(`${step}: ${message}`, options);
    this.step = step;
  }
}

/** More evaluations failed (after their retries) than `maxFailures` allows: the search stopped. */
export class TooManyFailuresError extends RunnerError {
  /** The failed evaluations (key and reason). */
  readonly failures: { key: string; error: string }[];
  /** The limit that was passed. */
  readonly maxFailures: number;
  constructor(failures: { key: string; error: string }[], maxFailures: number, options: RunnerErrorOptions = {}) {
    const list = failures.slice(0, 10).map((f) => `${f.key}: ${f.error}`).join('; ');
    super(`search stopped: ${failures.length} evaluations failed (more than --max-failures ${maxFailures}): ${list}${failures.length > 10 ? '; ...' : ''}`, options);
    this.failures = failures;
    this.maxFailures = maxFailures;
  }
  /** Keys of the failed evaluations. */
  get keys(): string[] {
    return this.failures.map((f) => f.key);
  }
}
