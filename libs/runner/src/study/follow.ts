/**
 * Following a (detached) study: its journal, and the journal of each model's search as it
 * starts; and listing the studies under a root folder (for `slt ls` and the TUI).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { followJournal, type JournalRecord } from '@slt/tracking';
import { followSearch } from '../detach/detach.js';
import type { SearchEvent } from '../journal/records.js';
import { defaultSearchRoot, isAlive, isSearchRunning } from '../search/paths.js';
import { StudyJournalError } from './errors.js';
import { STUDY_JOURNAL, isStudyDir, locateStudy } from './paths.js';
import { checkStudyRecord, type StudyEvent } from './records.js';
import { initialStudyState, readStudyJournal, reduceStudy, reduceStudyJournal, type StudyState, type StudyStatus } from './state.js';

/** Options of {@link followStudy}. */
export interface FollowStudyOptions {
  /** Stops following. */
  signal?: AbortSignal;
  /** Each study record as it arrives. */
  onEvent?: (e: StudyEvent) => void;
  /** The reduced state after each study record. */
  onState?: (s: StudyState) => void;
  /** Each event of a model's search, with the model's label. */
  onSearchEvent?: (label: string, e: SearchEvent) => void;
  /** Root of study ids. */
  root?: string;
  /** Poll interval in ms (default 200). */
  pollMs?: number;
}

const TERMINAL = new Set(['study.finished', 'study.failed', 'study.interrupted']);

/** True while the study's lock holder, or the process of a detached launch, is alive. */
function studyProcessAlive(dir: string): boolean {
  if (isSearchRunning(dir)) return true;
  try {
    return isAlive((JSON.parse(readFileSync(path.join(dir, 'detached.json'), 'utf8')) as { pid: number }).pid);
  } catch {
    return false;
  }
}

/**
 * Follows a study from its start until it finishes, fails or is interrupted (or its process is
 * gone, or `signal` aborts), following each model's search journal as the model starts.
 * Resolves with the last state.
 */
export async function followStudy(ref: string, options: FollowStudyOptions = {}): Promise<StudyState> {
  const { dir, journalPath } = locateStudy(ref, options.root);
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let state = initialStudyState();
  let terminal = false;
  const t0 = Date.now();
  let lastRecordAt = 0;
  const searches: Promise<unknown>[] = [];
  const timer = setInterval(() => {
    if (studyProcessAlive(dir)) return;
    if (Date.now() - Math.max(lastRecordAt, t0) > 2000) ctl.abort();
  }, 500);
  try {
    await followJournal(journalPath, (r: JournalRecord) => {
      lastRecordAt = Date.now();
      const c = checkStudyRecord(r);
      if (!c.ok) throw new StudyJournalError(journalPath, `record ${r.seq}: ${c.error}`);
      state = reduceStudy(state, c.record);
      options.onEvent?.(c.record);
      options.onState?.(state);
      if (r.type === 'study.model.started' && options.onSearchEvent) {
        const label = String(r.label);
        const modelDir = String(r.dir);
        searches.push(waitForJournal(modelDir, options.signal).then((ok): Promise<unknown> | undefined => (ok ? followSearch(modelDir, { ...(options.signal ? { signal: options.signal } : {}), onEvent: (e) => options.onSearchEvent!(label, e), pollMs: options.pollMs }) : undefined)).catch(() => undefined));
      }
      if (TERMINAL.has(r.type)) terminal = true;
      if (r.type === 'study.resumed') terminal = false;
      // A detached resume may still be starting (no lock yet): its pid in detached.json counts as alive.
      if (terminal && !studyProcessAlive(dir)) ctl.abort();
    }, ctl.signal, { pollMs: options.pollMs });
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  await Promise.all(searches);
  return state;
}

/** Waits (up to 30 s) for a model's search journal to appear; false when it did not or `signal` aborted. */
async function waitForJournal(dir: string, signal?: AbortSignal): Promise<boolean> {
  const t0 = Date.now();
  while (!existsSync(path.join(dir, 'journal.jsonl'))) {
    if (signal?.aborted || Date.now() - t0 > 30_000) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** One study of {@link listStudies} (the fields of a search summary that apply, plus the models). */
export interface StudySummary {
  kind: 'study';
  studyId: string;
  dir: string;
  journalPath: string;
  status: StudyStatus;
  /** A live process holds the study's lock. */
  live: boolean;
  /** Model labels. */
  models: string[];
  /** Models finished / in total. */
  done: number;
  total: number;
  /** The model whose search runs (or ran last). */
  current?: string;
  data?: string;
  startedAt?: string;
  updatedAt?: string;
  /** Set when the journal could not be read. */
  error?: string;
}

/** Every study (a folder with a study journal) under `root`, newest first. */
export async function listStudies(root: string = defaultSearchRoot()): Promise<StudySummary[]> {
  if (!existsSync(root)) return [];
  const out: StudySummary[] = [];
  for (const id of readdirSync(root)) {
    const dir = path.join(root, id);
    if (!isStudyDir(dir)) continue;
    const journalPath = path.join(dir, STUDY_JOURNAL);
    const live = isSearchRunning(dir);
    try {
      const s = existsSync(journalPath) ? reduceStudyJournal(await readStudyJournal(journalPath)) : initialStudyState();
      out.push({
        kind: 'study', studyId: s.studyId ?? id, dir, journalPath, status: s.status, live, models: s.models.map((m) => m.label),
        done: s.models.filter((m) => m.status === 'finished').length, total: s.models.length, ...(s.current >= 0 ? { current: s.models[s.current]?.label } : {}),
        data: s.base?.data, startedAt: s.startedAt, updatedAt: s.updatedAt,
      });
    } catch (err) {
      out.push({ kind: 'study', studyId: id, dir, journalPath, status: 'empty', live, models: [], done: 0, total: 0, error: (err as Error).message });
    }
  }
  return out.sort((a, b) => (b.startedAt ?? b.studyId).localeCompare(a.startedAt ?? a.studyId));
}
