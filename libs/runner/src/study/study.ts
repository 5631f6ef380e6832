/**
 * One study across models: for each model a compare search (GA + baselines) in the study's
 * folder, one after the other, then the paper's table. The study's journal records what
 * happened; its MLflow run is the parent of every model's compare run. A killed study resumes
 * with the models not finished (a half-run model continues its own search).
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { openJournal, type DeliveryReport, type Journal } from '@slt/tracking';
import { confusionDocument } from '../compare/confusion.js';
import { buildComparison } from '../compare/table.js';
import { ResumeError } from '../errors.js';
import { StudyJournalError } from './errors.js';
import type { SearchEvent } from '../journal/records.js';
import { deliverJournalPort, resolveTrackingUriPort } from '../ports/tracking.js';
import { Controller } from '../search/control.js';
import { JOURNAL_FILE, acquireLock, clearControl, defaultSearchRoot, isSearchRunning, newSearchId, sendControl, writeFileAtomic } from '../search/paths.js';
import { rememberSearch } from '../search/search-index.js';
import { readSearchState, resumeSearch, runSearch, syncSearch, type SearchOutcome, type SyncSearchOptions } from '../search/run.js';
import { modelSearchConfig, studyConfigFile, type StudyConfig } from './config.js';
import { preflightStudy } from './preflight.js';
import { checkStudyRecord, type StudyEvent, type StudyRecordBody } from './records.js';
import { createStudyRunMapper } from './runs.js';
import { STUDY_CONFIG_FILE, STUDY_JOURNAL, locateStudy, studyModelDir } from './paths.js';
import { initialStudyState, readStudyJournal, reduceStudy, reduceStudyJournal, type StudyState } from './state.js';
import { buildStudyTable, formatStudyCsv, formatStudyMarkdown, formatStudyText } from './table.js';

/** Options of {@link runStudy} and {@link resumeStudy}. */
export interface RunStudyOptions {
  /** Aborting stops the study cleanly (the running model's search is interrupted; resumable). */
  signal?: AbortSignal;
  /** Id of a new study (default: time + random). */
  studyId?: string;
  /** Folder under which a new study's folder is made when `base.out` is unset (default `./.slt/searches`). */
  root?: string;
  /** Every study record as it is appended. */
  onEvent?: (e: StudyEvent) => void;
  /** Every event of the running model's compare search, with the model's label. */
  onSearchEvent?: (label: string, e: SearchEvent) => void;
}

/** How a study ended. */
export interface StudyOutcome {
  studyId: string;
  dir: string;
  journalPath: string;
  /** `finished`, or `interrupted` (resumable). */
  status: 'finished' | 'interrupted';
  state: StudyState;
  /** `resumeStudy` of a study that had finished before: nothing ran. */
  alreadyFinished?: boolean;
}

