/**
 * Errors of `@slt/audio`: one base class, {@link AudioError}, and subclasses that carry the
 * offending input (file, option) and the underlying `cause`.
 */

/** Base class of every error thrown by `@slt/audio`. */
export class AudioError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AudioError';
  }
}

/**
 * An audio file that cannot be decoded: missing, not a regular file, an unknown or unsupported
 * format, corrupt or truncated. The message is printable text (never raw header bytes).
 */
export class AudioDecodeError extends AudioError {
  /** The file (or label of the buffer) that failed. */
  readonly file: string;
  /** What is wrong with it, without the file name. */
  readonly reason: string;
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${reason}`, options);
    this.name = 'AudioDecodeError';
    this.file = file;
    this.reason = reason;
  }
}

/** A WAV file that cannot be read: not RIFF/WAVE, unsupported encoding, corrupt or truncated. */
export class WavDecodeError extends AudioDecodeError {
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(file, reason, options);
    this.name = 'WavDecodeError';
  }
}

/** An option out of its valid range (names the option, the value given and what is valid). */
export class AudioOptionError extends AudioError {
  /** Name of the option, e.g. `sampleRate`. */
  readonly option: string;
  /** The value that was given. */
  readonly value: unknown;
  constructor(option: string, value: unknown, expected: string, options?: { cause?: unknown }) {
    super(`option ${option}: got ${JSON.stringify(value)}, expected ${expected}`, options);
    this.name = 'AudioOptionError';
    this.option = option;
    this.value = value;
  }
}

/** The feature cache folder or one of its entries cannot be read or written. */
export class FeatureCacheError extends AudioError {
  /** The cache folder or entry path. */
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`feature cache ${path}: ${reason}`, options);
    this.name = 'FeatureCacheError';
    this.path = path;
  }
}
