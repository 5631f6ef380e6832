/**
 * Where searches live (`./.slt/searches/<id>/` or `--out`), the pid lock of a running search and
 * the control file through which `stop` / `pause` / `continue` reach a (detached) search.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { JournalError, RunnerError } from '../errors.js';
import type { EvalProgressEvent } from '../journal/records.js';

/** File name of a search's journal inside its folder. */
export const JOURNAL_FILE = 'journal.jsonl';
/** File name of the pid lock of a running search. */
export const LOCK_FILE = 'search.lock';
/** File name of the control file. */
export const CONTROL_FILE = 'control.json';
/** File name of the latest live batch progress of a running search (an `eval.progress` event). */
export const PROGRESS_FILE = 'progress.json';

/** The default folder holding searches: `<cwd>/.slt/searches`. */
export function defaultSearchRoot(cwd: string = process.cwd()): string {
  return path.resolve(cwd, '.slt', 'searches');
}

/** A new search id: UTC time plus 4 random hex digits, e.g. `20261129-184512-a3f0`. */
export function newSearchId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/** Writes a file atomically (temp file in the same folder, then rename). */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** A search's folder and journal. */
export interface SearchLocation {
  dir: string;
  journalPath: string;
}

/**
 * Finds a search from what a user typed: a journal file, a search folder, or a search id (or a
 * unique prefix of one) under `root`.
 * @throws JournalError naming the reference and the searches that exist.
 */
export function locateSearch(ref: string, root: string = defaultSearchRoot()): SearchLocation {
  const abs = path.resolve(ref);
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) {
      const journalPath = path.join(abs, JOURNAL_FILE);
      // A detached launch writes detached.json before its process creates the journal.
      if (!existsSync(journalPath) && !existsSync(path.join(abs, 'detached.json'))) {
        throw new JournalError(abs, `no ${JOURNAL_FILE} in this folder: not a search folder`);
      }
      return { dir: abs, journalPath };
    }
    return { dir: path.dirname(abs), journalPath: abs };
  }
  const ids = existsSync(root) ? readdirSync(root).filter((d) => existsSync(path.join(root, d, JOURNAL_FILE))) : [];
  const hits = ids.filter((id) => id === ref || id.startsWith(ref));
  if (hits.length === 1 || hits.includes(ref)) {
    const id = hits.includes(ref) ? ref : hits[0];
    return { dir: path.join(root, id), journalPath: path.join(root, id, JOURNAL_FILE) };
  }
  const known = ids.length ? ids.slice(-10).join(', ') : 'none';
  throw new JournalError(ref, hits.length > 1 ? `ambiguous search id; matches ${hits.join(', ')}` : `no such search file, folder or id under ${root} (searches: ${known})`);
}

/** Content of a search's lock file. */
export interface SearchLock {
  pid: number;
  host: string;
  startedAt: string;
}

/** True when `pid` is a live process on this host. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a search's lock; undefined when none or unreadable. */
export function readLock(dir: string): SearchLock | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as SearchLock;
  } catch {
    return undefined;
  }
}

/** True when a live process on this host holds the search's lock. */
export function isSearchRunning(dir: string): boolean {
  const lock = readLock(dir);
  return !!lock && lock.host === hostname() && isAlive(lock.pid);
}

/**
 * Takes a search's lock for this process.
 * @throws RunnerError when another live process holds it.
 */
export function acquireLock(dir: string): () => void {
  const lock = readLock(dir);
  if (lock && lock.pid !== process.pid && lock.host === hostname() && isAlive(lock.pid)) {
    throw new RunnerError(`search ${dir} is already running (pid ${lock.pid}); attach with: slt attach ${dir}`);
  }
  const file = path.join(dir, LOCK_FILE);
  writeFileAtomic(file, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() } satisfies SearchLock));
  return () => {
    if (readLock(dir)?.pid === process.pid) rmSync(file, { force: true });
  };
}

/** Commands a running search obeys. */
export type ControlCommand = 'stop' | 'pause' | 'continue';

/** Sends a command to a running search through its control file. */
export function sendControl(dir: string, command: ControlCommand): void {
  if (!['stop', 'pause', 'continue'].includes(command)) {
    throw new RunnerError(`unknown control command ${JSON.stringify(command)} (valid: stop, pause, continue)`);
  }
  writeFileAtomic(path.join(dir, CONTROL_FILE), JSON.stringify({ command, time: new Date().toISOString() }));
}

/** Reads the last control command (undefined when none). */
export function readControl(dir: string): { command: ControlCommand; time: string } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, CONTROL_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Removes the control file (a new run starts without a stale command). */
export function clearControl(dir: string): void {
  rmSync(path.join(dir, CONTROL_FILE), { force: true });
}

/**
 * The latest batch progress a running search wrote (for readers of a detached search, such as the
 * TUI); undefined when none or unreadable. Feed it to `reduceSearch` like any event.
 */
export function readProgress(dir: string): EvalProgressEvent | undefined {
  try {
    const e = JSON.parse(readFileSync(path.join(dir, PROGRESS_FILE), 'utf8')) as EvalProgressEvent;
    return e?.type === 'eval.progress' ? e : undefined;
  } catch {
    return undefined;
  }
}
