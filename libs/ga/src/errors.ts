/** Base class of every error thrown by `@slt/ga`. */
export class GaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An engine option (or a `baselineMasks` option) is missing or out of range. */
export class GaOptionsError extends GaError {
  /** Name of the offending option, e.g. `populationSize`. */
  readonly option: string;
  /** The value that was given. */
  readonly value: unknown;
  /** Human-readable description of the valid values, e.g. `a multiple of 4 in 4..100000`. */
  readonly expected: string;
  constructor(option: string, value: unknown, expected: string, options?: { cause?: unknown }) {
    super(`Invalid GA option ${option}: got ${describe(value)}; expected ${expected}`, options);
    this.option = option;
    this.value = value;
    this.expected = expected;
  }
}

/** A genome string or bit array is malformed, or breaks a locked gene. */
export class GenomeError extends GaError {
  /** The input that was rejected (truncated to 80 characters). */
  readonly input: string;
  /** Position of the first bad gene, when there is one. */
  readonly position: number | undefined;
  constructor(message: string, input: string, position?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.input = input.length > 80 ? `${input.slice(0, 77)}...` : input;
    this.position = position;
  }
}

/** `tell()` got an unknown or already-told id, or a fitness that is not a finite number. */
export class GaTellError extends GaError {
  /** The request id passed to `tell()`. */
  readonly id: string;
  constructor(message: string, id: string, options?: { cause?: unknown }) {
    super(message, options);
    this.id = id;
  }
}

/** A serialised state passed to `restoreGa()` is malformed or inconsistent. */
export class GaStateError extends GaError {
  /** Dotted path of the offending field in the state, e.g. `members[3].key`. */
  readonly field: string;
  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`Invalid GA state at ${field}: ${problem}`, options);
    this.field = field;
  }
}

/** A listener registered with `on()` threw; the engine state is intact. */
export class GaListenerError extends GaError {
  /** The event whose listener threw. */
  readonly event: string;
  /** What the engine call returned before the listener threw (the request, for `ask()`). */
  readonly result: unknown;
  constructor(event: string, cause: unknown, result?: unknown) {
    super(`A listener of GA event ${event} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.event = event;
    this.result = result;
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
