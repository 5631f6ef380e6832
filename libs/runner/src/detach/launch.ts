/**
 * The one detached launch of a search, for every client (`slt search|baselines|compare --detach`,
 * the TUI's form): a folder and id fixed here, the `slt` command run in its own session through
 * {@link spawnDetached}, and where to follow it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RunnerError } from '../errors.js';
import { JOURNAL_FILE, defaultSearchRoot, newSearchId } from '../search/paths.js';
import { rememberSearch } from '../search/search-index.js';
import { spawnDetached } from './detach.js';

/**
 * The `slt` command's bin: `SLT_BIN` when set, else the `bin.slt` of the installed `@slt/cli`
 * package (found by Node's module resolution, not by a path relative to a caller's file).
 * @throws RunnerError when neither names an existing file.
 */
export function sltBin(): string {
  const fromEnv = process.env.SLT_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new RunnerError(`SLT_BIN=${fromEnv}: no such file (unset it, or point it at apps/cli/bin/slt.js)`);
    return fromEnv;
  }
  // The node_modules folders Node would search for @slt/cli from here (its package.json is not exported).
  const dirs = createRequire(import.meta.url).resolve.paths('@slt/cli') ?? [];
  const pkgFile = dirs.map((d) => path.join(d, '@slt', 'cli', 'package.json')).find((f) => existsSync(f));
  if (!pkgFile) throw new RunnerError('the slt command is not installed here (@slt/cli not found; run npm ci, or set SLT_BIN to its bin)');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin?: string | Record<string, string> };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.slt;
  const bin = rel ? path.resolve(path.dirname(pkgFile), rel) : undefined;
  if (!bin || !existsSync(bin)) throw new RunnerError(`the slt command is missing (${pkgFile} names no existing bin "slt"; set SLT_BIN to its path)`);
  return bin;
}

/** Options of {@link launchDetached}. */
export interface LaunchDetachedOptions {
  /** The `slt` command the child runs: `search`, `baselines` or `compare` (a study: `compare` with several models). */
  command: 'search' | 'baselines' | 'compare';
  /** Its flags as `--name value` pairs in order (no `--out`, `--search-id`, `--detach`: set here). */
  args: string[];
  /** Folder of the search (default `<root>/<id>`). */
  out?: string;
  /** Folder under which the search's folder is made (default `./.slt/searches`). */
  root?: string;
  /** Id of the search (default: time + random). */
  searchId?: string;
  /** The `slt` bin (default {@link sltBin}). */
  bin?: string;
}

/** A search started in the background. */
export interface Launched {
  searchId: string;
  /** Its folder (`slt attach <dir>`, the TUI's live screen). */
  dir: string;
  journalPath: string;
  /** The detached process. */
  pid: number;
}

/** Flags (camelCase keys, values as typed) as `--kebab-case value` pairs; empty values are left out. */
export function flagArgs(flags: Record<string, string | number | boolean | undefined>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || v === '' || v === false) continue;
    const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (v === true) out.push(flag);
    else out.push(flag, String(v));
  }
  return out;
}

/** Starts `slt <command> <args> --out <dir> --search-id <id>` detached (it survives the terminal and SSH closing). */
export function launchDetached(options: LaunchDetachedOptions): Launched {
  const bad = options.args.find((a) => a === '--out' || a === '--search-id' || a === '--detach');
  if (bad) throw new RunnerError(`launchDetached: ${bad} is set by the launch itself, not in args`);
  const searchId = options.searchId ?? newSearchId();
  const dir = path.resolve(options.out ?? path.join(options.root ?? defaultSearchRoot(), searchId));
  mkdirSync(dir, { recursive: true });
  const pid = spawnDetached({ dir, args: [options.bin ?? sltBin(), options.command, ...options.args, '--out', dir, '--search-id', searchId] });
  rememberSearch({ kind: 'search', id: searchId, dir, mode: options.command });
  return { searchId, dir, journalPath: path.join(dir, JOURNAL_FILE), pid };
}
