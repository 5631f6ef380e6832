/**
 * The append-only journal of one search: JSON Lines, fsync'd after every append. The typed
 * helpers validate against MLflow's rules at write time, so delivery never meets a 4xx for a
 * bad key or a changed param.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { dirname, posix, resolve } from 'node:path';
import { JournalError, TrackingValidationError } from '../errors.js';
import { metricJsonValue, validateExperimentName, validateMetric, validateParam, validateTag } from '../mlflow/validation.js';
import { parseJournal } from './read.js';
import type { JournalMetric, JournalRecord, RunStatus, TrackingPayloads } from './records.js';

/** Options of `openJournal`. */
export interface OpenJournalOptions {
  /** Experiment used by `createRun` when it names none (default: `MLFLOW_EXPERIMENT_NAME`, else `Default`). */
  defaultExperimentName?: string;
  /** fsync after every append (default true; false only for benchmarks). */
  fsync?: boolean;
}

/** Options of `Journal.createRun`. */
export interface CreateRunOptions {
  /** Client-side id of the run, unique in the journal: 1-200 of `A-Z a-z 0-9 _ . - : /`. */
  runKey: string;
  /** runKey of an already created parent run (MLflow `mlflow.parentRunId`). */
  parentRunKey?: string;
  /** MLflow experiment name (default: the journal's default experiment). */
  experimentName?: string;
  /** Run name (`mlflow.runName`). */
  runName: string;
  /** Extra tags (MLflow key rule; values <= 5000 characters). */
  tags?: Record<string, string>;
  /** `mlflow.user` (default: the OS user name). */
  user?: string;
  /** `mlflow.source.name` (default `slt`). */
  sourceName?: string;
  /** `mlflow.note.content`: a Markdown description shown in the MLflow UI. */
  note?: string;
  /** Start time in ms since the epoch (default: now). */
  startTime?: number;
}

/** A metric point handed to `logMetrics`. */
export interface MetricInput {
  /** Metric key (MLflow key rule). */
  key: string;
  /** Value (NaN and infinities allowed). */
  value: number;
  /** Step, an integer (default 0). */
  step?: number;
  /** ms since the epoch (default: now). */
  timestamp?: number;
}

/** Type of the first record of every journal: `{ journalId, format }`. */
export const JOURNAL_CREATED = 'journal.created';
/** Format tag written in the `journal.created` record. */
export const JOURNAL_FORMAT = 'slt-journal/1';

const RUN_KEY = /^[\w.\-:/]{1,200}$/;
/** Largest artifact stored inline in the journal, in bytes. */
export const MAX_JOURNAL_ARTIFACT_BYTES = 8 * 1024 * 1024;

interface RunState {
  params: Map<string, string>;
}

/** An open journal. Appends are synchronous and durable (written and fsync'd) when they return. */
export class Journal {
  /** Absolute path of the journal file. */
  readonly path: string;
  private fd: number | undefined;
  private seq: number;
  private readonly runs = new Map<string, RunState>();
  private readonly listeners = new Set<(r: JournalRecord) => void>();
  private readonly fsync: boolean;
  private readonly defaultExperiment: string;
  private id: string | undefined;

  /** @internal use `openJournal`. */
  constructor(path: string, fd: number, existing: JournalRecord[], options: OpenJournalOptions) {
    this.path = path;
    this.fd = fd;
    this.fsync = options.fsync ?? true;
    this.defaultExperiment = options.defaultExperimentName ?? process.env.MLFLOW_EXPERIMENT_NAME ?? 'Default';
    this.seq = existing.length ? existing[existing.length - 1].seq : 0;
    for (const r of existing) this.track(r);
  }

  /** Unique id of this journal (from its `journal.created` record); tag `slt.journal_id` in MLflow. */
  get journalId(): string {
    return this.id ?? '';
  }

  /** Sequence number of the last record (0 when empty). */
  get lastSeq(): number {
    return this.seq;
  }

  /** runKeys of every run created in this journal. */
  get runKeys(): string[] {
    return [...this.runs.keys()];
  }

