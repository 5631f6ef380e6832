/**
 * The `slt` command line: one commander program; every sub-command lives in `commands/` and
 * registers itself through a `register(program)` function listed in `COMMANDS`.
 */
import * as tf from '@tensorflow/tfjs';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';

/** Builds the program with every sub-command registered. */
export function buildProgram(): Command {
  const program = new Command('slt')
    .description('Selective layer tuning: search which layers of a pretrained CNN to fine-tune, with a genetic algorithm')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // Production mode: no debug checks, and no "install tfjs-node" banner on every command.
  tf.enableProdMode();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander but successes to the user.
      return err.exitCode;
    }
    const e = err as Error & { exitCode?: number };
    process.stderr.write(`slt: ${e?.message ?? String(err)}\n`);
    if (process.env.SLT_DEBUG && e?.stack) process.stderr.write(`${e.stack}\n`);
    return typeof e?.exitCode === 'number' ? e.exitCode : 1;
  }
}
