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