  /** Appends a record `{ seq, time, type, ...payload }`, fsyncs it, and returns it. */
  append(type: string, payload: Record<string, unknown> = {}): JournalRecord {
    if (this.fd === undefined) throw new JournalError(this.path, `Journal ${this.path} is closed`);
    if (typeof type !== 'string' || !/^[a-z][\w.-]*$/i.test(type)) {
      throw new TrackingValidationError('record type', `Invalid record type '${String(type)}': use letters, digits, '.', '_' or '-'`);
    }
    for (const reserved of ['seq', 'time', 'type']) {
      if (reserved in payload) throw new TrackingValidationError('payload', `Payload of '${type}' must not contain '${reserved}'`);
    }
    const record: JournalRecord = { seq: this.seq + 1, time: new Date().toISOString(), type, ...payload };
    const line = `${JSON.stringify(record)}\n`;
    const before = fstatSync(this.fd).size;
    try {
      const buf = Buffer.from(line, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
      if (this.fsync) fsyncSync(this.fd);
    } catch (cause) {
      // Cut a partly written line off again, so the journal stays a sequence of whole records.
      try {
        ftruncateSync(this.fd, before);
      } catch {
        /* the torn tail is cut when the journal is next opened */
      }
      const code = (cause as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOSPC' ? `the disk holding it is full (ENOSPC); free some space, then continue with \`slt resume ${dirname(this.path)}\``
        : code === 'EDQUOT' ? `the disk quota is exceeded (EDQUOT); free some space, then continue with \`slt resume ${dirname(this.path)}\``
        : (cause as Error).message;
      throw new JournalError(this.path, `Cannot append to journal ${this.path}: ${why}`, { cause });
    }
    this.seq = record.seq;
    this.track(record);
    for (const l of this.listeners) l(record);
    return record;
  }

  /** Calls `listener` after every append in this process; returns an unsubscribe function. */
  onAppend(listener: (record: JournalRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a new run (`run.created`) and returns its runKey. */
  createRun(options: CreateRunOptions): string {
    const { runKey, parentRunKey, runName } = options;
    if (typeof runKey !== 'string' || !RUN_KEY.test(runKey)) {
      throw new TrackingValidationError('runKey', `Invalid runKey '${String(runKey)}': use 1-200 of A-Z a-z 0-9 _ . - : /`);
    }
    if (this.runs.has(runKey)) throw new TrackingValidationError('runKey', `Run '${runKey}' was already created in ${this.path}`);
    if (parentRunKey !== undefined && !this.runs.has(parentRunKey)) {
      throw new TrackingValidationError('parentRunKey', `Parent run '${parentRunKey}' of run '${runKey}' was not created in ${this.path}`);
    }
    const experimentName = options.experimentName ?? this.defaultExperiment;
    validateExperimentName(experimentName);
    if (typeof runName !== 'string' || runName.length === 0) {
      throw new TrackingValidationError('runName', `Run '${runKey}' needs a non-empty runName`);
    }
    const tags: Record<string, string> = {
      'mlflow.runName': runName,
      'mlflow.user': options.user ?? safeUser(),
      'mlflow.source.name': options.sourceName ?? 'slt',
      'mlflow.source.type': 'LOCAL',
      ...(options.note !== undefined ? { 'mlflow.note.content': options.note } : {}),
      ...options.tags,
      'slt.run_key': runKey,
    };
    for (const [k, v] of Object.entries(tags)) validateTag(k, v);
    const payload: TrackingPayloads['run.created'] = {
      runKey,
      ...(parentRunKey !== undefined ? { parentRunKey } : {}),
      experimentName,
      runName,
      tags,
      startTime: options.startTime ?? Date.now(),
    };
    this.append('run.created', payload as unknown as Record<string, unknown>);
    return runKey;
  }

  /**
   * Records params of a run (`run.params`). Values are stored as strings. A param already
   * logged with the same value is skipped; with another value it is an error (MLflow params are
   * immutable). Returns the record, or undefined when nothing was new.
   */
  logParams(runKey: string, params: Record<string, string | number | boolean>): JournalRecord | undefined {
    const run = this.run(runKey);
    const fresh: Record<string, string> = {};
    for (const [k, raw] of Object.entries(params)) {
      const v = String(raw);
      validateParam(k, v);
      const old = run.params.get(k) ?? fresh[k];
      if (old !== undefined && old !== v) {
        throw new TrackingValidationError('param', `Param '${k}' of run '${runKey}' was logged as '${old}', cannot change it to '${v}'`);
      }
      if (old === undefined) fresh[k] = v;
    }
    if (Object.keys(fresh).length === 0) return undefined;
    return this.append('run.params', { runKey, params: fresh });
  }

  /** Records metric points of a run (`run.metrics`); step defaults to 0, timestamp to now. */
  logMetrics(runKey: string, metrics: MetricInput[]): JournalRecord {
    this.run(runKey);
    const now = Date.now();
    const points: JournalMetric[] = metrics.map((m) => {
      const p = { key: m.key, value: m.value, step: m.step ?? 0, timestamp: m.timestamp ?? now };
      validateMetric(p.key, p.value, p.timestamp, p.step);
      return { ...p, value: metricJsonValue(p.value) as JournalMetric['value'] };
    });
    return this.append('run.metrics', { runKey, metrics: points });
  }

  /** Records one metric point. */
  logMetric(runKey: string, key: string, value: number, step = 0): JournalRecord {
    return this.logMetrics(runKey, [{ key, value, step }]);
  }

  /** Records tags of a run (`run.tags`); a tag may be set again with a new value. */
  setTags(runKey: string, tags: Record<string, string>): JournalRecord {
    this.run(runKey);
    for (const [k, v] of Object.entries(tags)) validateTag(k, v);
    return this.append('run.tags', { runKey, tags });
  }

  /** Records a small artifact file of a run (`run.artifact`), stored inline in the journal. */
  logArtifact(runKey: string, path: string, content: string | Uint8Array): JournalRecord {
    this.run(runKey);
    const norm = posix.normalize(path);
    if (typeof path !== 'string' || path === '' || norm !== path || path.startsWith('/') || norm.startsWith('..') || path.includes('\\')) {
      throw new TrackingValidationError('artifact path', `Invalid artifact path '${path}' of run '${runKey}': use a normalised relative path like 'mask.json'`);
    }
    const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    if (bytes > MAX_JOURNAL_ARTIFACT_BYTES) {
      throw new TrackingValidationError('artifact', `Artifact '${path}' of run '${runKey}' has ${bytes} bytes, the limit is ${MAX_JOURNAL_ARTIFACT_BYTES}`);
    }
    const payload =
      typeof content === 'string'
        ? { runKey, path, encoding: 'utf8', content }
        : { runKey, path, encoding: 'base64', content: Buffer.from(content).toString('base64') };
    return this.append('run.artifact', payload);
  }

  /** Records the end of a run (`run.ended`). */
  endRun(runKey: string, status: RunStatus = 'FINISHED', endTime = Date.now()): JournalRecord {
    this.run(runKey);
    if (!['FINISHED', 'FAILED', 'KILLED'].includes(status)) {
      throw new TrackingValidationError('status', `Invalid status '${status}' of run '${runKey}': use FINISHED, FAILED or KILLED`);
    }
    return this.append('run.ended', { runKey, status, endTime });
  }

  /** Closes the file; later appends throw. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.listeners.clear();
  }

  private run(runKey: string): RunState {
    const run = this.runs.get(runKey);
    if (!run) throw new TrackingValidationError('runKey', `Unknown run '${runKey}' in ${this.path}: call createRun first`);
    return run;
  }

  private track(r: JournalRecord): void {
    if (r.type === JOURNAL_CREATED && typeof r.journalId === 'string') this.id = r.journalId;
    else if (r.type === 'run.created') this.runs.set(r.runKey as string, { params: new Map() });
    else if (r.type === 'run.params') {
      const run = this.runs.get(r.runKey as string);
      for (const [k, v] of Object.entries((r.params ?? {}) as Record<string, string>)) run?.params.set(k, v);
    }
  }
}

function safeUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/**
 * Opens (creating it and its folder when missing) the journal at `path` for appending. An
 * existing journal is read first: its torn last line, if any, is cut off, and numbering,
 * runs and params continue where it stopped.
 */
export function openJournal(path: string, options: OpenJournalOptions = {}): Journal {
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true });
    let existing: JournalRecord[] = [];
    if (existsSync(file)) {
      const buf = readFileSync(file);
      const parsed = parseJournal(file, buf);
      existing = parsed.records;
      if (parsed.torn) {
        const fd = openSync(file, 'r+');
        ftruncateSync(fd, parsed.validBytes);
        fsyncSync(fd);
        closeSync(fd);
      }
    }
    const fd = openSync(file, 'a');
    const journal = new Journal(file, fd, existing, options);
    if (existing.length === 0) journal.append(JOURNAL_CREATED, { journalId: randomUUID(), format: JOURNAL_FORMAT });
    return journal;
  } catch (cause) {
    if (cause instanceof JournalError) throw cause;
    throw new JournalError(file, `Cannot open journal ${file}: ${(cause as Error).message}`, { cause });
  }
}
