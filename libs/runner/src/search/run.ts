/** The runner's entry points: start a search, resume one, read one back. */
import { randomInt } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { readJournal, type DeliveryReport } from '@slt/tracking';
import { workersChoiceOf, type SearchConfig } from '../config/schema.js';
import { ConfigError, ResumeError } from '../errors.js';
import { datasetSetupOf, datasetWarnings, loadDatasetPort } from '../ports/datasets.js';
import { checkWeightsPort } from '../ports/models.js';
import { startEvaluatorWorkers, type EarlyWorkers } from '../ports/workers.js';
import { checkTrackingPort, deliverJournalPort, resolveTrackingUriPort, type TrackingStatusEvent } from '../ports/tracking.js';
import { searchRunMapperFor } from './runs.js';
import { readSearchJournal } from '../journal/read.js';
import type { SearchEvent } from '../journal/records.js';
import type { SearchStartedRecord } from '../journal/records.js';
import { reduceJournal } from '../state/reducer.js';
import type { SearchState } from '../state/types.js';
import { JOURNAL_FILE, defaultSearchRoot, emitLiveEvent, isSearchRunning, locateSearch, newSearchId } from './paths.js';
import { rememberSearch } from './search-index.js';
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
  /** Live status of the MLflow delivery (phase, retries, pending runs), never journalled. */
  onTracking?: (event: TrackingStatusEvent) => void;
  /** The study this search is one model of (recorded in `search.started`; its MLflow run becomes a child of the study's). */
  study?: SearchStartedRecord['study'];
  /**
   * Worker processes the caller started ahead (`startEvaluatorWorkers(config)`, before it loaded
   * the rest of the runner); the search takes them, or kills them when it cannot start. Default:
   * started here, before the preflight.
   */
  started?: EarlyWorkers;
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
  /** `slt resume` of a search that had finished before: nothing was run or written. */
  alreadyFinished?: boolean;
  /** Runs whose MLflow records were not delivered at the end (deliver them with `slt sync <dir>`). */
  pendingRuns: number;
  /** The search's MLflow store (folder or URL). */
  trackingUri?: string;
}

