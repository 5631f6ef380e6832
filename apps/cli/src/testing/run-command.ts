import { Command } from 'commander';
import { vi } from 'vitest';
import type { RegisterCommand } from '../commands/index.js';
import { exitCodeFor } from '../errors.js';

/** What running one command in a test gave: its stdout, the exit code it would give, its error. */
export interface CommandRun {
  out: string;
  /** What it wrote on stderr. */
  err: string;
  code: number;
  error?: string;
}

/**
 * Runs `slt <args>` on a fresh program holding only the commands `register` adds, capturing
 * stdout; a thrown error becomes its exit code (`exitCodeFor`), as `main` would exit.
 */
export async function runCommand(register: RegisterCommand, args: string[]): Promise<CommandRun> {
  const program = new Command('slt').exitOverride();
  register(program);
  let out = '';
  let errText = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    errText += String(chunk);
    return true;
  });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, err: errText, code: typeof process.exitCode === 'number' ? process.exitCode : 0 };
  } catch (err) {
    return { out, err: errText, code: exitCodeFor(err), error: (err as Error).message };
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
    process.exitCode = exitCode;
  }
}
