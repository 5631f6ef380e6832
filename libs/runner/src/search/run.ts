/** The runner's entry points: start a search, resume one, read one back. */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readJournal } from '@slt/tracking';
import type { SearchConfig } from '../config/schema.js';
import { ResumeError } from '../errors.js';
import type { SearchEvent } from '../journal/records.js';
import { reduceJournal } from '../state/reducer.js';
import type { SearchState } from '../state/types.js';
import { JOURNAL_FILE, defaultSearchRoot, isSearchRunning, locateSearch, newSearchId } from './paths.js';
import { SearchSession, type SearchMode } from './session.js';

/** Options of {@link runSearch} and {@link resumeSearch}. */
export interface RunSearchOptions {
  /** Aborting stops the search cleanly: running evaluations are abandoned, the MLflow run is marked KILLED, the journal stays resumable. */
  signal?: AbortSignal;
  /** Called with every journal record as it is appended, and with live `eval.progress` events. */
  onEvent?: (event: SearchEvent) => void;
  /** What to run: the GA (`search`, default), the `baselines` only, or both (`compare`). */
  mode?: SearchMode;
  /** Folder under which a new search's folder is made when `config.out` is unset (default `./.slt/searches`). */
  root?: string;
  /** Id of a new search (default: time + random). */
  searchId?: string;
  /** Mode `baselines`: set bits of the random masks (default: half the genome). */
  randomTrainableLayers?: number;
}

/** How a search ended. */
export interface SearchOutcome {
  searchId: string;
  /** The search's folder. */
  dir: string;
  /** Its journal (`slt resume` / `slt attach` take this or the folder). */
  journalPath: string;
  /** `finished`, or `interrupted` (resumable). */
  status: 'finished' | 'interrupted';
  /** The reduced state at the end. */
  state: SearchState;
}

/**
 * Runs a new search to its end (or until `signal` aborts).
 * @param config a validated config (see `parseSearchConfig`); a missing seed is drawn and recorded.
 */
export async function runSearch(config: SearchConfig, options: RunSearchOptions = {}): Promise<SearchOutcome> {
  const searchId = options.searchId ?? newSearchId();
  const dir = path.resolve(config.out ?? path.join(options.root ?? defaultSearchRoot(), searchId));
  const journalPath = path.join(dir, JOURNAL_FILE);
  if (existsSync(journalPath)) {
    throw new ResumeError(journalPath, `a search already exists in ${dir}; continue it with \`slt resume ${dir}\` or choose another --out`);
  }
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const seed = config.seed ?? randomInt(0, 2 ** 31 - 1);
  const full = { ...config, seed, data: path.resolve(config.data), ...(config.weights && !/^[a-z]+:\/\//i.test(config.weights) ? { weights: path.resolve(config.weights) } : {}), out: dir };
  const session = new SearchSession({ dir, journalPath, signal: options.signal, onEvent: options.onEvent, fresh: { searchId, config: full, mode: options.mode ?? 'search', randomTrainableLayers: options.randomTrainableLayers } });
  try {
    const out = await session.run();
    return { searchId, dir, journalPath, ...out };
  } catch (err) {
    // Nothing half-written: a search that failed before it started (bad data set, model, weights)
    // leaves no folder behind.
    const started = existsSync(journalPath) && (await readJournal(journalPath)).some((r) => r.type === 'search.started');
    if (!started) {
      if (created) rmSync(dir, { recursive: true, force: true });
      else rmSync(journalPath, { force: true });
    }
    throw err;
  }
}

/**
 * Continues a killed or interrupted search from its journal: finished evaluations are not run
 * again, and with the recorded seed the result equals an uninterrupted run's.
 * @param ref a journal file, a search folder, or a search id under `options.root`.
 */
export async function resumeSearch(ref: string, options: Omit<RunSearchOptions, 'mode' | 'searchId' | 'randomTrainableLayers'> = {}): Promise<SearchOutcome> {
  const { dir, journalPath } = locateSearch(ref, options.root);
  if (isSearchRunning(dir)) throw new ResumeError(journalPath, 'the search is running in another process; attach to it instead');
  const session = new SearchSession({ dir, journalPath, signal: options.signal, onEvent: options.onEvent });
  const out = await session.run();
  return { searchId: out.state.searchId ?? path.basename(dir), dir, journalPath, ...out };
}

/** Reads a search's journal and reduces it to its state (for `ls`, `attach`, the TUI). */
export async function readSearchState(ref: string, root?: string): Promise<SearchState & { dir: string; journalPath: string; running: boolean }> {
  const { dir, journalPath } = locateSearch(ref, root);
  const records = await readJournal(journalPath);
  const state = reduceJournal(records as unknown as SearchEvent[]);
  return { ...state, dir, journalPath, running: isSearchRunning(dir) };
}
