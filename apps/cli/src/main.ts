/**
 * The `slt` command line: one commander program; every sub-command lives in `commands/` and
 * registers itself through a `register(program)` function listed in `COMMANDS`.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS, type CommandModule } from './commands/index.js';
import { exitCodeFor } from './errors.js';
import { loadTfjs } from './runner.js';

/** The exit-code convention of every `slt` command (shown by `slt --help`). */
export const EXIT_CODES_HELP = `
Exit codes:
  0    success (also \`slt resume\` of a search that had already finished)
  1    failure while running (a search or delivery that failed, MLflow unreachable for sync)
  2    bad usage or bad input, found before anything was written (unknown option, bad value,
       missing argument, bad config, weights, data, --out or tracking URI)
  130  interrupted (Ctrl-C, slt stop); the search is resumable with \`slt resume\``;

/** The module of the command `argv` runs (`slt <command> ...` or `slt help <command>`), if any. */
function invokedModule(argv: string[]): CommandModule | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name === undefined ? undefined : COMMANDS.find((m) => Object.hasOwn(m.commands, name));
}

/**
 * Builds the program for `argv`: the module of the command it runs is loaded and registers its
 * commands in full (flags, action); every other command is listed by name and summary only, so
 * `slt --help` and `slt --version` load no lib (and no tfjs).
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('slt')
    .description('Selective layer tuning: search which layers of a pretrained CNN to fine-tune, with a genetic algorithm')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP);
  const invoked = invokedModule(argv);
  for (const module of COMMANDS) {
    if (module === invoked) (await module.load())(program);
    else for (const [name, summary] of Object.entries(module.commands)) program.command(name).description(summary);
  }
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const invoked = invokedModule(argv);
    if (invoked) {
      // tfjs in production mode before the command runs, unless it starts workers first and loads tfjs itself.
      if (!invoked.startsWorkers) await loadTfjs();
      // `slt ls | head`: a closed pipe ends the command quietly, no EPIPE stack trace.
      (await import('@slt/runner/light')).exitOnClosedPipe();
    }
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander but successes to the user; every usage
      // error (unknown option or command, missing or invalid argument) is a bad-input exit 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    const e = err as Error | undefined;
    process.stderr.write(`slt: ${e?.message ?? String(err)}\n`);
    if (process.env.SLT_DEBUG && e?.stack) process.stderr.write(`${e.stack}\n`);
    return exitCodeFor(err);
  }
}
