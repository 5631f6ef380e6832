/**
 * Detached searches: a search process in its own session (it survives the terminal and SSH
 * closing), its output in files beside the journal; attaching follows the journal.
 */
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { followJournal, type JournalRecord } from '@slt/tracking';
import { RunnerError } from '../errors.js';
import type { SearchEvent } from '../journal/records.js';
import { initialSearchState, reduceSearch } from '../state/reducer.js';
import type { SearchState } from '../state/types.js';
import { isSearchRunning, locateSearch, writeFileAtomic } from '../search/paths.js';

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

/** Starts a command detached from this process and its terminal; returns its pid. */
export function spawnDetached(options: SpawnDetachedOptions): number {
  // The child writes to the files itself (inherited descriptors), so it outlives this process.
  const out = openSync(path.join(options.dir, 'search.out'), 'a');
  const err = openSync(path.join(options.dir, 'search.err'), 'a');
  try {
    const child = execa(options.command ?? process.execPath, options.args, {
      cwd: options.cwd, detached: true, cleanup: false, reject: false, stdin: 'ignore', stdout: out, stderr: err,
    });
    if (child.pid === undefined) throw new RunnerError(`cannot start the detached search: ${options.command ?? process.execPath}`);
    child.unref();
    // The result promise would keep a reference to the child's exit; detach from it entirely.
    child.catch(() => undefined);
    writeFileAtomic(path.join(options.dir, 'detached.json'), JSON.stringify({ pid: child.pid, args: options.args, startedAt: new Date().toISOString() }));
    return child.pid;
  } finally {
    closeSync(out);
    closeSync(err);
  }
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
  // A killed process leaves no terminal record: stop once its lock is gone and nothing is new.
  let idleChecks = 0;
  const timer = setInterval(() => {
    if (isSearchRunning(dir)) idleChecks = 0;
    else if (++idleChecks >= 3) ctl.abort();
  }, 500);
  try {
    await followJournal(journalPath, (r: JournalRecord) => {
      const e = r as unknown as SearchEvent;
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
    outer?.removeEventListener('abort', onAbort);
  }
  return state;
}
