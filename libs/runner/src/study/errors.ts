/** Errors of studies (subclasses of the runner's base error). */
import { RunnerError, type RunnerErrorOptions } from '../errors.js';

/** A study cannot start: one or more models lack weights or are unknown, the data set is missing. Nothing was written. */
export class StudyPreflightError extends RunnerError {
  /** Each problem: the model's label (or the key) and what is wrong. */
  readonly problems: { label: string; message: string }[];
  constructor(problems: { label: string; message: string }[], options: RunnerErrorOptions = {}) {
    super(`the study cannot start (nothing was written):\n  ${problems.map((p) => `${p.label}: ${p.message.replace(/\n/g, '\n    ')}`).join('\n  ')}`, { kind: 'bad-input', ...options });
    this.problems = problems;
  }
}

/** A reference names no study. */
export class StudyNotFoundError extends RunnerError {
  /** The reference as given. */
  readonly path: string;
  constructor(path: string, message: string, options: RunnerErrorOptions = {}) {
    super(`${path}: ${message}`, { kind: 'not-found', ...options });
    this.path = path;
  }
}

/** A study journal holds a record that does not parse. */
export class StudyJournalError extends RunnerError {
  /** The journal file. */
  readonly path: string;
  constructor(path: string, message: string, options: RunnerErrorOptions = {}) {
    super(`${path}: ${message}`, options);
    this.path = path;
  }
}
