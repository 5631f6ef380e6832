/**
 * The CLI's errors and its one mapping from errors to process exit codes. The libs carry no exit
 * codes: a runner error has a `kind` (see `RunnerErrorKind` of @slt/runner), mapped here.
 */
import type { RunnerErrorKind } from '@slt/runner';

/**
 * The base error of every `slt` command: `main` prints its message and exits with its `exitCode`.
 * Each command has its own subclass, so a message can be traced to the command that raised it.
 */
export class CliError extends Error {
  /** The process exit code (1 unless the command says otherwise, e.g. 2 for "problems found"). */
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
  }
}

/**
 * The exit code of each kind of runner error: 2 for bad input (as for a usage error), 130 for an
 * interrupted search (as a shell reports Ctrl-C), 1 for every other failure.
 */
export const EXIT_CODES: Readonly<Record<RunnerErrorKind, number>> = {
  'bad-input': 2,
  'not-found': 1,
  conflict: 1,
  failed: 1,
  interrupted: 130,
};

/**
 * The exit code for an error that ended a command: a {@link CliError}'s own code, a runner
 * error's kind mapped by {@link EXIT_CODES}, else 1. Duck-typed on `kind`, so that `main`
 * needs no lib loaded to map an error.
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  const e = err as { kind?: unknown; exitCode?: unknown } | null | undefined;
  if (typeof e?.kind === 'string' && Object.hasOwn(EXIT_CODES, e.kind)) return EXIT_CODES[e.kind as RunnerErrorKind];
  // A command's own error built in place (`Object.assign(new Error(..), { exitCode })`).
  if (typeof e?.exitCode === 'number') return e.exitCode;
  return 1;
}
