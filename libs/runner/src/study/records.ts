/**
 * The record types of a study's journal (`study.jsonl`, `study.*`). They sit beside
 * libs/tracking's `run.*` records of the study's MLflow run; the journal adds `seq` and `time`.
 */
import { z } from 'zod';
import type { Comparison } from '../compare/table.js';
import type { SearchConfig } from '../config/schema.js';
import type { RecordEnvelope } from '../journal/records.js';
import type { StudyModel } from './config.js';
import type { StudyTable } from './table.js';

/** A study began. */
export interface StudyStartedRecord {
  type: 'study.started';
  studyId: string;
  /** The shared search configuration, seed always set. */
  base: SearchConfig & { seed: number };
  models: StudyModel[];
  /** Tracking run key of the study's MLflow run. */
  parentRunKey: string;
  pid: number;
  host: string;
}

/** A study process (re)started on an existing journal. */
export interface StudyResumedRecord {
  type: 'study.resumed';
  pid: number;
  host: string;
}

/** A model's compare search started (or continued). */
export interface StudyModelStartedRecord {
  type: 'study.model.started';
  index: number;
  label: string;
  searchId: string;
  /** The model's search folder. */
  dir: string;
}

/** A model's compare search finished; its comparison (every method's row). */
export interface StudyModelFinishedRecord {
  type: 'study.model.finished';
  index: number;
  label: string;
  searchId: string;
  comparison: Comparison;
  seconds: number;
}

/** A line for a log pane. */
export interface StudyLogRecord {
  type: 'study.log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** The study stopped before its end; resumable. */
export interface StudyInterruptedRecord {
  type: 'study.interrupted';
  reason: string;
}

/** The study failed (a model's search could not run). Resumable once the cause is fixed. */
export interface StudyFailedRecord {
  type: 'study.failed';
  error: string;
  /** The model it failed on. */
  label?: string;
}

/** Every model finished: the paper's table. */
export interface StudyFinishedRecord {
  type: 'study.finished';
  table: StudyTable;
  seconds: number;
}

/** Every record type of a study journal (without the envelope). */
export type StudyRecordBody =
  | StudyStartedRecord
  | StudyResumedRecord
  | StudyModelStartedRecord
  | StudyModelFinishedRecord
  | StudyLogRecord
  | StudyInterruptedRecord
  | StudyFailedRecord
  | StudyFinishedRecord;

/** A study record as read back (or as `onEvent` gets it); other record types (`run.*`) pass through. */
export type StudyEvent = (StudyRecordBody & RecordEnvelope) | (RecordEnvelope & { type: string; [k: string]: unknown });

const str = z.string();
const int = z.number().int();
const modelSchema = z.looseObject({ model: str, weights: str.optional(), input: z.tuple([int, int]), label: str, slug: str });
const comparisonSchema = z.looseObject({ rows: z.array(z.looseObject({ method: str, kind: z.enum(['ga', 'baseline']), mask: str, trainableLayers: int })) });
const tableSchema = z.looseObject({ columns: z.array(str), models: z.array(z.looseObject({ label: str, model: str, cells: z.record(str, z.unknown()) })) });

/** Schemas of the study records (a study journal read back is parsed, not cast). */
const SCHEMAS: Record<StudyRecordBody['type'], z.ZodType> = {
  'study.started': z.looseObject({ studyId: str, base: z.looseObject({ data: str, seed: int, experiment: str }), models: z.array(modelSchema).min(1), parentRunKey: str, pid: int, host: str }),
  'study.resumed': z.looseObject({ pid: int, host: str }),
  'study.model.started': z.looseObject({ index: int, label: str, searchId: str, dir: str }),
  'study.model.finished': z.looseObject({ index: int, label: str, searchId: str, comparison: comparisonSchema, seconds: z.number() }),
  'study.log': z.looseObject({ level: z.enum(['info', 'warn', 'error']), message: str }),
  'study.interrupted': z.looseObject({ reason: str }),
  'study.failed': z.looseObject({ error: str, label: str.optional() }),
  'study.finished': z.looseObject({ table: tableSchema, seconds: z.number() }),
};

/** True when `type` is a study record type. */
export function isStudyRecordType(type: string): type is StudyRecordBody['type'] {
  return Object.prototype.hasOwnProperty.call(SCHEMAS, type);
}

/**
 * Checks a study record against its schema: `{ ok: true, record }`, or `{ ok: false, error }`
 * naming the first bad field. Records of other types (`journal.created`, ...) pass as they are.
 */
export function checkStudyRecord(r: { type: string }): { ok: true; record: StudyEvent } | { ok: false; error: string } {
  if (!isStudyRecordType(r.type)) return { ok: true, record: r as StudyEvent };
  const res = SCHEMAS[r.type].safeParse(r);
  if (res.success) return { ok: true, record: r as StudyEvent };
  const i = res.error.issues[0]!;
  return { ok: false, error: `${r.type}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}` };
}
