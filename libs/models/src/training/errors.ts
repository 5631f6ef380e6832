/**
 * Errors of the fine-tune and the evaluator pool. They extend the lib's base class `ModelsError`;
 * each carries the input at fault.
 */
import { ModelsError } from '../errors.js';

/** Base class of the training and pool errors of `@slt/models`. */
export class TrainingError extends ModelsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An option or input of a fine-tune or pool is out of range or of the wrong shape. */
export class TrainingInputError extends TrainingError {
  /** The option or input at fault, e.g. `batchSize`, `splits.val.labels`, `genome`. */
  readonly input: string;
  /** The value that was given (shortened for arrays). */
  readonly value: unknown;
  constructor(input: string, value: unknown, expected: string) {
    super(`${input}: got ${describe(value)}, expected ${expected}`);
    this.name = 'TrainingInputError';
    this.input = input;
    this.value = value;
  }
}

/** The evaluation was aborted through its AbortSignal. */
export class EvaluationAbortedError extends TrainingError {
  /** The genome whose evaluation was aborted. */
  readonly genome: string;
  constructor(genome: string, options?: { cause?: unknown }) {
    super(`evaluation of genome ${genome} aborted`, options);
    this.name = 'EvaluationAbortedError';
    this.genome = genome;
  }
}

/** A pool worker failed (crashed, exited, or could not start). */
export class WorkerError extends TrainingError {
  /** Worker slot index (0-based). */
  readonly worker: number;
  constructor(worker: number, problem: string, options?: { cause?: unknown }) {
    super(`worker ${worker}: ${problem}`, options);
    this.name = 'WorkerError';
    this.worker = worker;
  }
}

/** The pool was used after `close()`. */
export class PoolClosedError extends TrainingError {
  constructor() {
    super('evaluator pool is closed');
    this.name = 'PoolClosedError';
  }
}

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length: number }).length})`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (Array.isArray(value)) return `[${value.slice(0, 6).join(', ')}${value.length > 6 ? ', ...' : ''}]`;
  return String(value);
}
