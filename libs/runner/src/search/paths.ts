/**
 * Where searches live (`./.slt/searches/<id>/` or `--out`), the pid lock of a running search and
 * the control file through which `stop` / `pause` / `continue` reach a (detached) search.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { LockHeldError, acquireFileLock, isProcessAlive, readLockOwner, removeStaleTemps, writeFileAtomicSync, type LockOwner } from '@slt/util';
import { SearchNotFoundError, RunnerError } from '../errors.js';
import type { TrackingStatusEvent } from '../ports/tracking.js';
import type { EvalProgressEvent, SearchPhaseEvent } from '../journal/records.js';
import { findInSearchIndex, searchIndexFile } from './search-index.js';

/** File name of a search's journal inside its folder. */
export const JOURNAL_FILE = 'journal.jsonl';
/** File name of the pid lock of a running search. */
export const LOCK_FILE = 'search.lock';
/** File name of the control file. */
export const CONTROL_FILE = 'control.json';
/** File name of the latest live batch progress of a running search (an `eval.progress` event). */
export const PROGRESS_FILE = 'progress.json';
/** File name of the live MLflow delivery status of a running search (a `tracking.status` event). */
export const TRACKING_STATUS_FILE = 'tracking.json';

/** The default folder holding searches: `$SLT_HOME/searches` when SLT_HOME is set, else `<cwd>/.slt/searches`. */
export function defaultSearchRoot(cwd: string = process.cwd()): string {
  // SLT_HOME names one home for every folder: `$SLT_HOME/searches` (slt ls, the TUI, --detach).
  const home = process.env.SLT_HOME;
  if (home) return path.resolve(home, 'searches');
  return path.resolve(cwd, '.slt', 'searches');
}

/** A new search id: UTC time plus 4 random hex digits, e.g. `20261129-184512-a3f0`. */
export function newSearchId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/** Writes a file atomically (temp file in the same folder, then rename; no fsync), with @slt/util. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  writeFileAtomicSync(file, content, { fsync: false });
}

/** A search's folder and journal. */
export interface SearchLocation {
  dir: string;
  journalPath: string;
}

/**
 * Finds a search from what a user typed: a journal file, a search folder, or a search id (or a
 * unique prefix of one) under `root`, else in the per-user index of searches (any folder).
 * @throws SearchNotFoundError naming the reference and the searches that exist.
 */
export function locateSearch(ref: string, root: string = defaultSearchRoot()): SearchLocation {
  const abs = path.resolve(ref);
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) {
      const journalPath = path.join(abs, JOURNAL_FILE);
      // A detached launch writes detached.json before its process creates the journal.
      if (!existsSync(journalPath) && !existsSync(path.join(abs, 'detached.json'))) {
        throw new SearchNotFoundError(abs, `no ${JOURNAL_FILE} in this folder: not a search folder`);
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
  if (hits.length > 1) throw new SearchNotFoundError(ref, `ambiguous search id; matches ${hits.join(', ')}`);
  // Not under root: the per-user index knows the searches started from any folder.
  const known = findInSearchIndex(ref, 'search', (e) => existsSync(path.join(e.dir, JOURNAL_FILE)) || existsSync(path.join(e.dir, 'detached.json')));
  if (known.length === 1) return { dir: known[0].dir, journalPath: path.join(known[0].dir, JOURNAL_FILE) };
  if (known.length > 1) throw new SearchNotFoundError(ref, `ambiguous search id; matches ${known.map((e) => `${e.id} (${e.dir})`).join(', ')}`);
  const index = searchIndexFile();
  const listed = ids.length ? ids.slice(-10).join(', ') : 'none';
  throw new SearchNotFoundError(ref, `no such search file, folder or id under ${root}${index ? ' or in your index of searches' : ''} (searches: ${listed}; every known one: slt ls)`);
}

/** Content of a search's lock file (the lock primitive's owner record, @slt/util). */
export type SearchLock = LockOwner;

/** True when `pid` is a live process on this host (@slt/util `isProcessAlive`). */
export const isAlive: (pid: number) => boolean = isProcessAlive;

/** Reads a search's lock; undefined when none or unreadable (@slt/util `readLockOwner`). */
export function readLock(dir: string): SearchLock | undefined {
  return readLockOwner(path.join(dir, LOCK_FILE));
}

/** True when a live process on this host holds the search's lock. */
export function isSearchRunning(dir: string): boolean {
  const lock = readLock(dir);
  return !!lock && lock.host === hostname() && isAlive(lock.pid);
}

/**
 * Takes a search's lock for this process (one primitive for every slt lock: an exclusive create,
 * a dead holder's lock taken over; see @slt/util `acquireFileLock`), and removes the temp
 * files a killed process left in the folder.
 * @throws RunnerError when another live process holds it.
 */
export function acquireLock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  let release: () => void;
  try {
    release = acquireFileLock(file, { what: `search ${dir}` });
  } catch (err) {
    if (err instanceof LockHeldError) {
      throw new RunnerError(`search ${dir} is already running (pid ${err.owner.pid}); attach with: slt attach ${dir}`, { cause: err, kind: 'conflict' });
    }
    throw new RunnerError(`cannot lock search ${dir}: ${(err as Error).message}`, { cause: err });
  }
  removeStaleTemps(dir, isProcessAlive);
  return release;
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
export function readProgress(dir: string): EvalProgressEvent | SearchPhaseEvent | undefined {
  try {
    const e = JSON.parse(readFileSync(path.join(dir, PROGRESS_FILE), 'utf8')) as EvalProgressEvent | SearchPhaseEvent;
    return e?.type === 'eval.progress' || e?.type === 'search.phase' ? e : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Hands a live event (a setup phase) to `onEvent` and, when the search's folder exists, to
 * progress.json for readers of a detached search. Never throws over the file: it is a convenience.
 */
export function emitLiveEvent(dir: string, e: SearchPhaseEvent, onEvent?: (e: SearchPhaseEvent) => void): void {
  onEvent?.(e);
  try {
    if (existsSync(dir)) writeFileAtomic(path.join(dir, PROGRESS_FILE), JSON.stringify(e));
  } catch {
    /* progress is a convenience */
  }
}

/**
 * The MLflow delivery status a running search wrote last (phase, retries, pending runs), for
 * readers of a detached search such as the TUI; undefined when none or unreadable.
 */
export function readTrackingStatus(dir: string): TrackingStatusEvent | undefined {
  try {
    const e = JSON.parse(readFileSync(path.join(dir, TRACKING_STATUS_FILE), 'utf8')) as TrackingStatusEvent;
    return e?.type === 'tracking.status' ? e : undefined;
  } catch {
    return undefined;
  }
}
