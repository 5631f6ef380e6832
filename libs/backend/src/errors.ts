/** Context carried by every {@link BackendError}. */
export interface BackendErrorContext {
  /** The backend the error is about ('tensorflow', 'wasm' or 'cpu'), when there is one. */
  backend?: string;
  /** The option or environment variable that held a bad value, when there is one. */
  option?: string;
  /** The kernel the error is about, when there is one. */
  kernel?: string;
}

/** Base class of every error thrown by `@slt/backend`. */
export class BackendError extends Error {
  /** What the error is about (backend, option, kernel). */
  readonly context: BackendErrorContext;

  constructor(message: string, context: BackendErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.context = context;
  }
}

/** An explicitly requested backend could not be loaded or initialised. */
export class BackendUnavailableError extends BackendError {
  /** The backend that was requested. */
  readonly backend: string;

  constructor(backend: string, why: string, options?: { cause?: unknown }) {
    super(`backend '${backend}' is unavailable: ${why}`, { backend }, options);
    this.backend = backend;
  }
}

/** An option or environment variable has a value outside its valid set or range. */
export class BackendOptionError extends BackendError {
  /** The option (or environment variable) name. */
  readonly option: string;
  /** The rejected value. */
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string) {
    super(`${option} is ${JSON.stringify(value)}; expected ${expected}`, { option });
    this.option = option;
    this.value = value;
  }
}

/** A wasm gradient kernel was called with inputs or attributes it does not support. */
export class KernelInputError extends BackendError {
  /** The kernel name, e.g. 'Conv2DBackpropFilter'. */
  readonly kernel: string;

  constructor(kernel: string, what: string) {
    super(`${kernel}: ${what}`, { kernel, backend: 'wasm' });
    this.kernel = kernel;
  }
}
