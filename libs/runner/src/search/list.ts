/** Lists the searches under a root folder with a one-line summary each (for `slt ls` and the TUI). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readSearchJournal } from '../journal/read.js';
import { reduceJournal } from '../state/reducer.js';
import type { SearchStatus } from '../state/types.js';
import { JOURNAL_FILE, defaultSearchRoot, isSearchRunning } from './paths.js';
import { searchLiveness, type SearchLiveness } from './progress.js';

/** One search of {@link listSearches}. */
export interface SearchSummary {
  searchId: string;
  dir: string;
  journalPath: string;
  /** From the journal; `running` means the journal says so (see `live` for a live process). */
  status: SearchStatus;
  /** A live process holds the search's lock. */
  live: boolean;
  /** What every client shows: the journal status under the one liveness rule (`killed`, `live`...). */
  liveness: SearchLiveness;
  mode?: string;
  model?: string;
  dataset?: string;
  startedAt?: string;
  updatedAt?: string;
  done: number;
  total: number;
  bestFitness?: number;
  bestMask?: string;
  /** Set when the journal could not be read. */
  error?: string;
  /** A failed or interrupted search: why, whole (its `search.failed` / `search.interrupted` record). */
  reason?: string;
}

/** Every search (a folder with a journal) under `root`, newest first. */
export async function listSearches(root: string = defaultSearchRoot()): Promise<SearchSummary[]> {
  if (!existsSync(root)) return [];
  const ids = readdirSync(root).filter((d) => existsSync(path.join(root, d, JOURNAL_FILE)));
  const out: SearchSummary[] = [];
  for (const id of ids) out.push(await summarizeSearch(path.join(root, id)));
  return sortNewestFirst(out);
}

/** Searches newest first (by start time, else id). */
export function sortNewestFirst<T extends { startedAt?: string; searchId: string }>(list: T[]): T[] {
  return list.sort((a, b) => (b.startedAt ?? b.searchId).localeCompare(a.startedAt ?? a.searchId));
}

/** The summary of the search in `dir` (its journal read and reduced; `error` set when it cannot be read). */
export async function summarizeSearch(dir: string, id: string = path.basename(dir)): Promise<SearchSummary> {
  const journalPath = path.join(dir, JOURNAL_FILE);
  const live = isSearchRunning(dir);
  try {
    const s = reduceJournal(await readSearchJournal(journalPath));
    return {
      searchId: s.searchId ?? id, dir, journalPath, status: s.status, live, liveness: searchLiveness(s.status, live), mode: s.mode, model: s.model?.name, dataset: s.dataset?.name,
      startedAt: s.startedAt, updatedAt: s.updatedAt, done: s.progress.done, total: s.progress.total, bestFitness: s.best?.fitness, bestMask: s.best?.mask,
      ...((s.status === 'failed' || s.status === 'interrupted') && s.reason ? { reason: s.reason } : {}),
    };
  } catch (err) {
    return { searchId: id, dir, journalPath, status: 'empty', live, liveness: searchLiveness('empty', live), done: 0, total: 0, error: (err as Error).message };
  }
}
