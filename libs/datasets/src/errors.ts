/**
 * Errors of `@slt/datasets`: one base class, {@link DatasetError}, and subclasses that carry the
 * input at fault (a file, an option, a class folder) so a caller can act on it.
 */

/** Base class of every error thrown by `@slt/datasets`. */
export class DatasetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatasetError';
  }
}

/** An option passed to a loader is out of range or of the wrong kind. */
export class DatasetOptionError extends DatasetError {
  /** The option's name, e.g. `fractions`. */
  readonly option: string;
  /** The value that was given. */
  readonly value: unknown;
  constructor(option: string, value: unknown, expected: string) {
    super(`option ${option}: got ${describe(value)}, expected ${expected}`);
    this.name = 'DatasetOptionError';
    this.option = option;
    this.value = value;
  }
}

/** A file could not be read, or its content is corrupt, truncated or out of range. */
export class DatasetFileError extends DatasetError {
  /** The file at fault (absolute or as given). */
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = 'DatasetFileError';
    this.file = file;
  }
}

/** A class (folder or class id) has no usable example. */
export class DatasetEmptyClassError extends DatasetError {
  /** The class name. */
  readonly className: string;
  /** Where the class was expected (a folder, or the metadata file). */
  readonly location: string;
  constructor(className: string, location: string, detail = 'holds no usable example') {
    super(`class "${className}" (${location}) ${detail}`);
    this.name = 'DatasetEmptyClassError';
    this.className = className;
    this.location = location;
  }
}

/** The path is not a data set layout this lib knows (IDX, UrbanSound8K, class folders). */
export class DatasetLayoutError extends DatasetError {
  /** The path that was inspected. */
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.name = 'DatasetLayoutError';
    this.path = path;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
