/**
 * The `--root` option of every command that takes a search id (attach, stop, pause, continue,
 * resume, sync, rm, ls, predict): the folder ids are looked up in first; an id not there is
 * looked up in the per-user index of searches (any folder).
 */
import type { Command } from 'commander';
import { defaultSearchRoot } from '@slt/runner/light';

/** Options of a command with `--root`. */
export interface RootFlags {
  root?: string;
}

/** Adds `--root <dir>` (default `$SLT_HOME/searches`, else `./.slt/searches`, read when the command runs). */
export function addRootOption<C extends Command>(cmd: C): C {
  cmd.option('--root <dir>', 'folder of searches ids are looked up in (default $SLT_HOME/searches, else ./.slt/searches); ids not there come from your index of searches');
  return cmd;
}

/** The root folder of a command's `--root` (or the default). */
export function rootOf(opts: RootFlags): string {
  return opts.root ?? defaultSearchRoot();
}