/** Why a folder cannot hold a new search (a file, not writable...), or undefined when it can. */
function outProblem(dir: string): string | undefined {
  let probe = dir;
  for (;;) {
    let st;
    try {
      st = statSync(probe);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot read ${probe}: ${(err as Error).message}`;
      const up = path.dirname(probe);
      if (up === probe) return `no existing folder above ${dir}`;
      probe = up;
      continue;
    }
    if (!st.isDirectory()) return probe === dir ? `${dir} is a file, not a folder` : `${probe} is a file, not a folder, so ${dir} cannot be created`;
    try {
      accessSync(probe, constants.W_OK);
    } catch {
      return `${probe} is not writable`;
    }
    return undefined;
  }
}

/** Creates the search folder, with a message that names the folder and the reason. */
function makeSearchDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'the file system is read-only' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (err as Error).message;
    throw new ConfigError('--out', [`out: cannot create the search folder ${dir}: ${why}`], { cause: err });
  }
}

/**
 * Runs a new search to its end (or until `signal` aborts). Everything that can be wrong with
 * the input (config, tracking URI, output folder, weights, data) is found before the folder or
 * any MLflow run exists.
 * @param config a validated config (see `parseSearchConfig`); a missing seed is drawn and recorded.
 */
export async function runSearch(config: SearchConfig, options: RunSearchOptions = {}): Promise<SearchOutcome> {
  try {
    return await startSearch(config, options);
  } catch (err) {
    await options.started?.close().catch(() => undefined); // a no-op once the search's pool took them
    throw err;
  }
}

async function startSearch(config: SearchConfig, options: RunSearchOptions): Promise<SearchOutcome> {
  const searchId = options.searchId ?? newSearchId();
  const dir = path.resolve(config.out ?? path.join(options.root ?? defaultSearchRoot(), searchId));
  const journalPath = path.join(dir, JOURNAL_FILE);
  const problem = outProblem(dir);
  if (problem) throw new ConfigError('--out', [`out: ${problem}`]);
  if (existsSync(journalPath)) {
    // A journal without search.started is a start killed while loading its data: start again over it.
    const records = await readJournal(journalPath).catch(() => undefined);
    if (!records || records.some((r) => r.type === 'search.started')) {
      throw new ConfigError('--out', [`out: ${dir} already holds a search; continue it with \`slt resume ${dir}\`, or choose another --out`]);
    }
  }
  let trackingUri: string;
  try {
    trackingUri = resolveTrackingUriPort(config.trackingUri);
  } catch (err) {
    throw new ConfigError('--tracking-uri', [`trackingUri: ${(err as Error).message}`], { cause: err });
  }
  const seed = config.seed ?? randomInt(0, 2 ** 31 - 1);
  const workersReason = workersChoiceOf(config)?.reason;
  const full = { ...config, seed, data: path.resolve(config.data), ...(config.weights && !/^[a-z]+:\/\//i.test(config.weights) ? { weights: path.resolve(config.weights) } : {}), out: dir };
  // The workers start (Node, tfjs, backend) while this process checks the weights and loads the
  // data; a failed preflight kills them (below), so nothing is left behind.
  const started = options.started ?? startEvaluatorWorkers(full);
  // Preflight: nothing is written before the weights and the data are known to be good.
  const phase = (name: 'weights' | 'data', message: string) => emitLiveEvent(dir, { type: 'search.phase', phase: name, message, time: new Date().toISOString() }, options.onEvent);
  let dataset: Awaited<ReturnType<typeof loadDatasetPort>>;
  let check: Awaited<ReturnType<typeof checkTrackingPort>>;
  let created: boolean;
  let weights: Awaited<ReturnType<typeof checkWeightsPort>>;
  try {
    phase('weights', `checking the ${full.model} weights`);
    weights = await checkWeightsPort(full.model, full.weights);
    phase('data', `loading the data set ${path.basename(full.data)}`);
    dataset = await loadDatasetPort(datasetSetupOf(full));
    check = await checkTrackingPort(trackingUri, 3000);
    created = !existsSync(dir);
    makeSearchDir(dir);
    // The per-user index of searches: `slt ls` and `slt attach <id>` find it from any folder.
    rememberSearch({ kind: 'search', id: searchId, dir, mode: options.mode ?? 'search', ...(options.study ? { study: options.study.studyId } : {}) });
  } catch (err) {
    await started?.close();
    throw err;
  }
  const session = new SearchSession({
    dir, journalPath, signal: options.signal, onEvent: options.onEvent, onTracking: options.onTracking, ...(started ? { started } : {}),
    fresh: { searchId, config: full, mode: options.mode ?? 'search', randomTrainableLayers: options.randomTrainableLayers, dataset, weights, study: options.study, workersReason, startWarnings: [...datasetWarnings(dataset), ...(check.ok ? [] : [`tracking: ${check.detail}`])] },
  });
  try {
    const out = await session.run();
    return { searchId, dir, journalPath, ...out };
  } catch (err) {
    // Nothing half-written: a search that failed before it started leaves no folder behind.
    const started = existsSync(journalPath) && (await readJournal(journalPath).catch(() => [])).some((r) => r.type === 'search.started');
    if (!started) {
      if (created) rmSync(dir, { recursive: true, force: true });
      else rmSync(journalPath, { force: true });
    }
    throw err;
  }
}

/**
 * Continues a killed or interrupted search from its journal: finished evaluations are not run
 * again, and with the recorded seed the result equals an uninterrupted run's. A finished search
 * is left as it is (`alreadyFinished`), its undelivered MLflow records delivered.
 * @param ref a journal file, a search folder, or a search id under `options.root`.
 */
export async function resumeSearch(ref: string, options: Omit<RunSearchOptions, 'mode' | 'searchId' | 'randomTrainableLayers'> = {}): Promise<SearchOutcome> {
  const { dir, journalPath } = locateSearch(ref, options.root);
  if (isSearchRunning(dir)) throw new ResumeError(journalPath, 'the search is running in another process; attach to it instead', { kind: 'conflict' });
  const session = new SearchSession({ dir, journalPath, signal: options.signal, onEvent: options.onEvent, onTracking: options.onTracking });
  const out = await session.run();
  return { searchId: out.state.searchId ?? path.basename(dir), dir, journalPath, ...out };
}

/** Options of {@link syncSearch}. */
export interface SyncSearchOptions {
  /** Store to deliver to (default: the one recorded in the journal, else MLFLOW_TRACKING_URI, else `./mlruns`). */
  trackingUri?: string;
  /** Root of search ids (default `./.slt/searches`). */
  root?: string;
  /** A transient failure, before the next try. */
  onRetry?: (error: unknown, delayMs: number) => void;
  /** A problem that does not stop delivery. */
  onWarning?: (message: string) => void;
}

/**
 * Delivers what a search's journal holds and its MLflow store lacks (`slt sync`), from any
 * folder: the store recorded in the journal is used unless `trackingUri` says otherwise.
 */
export async function syncSearch(ref: string, options: SyncSearchOptions = {}): Promise<DeliveryReport> {
  const { dir, journalPath } = locateSearch(ref, options.root);
  const records = await readJournal(journalPath);
  const started = records.find((r) => r.type === 'search.started') as { tracking?: { uri?: string } } | undefined;
  const uri = options.trackingUri ?? started?.tracking?.uri;
  return await deliverJournalPort(journalPath, uri, searchRunMapperFor(records, { dir }), { onRetry: options.onRetry, onWarning: options.onWarning });
}

/** Reads a search's journal and reduces it to its state (for `ls`, `attach`, the TUI). */
export async function readSearchState(ref: string, root?: string): Promise<SearchState & { dir: string; journalPath: string; running: boolean }> {
  const { dir, journalPath } = locateSearch(ref, root);
  const state = reduceJournal(await readSearchJournal(journalPath));
  return { ...state, dir, journalPath, running: isSearchRunning(dir) };
}
