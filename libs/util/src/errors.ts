/** The base error of @slt/util. */
export class UtilError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad argument to a util function: names the argument, the value and what is expected. */
export class UtilArgumentError extends UtilError {
  constructor(
    /** The argument's name. */
    readonly argument: string,
    /** The value given. */
    readonly value: unknown,
    /** What is expected instead. */
    readonly expected: string,
  ) {
    super(`${argument}: expected ${expected}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
}
