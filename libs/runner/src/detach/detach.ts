/**
 * Detached searches: a search process in its own session (it survives the terminal and SSH
 * closing), its output in files beside the journal; attaching follows the journal.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { followJournal, type JournalRecord } from '@slt/tracking';
import { RunnerError } from '../errors.js';
import { toSearchEvent } from '../journal/read.js';
import type { SearchEvent } from '../journal/records.js';
import { initialSearchState, reduceSearch } from '../state/reducer.js';
import type { SearchState } from '../state/types.js';
import { isAlive, isSearchRunning, locateSearch, readProgress, writeFileAtomic } from '../search/paths.js';

/** Options of {@link spawnDetached}. */
export interface SpawnDetachedOptions {
  /** The search's folder (made by the caller); stdout/stderr go to `<dir>/search.out` and `<dir>/search.err`. */
  dir: string;
  /** Executable to run (default: this Node). */
  command?: string;
  /** Its arguments (e.g. `[slt.js, 'search', ..., '--out', dir]`). */
  args: string[];
  /** Working folder (default: the current one). */
  cwd?: string;
}

/**
 * Starts a command detached from this process and its terminal (a new session: closing the
 * terminal or SSH does not reach it); returns its pid. Its stdout/stderr are appended to
 * `<dir>/search.out` and `<dir>/search.err` by a shell redirection, so the child owns those files
 * and needs nothing from this process once started.
 */
export function spawnDetached(options: SpawnDetachedOptions): number {
  const command = options.command ?? process.execPath;
  const child = execa('/bin/sh', ['-c', 'exec "$0" "$@" >>"$SLT_DETACHED_OUT" 2>>"$SLT_DETACHED_ERR"', command, ...options.args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    detached: true,
    stdio: 'ignore',
    env: { SLT_DETACHED_OUT: path.join(options.dir, 'search.out'), SLT_DETACHED_ERR: path.join(options.dir, 'search.err'), SLT_DETACHED: '1' },
  });
  if (child.pid === undefined) throw new RunnerError(`cannot start the detached search with ${command}`);
  child.unref();
  // Nobody waits for it: swallow its eventual exit result.
  child.catch(() => undefined);
  writeFileAtomic(path.join(options.dir, 'detached.json'), JSON.stringify({ pid: child.pid, command, args: options.args, startedAt: new Date().toISOString() }));
  return child.pid;
}

/** Options of {@link followSearch}. */
export interface FollowSearchOptions {
  /** Stops following. */
  signal?: AbortSignal;
  /** Each record, as it arrives. */
  onEvent?: (e: SearchEvent) => void;
  /** The reduced state after each record. */
  onState?: (s: SearchState) => void;
  /** Search root for ids. */
  root?: string;
  /** Poll interval in ms (default 200). */
  pollMs?: number;
}

const TERMINAL = new Set(['search.finished', 'search.failed', 'search.interrupted']);

/**
 * Follows a search's journal from its start until the search finishes, fails or is interrupted,
 * or until its process is gone (killed without a word), or until `signal` aborts.
 * Resolves with the last state.
 */
export async function followSearch(ref: string, options: FollowSearchOptions = {}): Promise<SearchState> {
  const { dir, journalPath } = locateSearch(ref, options.root);
  const ctl = new AbortController();
  const outer = options.signal;
  const onAbort = () => ctl.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  let state = initialSearchState();
  let lastTerminalSeq = -1;
  // A killed process leaves no terminal record: stop once no process runs the search (its lock,
  // or the pid of a detached launch still starting) and nothing new came for a while.
  const t0 = Date.now();
  let lastRecordAt = 0;
  const timer = setInterval(() => {
    if (searchProcessAlive(dir)) return;
    const quietFor = Date.now() - Math.max(lastRecordAt, t0);
    if (quietFor > 2000) ctl.abort();
  }, 500);
  // Batch progress and setup phases are not journaled: the search keeps the latest in progress.json.
  let lastLive = '';
  const liveTimer = setInterval(() => {
    const e = readProgress(dir);
    const id = e ? `${e.type === 'eval.progress' ? e.key : e.phase}@${e.time}` : '';
    if (!e || id === lastLive || !searchProcessAlive(dir)) return;
    lastLive = id;
    state = reduceSearch(state, e);
    options.onEvent?.(e);
    options.onState?.(state);
  }, 500);
  try {
    await followJournal(journalPath, (r: JournalRecord) => {
      lastRecordAt = Date.now();
      const e = toSearchEvent(r, journalPath);
      state = reduceSearch(state, e);
      options.onEvent?.(e);
      options.onState?.(state);
      if (TERMINAL.has(r.type)) lastTerminalSeq = r.seq;
      // A resume after an interruption continues the same journal: only stop at a terminal
      // record when no process runs the search any more.
      if (r.type === 'search.resumed') lastTerminalSeq = -1;
      if (lastTerminalSeq >= 0 && !isSearchRunning(dir)) ctl.abort();
    }, ctl.signal, { pollMs: options.pollMs });
  } finally {
    clearInterval(timer);
    clearInterval(liveTimer);
    outer?.removeEventListener('abort', onAbort);
  }
  return state;
}

/**
 * True while the search's lock holder, or the process of a detached launch (still starting, no
 * lock yet), is alive: false once a launch stopped before its journal existed.
 */
export function searchProcessAlive(dir: string): boolean {
  if (isSearchRunning(dir)) return true;
  try {
    const d = JSON.parse(readFileSync(path.join(dir, 'detached.json'), 'utf8')) as { pid: number };
    return isAlive(d.pid);
  } catch {
    return false;
  }
}

/**
 * What the process of a detached launch printed on stderr (`<dir>/search.err`), whole: why a
 * launch stopped before its search started. Empty when it printed nothing or was not detached.
 */
export function detachedErrors(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'search.err'), 'utf8');
  } catch {
    return '';
  }
}
