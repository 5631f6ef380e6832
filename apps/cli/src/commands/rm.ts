/** `slt rm <search>`: removes a search's folder (journal, lock, outputs); never a running one. */
import { existsSync, rmSync } from 'node:fs';
import type { Command } from 'commander';
import { isSearchRunning, locateSearch, readSearchState } from '@slt/runner';
import { CliError } from '../errors.js';
import { addRootOption, rootOf, type RootFlags } from './root.js';

/** An `slt rm` that cannot remove what it was given. */
export class RmError extends CliError {}

/** Registers `slt rm`. */
export function registerRm(program: Command): void {
  addRootOption(program
    .command('rm')
    .description('Remove a search (its folder); its MLflow runs are left as they are')
    .argument('<search>', 'search id (or unique prefix), folder or journal file')
    .option('--json', 'what was removed, as one JSON line'))
    .action(async (ref: string, opts: RootFlags & { json?: boolean }) => {
      const { dir } = locateSearch(ref, rootOf(opts));
      if (isSearchRunning(dir)) throw new RmError(`search ${dir} is running; stop it first (slt stop ${dir}), then remove it`, { exitCode: 1 });
      const s = await readSearchState(dir).catch(() => undefined);
      const store = s?.config?.trackingUri ?? 'the MLflow store it used';
      rmSync(dir, { recursive: true, force: true });
      if (existsSync(dir)) throw new RmError(`could not remove ${dir}`);
      if (opts.json) process.stdout.write(`${JSON.stringify({ type: 'removed', searchId: s?.searchId ?? ref, dir, mlflowRunsLeft: !!s?.parentRunKey })}\n`);
      else {
        process.stdout.write(`removed search ${s?.searchId ?? ref} (${dir})\n`);
        if (s?.parentRunKey) process.stdout.write(`  its MLflow runs stay in ${store} (delete them there if you want them gone)\n`);
      }
    });
}