const isUrl = (v: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(v);

/**
 * Runs a new study to its end (or until `signal` aborts). Nothing is written (no folder, no
 * journal, no MLflow run) when a model lacks weights or the data set is missing.
 */
export async function runStudy(config: StudyConfig, options: RunStudyOptions = {}): Promise<StudyOutcome> {
  const studyId = options.studyId ?? newSearchId();
  const dir = path.resolve(config.base.out ?? path.join(options.root ?? defaultSearchRoot(), studyId));
  const journalPath = path.join(dir, STUDY_JOURNAL);
  if (existsSync(journalPath)) throw new ResumeError(journalPath, `a study already exists in ${dir}; continue it with \`slt resume ${dir}\` or choose another --out`, { kind: 'bad-input' });
  if (existsSync(path.join(dir, JOURNAL_FILE))) throw new ResumeError(path.join(dir, JOURNAL_FILE), `a search already exists in ${dir}; choose another --out for the study`, { kind: 'bad-input' });
  const base = { ...config.base, seed: config.base.seed ?? randomInt(0, 2 ** 31 - 1), data: path.resolve(config.base.data), out: dir };
  const models = config.models.map((m) => ({ ...m, ...(m.weights && !isUrl(m.weights) ? { weights: path.resolve(m.weights) } : {}) }));
  await preflightStudy({ base, models });
  // Every model's search delivers to the same store, wherever it is resumed from.
  const full = { base: { ...base, trackingUri: resolveTrackingUriPort(base.trackingUri) }, models };
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, STUDY_CONFIG_FILE), `${JSON.stringify(studyConfigFile(full), null, 2)}\n`);
  // The per-user index of searches: `slt ls` and `slt attach <id>` find the study from any folder.
  rememberSearch({ kind: 'study', id: studyId, dir, mode: 'compare' });
  try {
    return await new StudyRunner(dir, journalPath, options, { studyId, config: full }).run();
  } catch (err) {
    if (!existsSync(journalPath) && created) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Continues a killed or interrupted study: finished models are not run again, a half-run one
 * continues its own search.
 * @param ref the study's folder, its `study.jsonl`, or its id under `options.root`.
 */
export async function resumeStudy(ref: string, options: Omit<RunStudyOptions, 'studyId'> = {}): Promise<StudyOutcome> {
  const { dir, journalPath } = locateStudy(ref, options.root);
  if (isSearchRunning(dir)) throw new ResumeError(journalPath, 'the study is running in another process; attach to it instead', { kind: 'conflict' });
  if (!existsSync(journalPath)) throw new ResumeError(journalPath, `the study never started (see ${path.join(dir, 'search.err')}); start it again with \`slt compare --config ${path.join(dir, STUDY_CONFIG_FILE)}\``, { kind: 'bad-input' });
  const state = reduceStudyJournal(await readStudyJournal(journalPath));
  if (!state.studyId || !state.base) throw new ResumeError(journalPath, 'the journal has no study.started record', { kind: 'bad-input' });
  if (state.status === 'finished') return { studyId: state.studyId, dir, journalPath, status: 'finished', state, alreadyFinished: true };
  return await new StudyRunner(dir, journalPath, options).run();
}

/** Reads a study's journal and reduces it (for `ls`, `attach`, the TUI). */
export async function readStudyState(ref: string, root?: string): Promise<StudyState & { dir: string; journalPath: string; running: boolean }> {
  const { dir, journalPath } = locateStudy(ref, root);
  const state = existsSync(journalPath) ? reduceStudyJournal(await readStudyJournal(journalPath)) : initialStudyState();
  return { ...state, dir, journalPath, running: isSearchRunning(dir) };
}

/**
 * Delivers what a study's journal and each of its models' search journals hold and the MLflow
 * store lacks (`slt sync <study>`): the study run first (its id is the parent of the models'
 * runs), then every model's search. One report per journal.
 */
export async function syncStudy(ref: string, options: SyncSearchOptions = {}): Promise<DeliveryReport[]> {
  const { dir, journalPath } = locateStudy(ref, options.root);
  const state = reduceStudyJournal(await readStudyJournal(journalPath));
  const uri = options.trackingUri ?? state.base?.trackingUri;
  const reports = [await deliverJournalPort(journalPath, uri, () => createStudyRunMapper({ dir }), { onRetry: options.onRetry, onWarning: options.onWarning })];
  for (const m of state.models) {
    const modelDir = studyModelDir(dir, m.slug);
    if (existsSync(path.join(modelDir, JOURNAL_FILE))) reports.push(await syncSearch(modelDir, options));
  }
  return reports;
}

/** One study process on one journal. */
class StudyRunner {
  private journal!: Journal;
  private state: StudyState = initialStudyState();
  private readonly abort = new AbortController();
  private interruptReason: string | undefined;
  private currentDir: string | undefined;
  private readonly t0 = Date.now();

  constructor(
    private readonly dir: string,
    private readonly journalPath: string,
    private readonly options: Omit<RunStudyOptions, 'studyId'>,
    private readonly fresh?: { studyId: string; config: StudyConfig & { base: { seed: number } } },
  ) {}

  async run(): Promise<StudyOutcome> {
    const release = acquireLock(this.dir);
    clearControl(this.dir);
    // stop ends the study; pause / continue go to the running model's search.
    const control = new Controller(this.dir, (reason) => this.interrupt(reason), (paused) => this.currentDir && sendControl(this.currentDir, paused ? 'pause' : 'continue'));
    const onAbort = () => this.interrupt(String(this.options.signal?.reason instanceof Error ? this.options.signal.reason.message : (this.options.signal?.reason ?? 'aborted')));
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const existing = this.fresh ? [] : await readStudyJournal(this.journalPath);
      this.state = reduceStudyJournal(existing);
      this.journal = openJournal(this.journalPath, { defaultExperimentName: this.fresh?.config.base.experiment });
      this.journal.onAppend((r) => {
        // Appended bodies were checked by append(); the check gives the typed event.
        const c = checkStudyRecord(r);
        if (!c.ok) throw new StudyJournalError(this.journalPath, c.error);
        const e = c.record;
        this.state = reduceStudy(this.state, e);
        this.options.onEvent?.(e);
      });
      if (this.options.signal?.aborted) onAbort();
      if (this.fresh) {
        const { studyId, config } = this.fresh;
        this.append({ type: 'study.started', studyId, base: config.base, models: config.models, parentRunKey: studyId, pid: process.pid, host: hostname() });
      } else this.append({ type: 'study.resumed', pid: process.pid, host: hostname() });
      return await this.runModels();
    } catch (err) {
      if (this.journal && this.state.studyId) {
        try {
          const label = this.state.current >= 0 && this.state.models[this.state.current]?.status === 'running' ? this.state.models[this.state.current]!.label : undefined;
          this.append({ type: 'study.failed', error: (err as Error).message, ...(label ? { label } : {}) });
          await this.deliver();
        } catch {
          /* the journal itself failed: nothing more to record */
        }
      }
      throw err;
    } finally {
      this.options.signal?.removeEventListener('abort', onAbort);
      control.close();
      this.journal?.close();
      release();
    }
  }

  private interrupt(reason: string): void {
    if (this.interruptReason) return;
    this.interruptReason = reason;
    this.abort.abort(new Error(reason));
  }

  private append(body: StudyRecordBody): void {
    const { type, ...payload } = body;
    this.journal.append(type, payload as Record<string, unknown>);
  }

  /** Delivers the study journal to MLflow now; returns the study run's MLflow id (undefined when the store does not answer). */
  private async deliver(): Promise<string | undefined> {
    try {
      const report = await deliverJournalPort(this.journalPath, this.state.base?.trackingUri, () => createStudyRunMapper({ dir: this.dir }), {
        onWarning: (m) => this.append({ type: 'study.log', level: 'warn', message: `tracking: ${m}` }),
      });
      return report.runIds[this.state.parentRunKey ?? ''];
    } catch (err) {
      this.append({ type: 'study.log', level: 'warn', message: `tracking: the study run was not delivered (${(err as Error).message}); deliver it later with \`slt sync ${this.journalPath}\`` });
      return undefined;
    }
  }

  private async runModels(): Promise<StudyOutcome> {
    const studyId = this.state.studyId!;
    const parentRunId = await this.deliver();
    const journalId = this.journal.journalId;
    const config = { base: this.state.base!, models: this.state.models };
    for (const [index, m] of this.state.models.entries()) {
      if (this.interruptReason) break;
      if (this.state.models[index]!.status === 'finished') continue;
      const dir = studyModelDir(this.dir, m.slug);
      const searchId = `${studyId}-${m.slug}`;
      this.currentDir = dir;
      this.append({ type: 'study.model.started', index, label: m.label, searchId, dir });
      const t0 = Date.now();
      const onEvent = (e: SearchEvent) => this.options.onSearchEvent?.(m.label, e);
      let out: Pick<SearchOutcome, 'status' | 'state'>;
      const existing = existsSync(path.join(dir, JOURNAL_FILE)) ? await readSearchState(dir).catch(() => undefined) : undefined;
      if (existing && existing.status !== 'empty') {
        out = existing.status === 'finished' ? { status: 'finished', state: existing } : await resumeSearch(dir, { signal: this.abort.signal, onEvent });
      } else {
        out = await runSearch(modelSearchConfig(config, m, dir), {
          mode: 'compare', searchId, signal: this.abort.signal, onEvent,
          study: { studyId, label: m.label, journalId, runKey: this.state.parentRunKey!, ...(parentRunId ? { parentRunId } : {}) },
        });
      }
      this.currentDir = undefined;
      if (out.status !== 'finished') break;
      this.append({ type: 'study.model.finished', index, label: m.label, searchId, comparison: buildComparison(out.state), seconds: (Date.now() - t0) / 1000 });
      await this.deliver();
    }
    if (this.interruptReason || this.state.models.some((m) => m.status !== 'finished')) {
      this.append({ type: 'study.interrupted', reason: this.interruptReason ?? 'a model search was interrupted' });
      await this.deliver();
      return this.outcome('interrupted');
    }
    const table = buildStudyTable({ studyId, models: this.state.models });
    // The files first, then the record that makes them artifacts of the study's run.
    writeFileAtomic(path.join(this.dir, 'study.txt'), formatStudyText(table));
    writeFileAtomic(path.join(this.dir, 'study.md'), formatStudyMarkdown(table));
    writeFileAtomic(path.join(this.dir, 'study.csv'), formatStudyCsv(table));
    // study.json: the table plus every model's confusion matrices (per method).
    const confusion = Object.fromEntries(this.state.models.map((m) => [m.label, m.comparison ? confusionDocument(m.comparison) : null]));
    writeFileAtomic(path.join(this.dir, 'study.json'), `${JSON.stringify({ ...table, confusion }, null, 2)}\n`);
    this.append({ type: 'study.finished', table, seconds: (Date.now() - this.t0) / 1000 });
    await this.deliver();
    return this.outcome('finished');
  }

  private outcome(status: 'finished' | 'interrupted'): StudyOutcome {
    return { studyId: this.state.studyId!, dir: this.dir, journalPath: this.journalPath, status, state: this.state };
  }
}
