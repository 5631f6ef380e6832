/**
 * The view of a study that the reducer builds from its journal (for `slt ls`, `slt attach`, the
 * TUI): every model with its status and comparison, and the table so far.
 */
import { readJournal } from '@slt/tracking';
import type { Comparison } from '../compare/table.js';
import type { SearchConfig } from '../config/schema.js';
import type { LogLine } from '../state/types.js';
import { MAX_LOG_LINES } from '../state/types.js';
import type { StudyModel } from './config.js';
import { StudyJournalError } from './errors.js';
import { checkStudyRecord, type StudyEvent, type StudyRecordBody } from './records.js';
import { buildStudyTable, type StudyTable } from './table.js';

/** Where one model of a study stands. */
export interface StudyModelState extends StudyModel {
  status: 'pending' | 'running' | 'finished' | 'failed';
  /** Its compare search (id and folder) once started. */
  searchId?: string;
  dir?: string;
  /** Its comparison once finished. */
  comparison?: Comparison;
  /** Wall seconds of its search (last process). */
  seconds?: number;
}

/** The lifecycle of a study. */
export type StudyStatus = 'empty' | 'running' | 'interrupted' | 'finished' | 'failed';

/** Everything a screen needs to draw a study. */
export interface StudyState {
  status: StudyStatus;
  studyId?: string;
  /** The shared search configuration (seed set). */
  base?: SearchConfig & { seed: number };
  models: StudyModelState[];
  /** Index of the model whose search runs (or ran last); -1 before the first. */
  current: number;
  /** The table of the models finished so far (the final one once finished). */
  table?: StudyTable;
  /** Tracking run key of the study's MLflow run. */
  parentRunKey?: string;
  pid?: number;
  /** Process starts on this journal (1 + resumes). */
  attempts: number;
  /** Why it failed or was interrupted. */
  reason?: string;
  /** Wall seconds of the last process (finished studies). */
  seconds?: number;
  logs: LogLine[];
  startedAt?: string;
  updatedAt?: string;
  /** Sequence number of the last record reduced (-1 before any). */
  lastSeq: number;
}

/** The state before any record. */
export function initialStudyState(): StudyState {
  return { status: 'empty', models: [], current: -1, attempts: 0, logs: [], lastSeq: -1 };
}

const log = (s: StudyState, time: string, level: LogLine['level'], message: string): StudyState => ({ ...s, logs: [...s.logs, { time, level, message }].slice(-MAX_LOG_LINES) });

const setModel = (s: StudyState, index: number, f: (m: StudyModelState) => StudyModelState): StudyState => ({ ...s, models: s.models.map((m, i) => (i === index ? f(m) : m)) });

const table = (s: StudyState): StudyTable => buildStudyTable({ studyId: s.studyId, models: s.models });

/** Applies one record (records of other types only move `lastSeq` and `updatedAt`). */
export function reduceStudy(state: StudyState, e: StudyEvent): StudyState {
  let s: StudyState = { ...state, lastSeq: typeof e.seq === 'number' ? e.seq : state.lastSeq, updatedAt: e.time ?? state.updatedAt };
  const r = e as StudyRecordBody & { time: string };
  switch (r.type) {
    case 'study.started':
      s = {
        ...s, status: 'running', studyId: r.studyId, base: r.base, parentRunKey: r.parentRunKey, pid: r.pid, attempts: s.attempts + 1, startedAt: r.time,
        models: r.models.map((m) => ({ ...m, status: 'pending' })),
      };
      return log(s, r.time, 'info', `study ${r.studyId}: ${r.models.map((m) => m.label).join(', ')}`);
    case 'study.resumed':
      return log({ ...s, status: 'running', pid: r.pid, attempts: s.attempts + 1, reason: undefined }, r.time, 'info', 'study resumed');
    case 'study.model.started':
      s = setModel({ ...s, current: r.index }, r.index, (m) => ({ ...m, status: 'running', searchId: r.searchId, dir: r.dir }));
      return log(s, r.time, 'info', `model ${r.index + 1}/${s.models.length} ${r.label}: started (${r.dir})`);
    case 'study.model.finished':
      s = setModel(s, r.index, (m) => ({ ...m, status: 'finished', searchId: r.searchId, comparison: r.comparison, seconds: r.seconds }));
      s = { ...s, table: table(s) };
      return log(s, r.time, 'info', `model ${r.index + 1}/${s.models.length} ${r.label}: finished in ${Math.round(r.seconds)} s`);
    case 'study.log':
      return log(s, r.time, r.level, r.message);
    case 'study.interrupted':
      return log({ ...s, status: 'interrupted', reason: r.reason }, r.time, 'warn', `study interrupted: ${r.reason}`);
    case 'study.failed': {
      const index = r.label === undefined ? -1 : s.models.findIndex((m) => m.label === r.label);
      if (index >= 0) s = setModel(s, index, (m) => ({ ...m, status: 'failed' }));
      return log({ ...s, status: 'failed', reason: r.error }, r.time, 'error', `study failed${r.label ? ` on ${r.label}` : ''}: ${r.error}`);
    }
    case 'study.finished':
      return log({ ...s, status: 'finished', table: r.table, seconds: r.seconds }, r.time, 'info', `study finished in ${Math.round(r.seconds)} s`);
    default:
      return s;
  }
}

/** Reduces a whole journal. */
export function reduceStudyJournal(records: readonly StudyEvent[]): StudyState {
  return records.reduce(reduceStudy, initialStudyState());
}

/**
 * Reads a study journal, parsing every study record with its schema.
 * @throws StudyJournalError naming the file, line and field of a damaged record.
 */
export async function readStudyJournal(file: string): Promise<StudyEvent[]> {
  const records = await readJournal(file);
  return records.map((r, i) => {
    const c = checkStudyRecord(r);
    if (!c.ok) throw new StudyJournalError(file, `record ${i + 1}: ${c.error}`);
    return c.record;
  });
}
