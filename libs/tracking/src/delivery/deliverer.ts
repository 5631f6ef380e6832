/**
 * Applies the run operations derived from a journal (see `ops.ts`) to a TrackingStore,
 * idempotently:
 * - a run is created once: the runKey -> run_id map is saved in the state file with each chunk,
 *   and before creating a run the store is searched for its `slt.journal_id` + `slt.run_key`
 *   tags (covers a crash between create and save);
 * - a metric point is logged once: records are delivered in chunks whose seq range is marked
 *   in flight first; a chunk that was in flight at a crash, or a log-batch whose answer was
 *   lost, is reconciled against the run's metric history before sending again;
 * - params, tags, dataset inputs, artifacts and statuses are idempotent by nature.
 */
import { readFile } from 'node:fs/promises';
import { DeliveryError, StoreError, isRetryable, namesStore } from '../errors.js';
import { quoteFilterValue } from '../mlflow/filter.js';
import { chunkLogBatch, validateMetric, validateParam, validateTag, type KeyValue, type LogBatch, type MetricPoint } from '../mlflow/validation.js';
import type { JournalRecord } from '../journal/records.js';
import { JOURNAL_CREATED } from '../journal/journal.js';
import type { Run, RunInfo, TrackingStore } from '../store/types.js';
import { saveDeliveryState, type DeliveryState } from './state.js';
import type { CreateRunOp, RunOp, RunOpsMapper, RunOpsMapperFactory } from './ops.js';
import { createHash } from 'node:crypto';
import { abortableSleep } from '../util/sleep.js';

/** Counters of what a delivery did. */
export interface DeliveryCounters {
  /** Runs created in the store. */
  runsCreated: number;
  /** Runs found already in the store by their tags (after a crash or a lost answer). */
  runsFound: number;
  /** Metric points sent. */
  metricsLogged: number;
  /** Metric points not sent because the store already had them. */
  metricsSkipped: number;
  /** Params sent. */
  paramsLogged: number;
  /** Tags sent (log-batch). */
  tagsLogged: number;
  /** Artifacts written. */
  artifacts: number;
  /** Dataset inputs logged. */
  inputsLogged: number;
  /** Status changes sent (ends, and RUNNING again after a resume). */
  runsEnded: number;
  /** Transient failures that were retried. */
  retries: number;
}

/** Retry settings of a delivery. */
export interface RetryPolicy {
  /** Attempts per operation before giving up (default Infinity: until stopped). */
  maxAttempts?: number;
  /** First backoff delay in ms (default 500). */
  initialBackoffMs?: number;
  /** Longest backoff delay in ms (default 30000). */
  maxBackoffMs?: number;
}

/** Records delivered per chunk (one state write per chunk). */
const CHUNK_RECORDS = 200;
/** Tag holding the journal's id on every delivered run. */
export const JOURNAL_ID_TAG = 'slt.journal_id';
/** Tag holding the client-side runKey on every delivered run. */
export const RUN_KEY_TAG = 'slt.run_key';

type SeqOp = RunOp & { seq: number };

export function emptyCounters(): DeliveryCounters {
  return { runsCreated: 0, runsFound: 0, metricsLogged: 0, metricsSkipped: 0, paramsLogged: 0, tagsLogged: 0, artifacts: 0, inputsLogged: 0, runsEnded: 0, retries: 0 };
}

export class Deliverer {
  readonly counters: DeliveryCounters = emptyCounters();
  private journalId: string | undefined;
  /** Runs found by their tags instead of created: their metrics are reconciled before logging. */
  private readonly reconcile = new Set<string>();
  /** Per experiment, the runs of this journal found in the store when delivery started. */
  private readonly existing = new Map<string, Run[]>();
  private readonly mapper: RunOpsMapper;
  /** Last record handed to the mapper. */
  private mappedSeq = 0;
  /** Ops of records not delivered yet, in order. */
  private pending: SeqOp[] = [];
  /** Called after each transient failure, with the error and the next delay. */
  onRetry?: (err: unknown, delayMs: number) => void;
  /** Called for problems that do not stop delivery (e.g. an artifact root slt cannot write). */
  onWarning?: (message: string) => void;

  constructor(
    private readonly journalPath: string,
    private readonly store: TrackingStore,
    readonly state: DeliveryState,
    private readonly stateFile: string,
    private readonly retry: RetryPolicy,
    private readonly signal: AbortSignal,
    mapper: RunOpsMapperFactory,
  ) {
    this.mapper = mapper();
  }

  /** Runs with operations not delivered yet (mapped so far). */
  get pendingRuns(): number {
    return new Set(this.pending.filter((o) => o.seq > this.state.deliveredSeq).map((o) => o.runKey)).size;
  }

  /** Maps records not seen yet without delivering them (so `pendingRuns` counts them). */
  observe(records: JournalRecord[]): void {
    this.map(records);
  }

  /** Maps the records not seen yet (every record once, in order). */
  private map(records: JournalRecord[]): void {
    for (const r of records) {
      if (r.seq <= this.mappedSeq) continue;
      this.mappedSeq = r.seq;
      let ops: RunOp[];
      try {
        ops = this.mapper.next(r);
      } catch (cause) {
        throw new DeliveryError(this.journalPath, `Cannot derive the MLflow records of ${this.journalPath} record ${r.seq} (${r.type}): ${(cause as Error).message}`, { cause, seq: r.seq });
      }
      if (r.seq > this.state.deliveredSeq) for (const op of ops) this.pending.push({ ...op, seq: r.seq });
    }
  }

  /** Delivers every record after `state.deliveredSeq`; returns the new deliveredSeq. */
  async deliver(records: JournalRecord[]): Promise<number> {
    this.journalId ??= this.findJournalId(records);
    this.map(records);
    const todo = records.filter((r) => r.seq > this.state.deliveredSeq);
    for (let i = 0; i < todo.length; i += CHUNK_RECORDS) {
      const chunk = todo.slice(i, i + CHUNK_RECORDS);
      const from = chunk[0].seq;
      const to = chunk[chunk.length - 1].seq;
      const prev = this.state.inflight;
      const careful = prev !== undefined && prev.toSeq >= from && prev.fromSeq <= to;
      this.state.inflight = careful ? { fromSeq: Math.min(prev!.fromSeq, from), toSeq: Math.max(prev!.toSeq, to) } : { fromSeq: from, toSeq: to };
      await saveDeliveryState(this.stateFile, this.state);
      await this.applyOps(this.pending.filter((o) => o.seq >= from && o.seq <= to), careful);
      this.state.deliveredSeq = to;
      delete this.state.inflight;
      this.pending = this.pending.filter((o) => o.seq > to);
      await saveDeliveryState(this.stateFile, this.state);
    }
    return this.state.deliveredSeq;
  }

  private findJournalId(records: JournalRecord[]): string {
    const created = records.find((r) => r.type === JOURNAL_CREATED && typeof r.journalId === 'string');
    if (created) return created.journalId as string;
    const first = records[0];
    return createHash('sha256').update(`${this.journalPath}|${first?.time ?? ''}`).digest('hex').slice(0, 32);
  }

  /** A problem in derived data (a bug in a mapper, a value MLflow refuses): warned and skipped, never blocking. */
  private valid(what: string, check: () => void): boolean {
    try {
      check();
      return true;
    } catch (err) {
      this.onWarning?.(`Skipped ${what}: ${(err as Error).message}`);
      return false;
    }
  }

  private async applyOps(ops: SeqOp[], careful: boolean): Promise<void> {
    const pending = new Map<string, LogBatch>();
    const flush = async (runKey: string): Promise<void> => {
      const batch = pending.get(runKey);
      if (!batch) return;
      pending.delete(runKey);
      const runId = this.runOf(runKey).runId;
      for (const part of chunkLogBatch(batch)) {
        const c0 = careful || this.reconcile.has(runKey);
        await this.withRetry(`log-batch for run '${runKey}'`, c0, (c) => this.logBatchOnce(runId, part, c));
      }
    };
    for (const o of ops) {
      switch (o.op) {
        case 'create':
          await this.ensureRun(o, careful);
          break;
        case 'params':
        case 'metrics':
        case 'tags': {
          this.runOf(o.runKey);
          const b = pending.get(o.runKey) ?? { metrics: [], params: [], tags: [] };
          if (o.op === 'params') {
            const ps = Object.fromEntries(Object.entries(o.params).map(([k, v]) => [k, String(v)]).filter(([k, v]) => this.valid(`param '${k}' of run '${o.runKey}'`, () => validateParam(k, v))));
            mergeKv(b.params, ps, false);
          } else if (o.op === 'tags') {
            mergeKv(b.tags, Object.fromEntries(Object.entries(o.tags).filter(([k, v]) => this.valid(`tag '${k}' of run '${o.runKey}'`, () => validateTag(k, v)))), true);
          } else {
            for (const m of o.metrics) {
              if (this.valid(`metric '${m.key}' of run '${o.runKey}'`, () => validateMetric(m.key, m.value, m.timestamp, m.step))) b.metrics.push({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step });
            }
          }
          pending.set(o.runKey, b);
          break;
        }
        case 'artifact': {
          await flush(o.runKey);
          const run = this.runOf(o.runKey);
          let bytes: Uint8Array;
          if (o.file !== undefined) {
            try {
              bytes = await readFile(o.file);
            } catch (err) {
              this.onWarning?.(`Skipped artifact '${o.path}' of run '${o.runKey}': cannot read ${o.file}: ${(err as Error).message}`);
              break;
            }
          } else bytes = typeof o.content === 'string' ? Buffer.from(o.content, 'utf8') : (o.content ?? new Uint8Array());
          try {
            await this.withRetry(`artifact '${o.path}' of run '${o.runKey}'`, careful, () => this.store.logArtifact(runInfoOf(run), o.path, bytes));
            this.counters.artifacts++;
          } catch (err) {
            if (err instanceof DeliveryError && err.cause instanceof StoreError && err.cause.errorCode === 'UNSUPPORTED_ARTIFACT_URI') {
              this.onWarning?.(`Skipped artifact '${o.path}' of run '${o.runKey}': ${err.cause.message}`);
            } else throw err;
          }
          break;
        }
        case 'inputs': {
          await flush(o.runKey);
          const run = this.runOf(o.runKey);
          await this.withRetry(`dataset inputs of run '${o.runKey}'`, careful, () => this.store.logInputs(runInfoOf(run), o.datasets));
          this.counters.inputsLogged += o.datasets.length;
          break;
        }
        case 'status': {
          await flush(o.runKey);
          const run = this.runOf(o.runKey);
          await this.withRetry(`status of run '${o.runKey}'`, careful, () => this.store.updateRun(run.runId, o.status, o.endTime));
          this.counters.runsEnded++;
          break;
        }
      }
    }
    for (const key of [...pending.keys()]) await flush(key);
  }

  private runOf(runKey: string): { runId: string; experimentId: string; artifactUri: string } {
    const run = this.state.runs[runKey];
    if (!run) throw new DeliveryError(this.journalPath, `Journal ${this.journalPath} logs to run '${runKey}' before creating it`);
    return run;
  }

  private async ensureExperiment(name: string): Promise<string> {
    const known = this.state.experiments[name];
    if (known) return known;
    const id = await this.withRetry(`experiment '${name}'`, false, async () => {
      const found = await this.store.getExperimentByName(name);
      if (found && found.lifecycleStage !== 'active') {
        throw new StoreError('INVALID_STATE', `Experiment '${name}' (id ${found.experimentId}) is ${found.lifecycleStage} in ${this.store.target}: restore it or use another experiment name`);
      }
      if (found) return found.experimentId;
      try {
        return await this.store.createExperiment(name);
      } catch (err) {
        const code = (err as { errorCode?: string }).errorCode;
        if (code === 'RESOURCE_ALREADY_EXISTS') {
          const again = await this.store.getExperimentByName(name);
          if (again) return again.experimentId;
        }
        throw err;
      }
    });
    this.state.experiments[name] = id;
    return id;
  }

  private async ensureRun(r: CreateRunOp, careful: boolean): Promise<void> {
    if (this.state.runs[r.runKey]) return;
    const experimentId = await this.ensureExperiment(r.experimentName);
    const parent = r.parentRunKey !== undefined ? this.runOf(r.parentRunKey).runId : r.parentRef ? await this.runOfRef(experimentId, r.parentRef, careful) : undefined;
    const filter = `tags.\`${JOURNAL_ID_TAG}\` = ${quoteFilterValue(this.journalId!)} and tags.\`${RUN_KEY_TAG}\` = ${quoteFilterValue(r.runKey)}`;
    const tags: KeyValue[] = Object.entries({
      'mlflow.runName': r.runName,
      ...r.tags,
      [RUN_KEY_TAG]: r.runKey,
      [JOURNAL_ID_TAG]: this.journalId!,
      ...(parent ? { 'mlflow.parentRunId': parent } : {}),
    })
      .filter(([k, v]) => this.valid(`tag '${k}' of run '${r.runKey}'`, () => validateTag(k, v)))
      .map(([key, value]) => ({ key, value }));
    const info = await this.withRetry(`creation of run '${r.runKey}'`, careful, async (c) => {
      // One search per experiment lists the runs of this journal already there; after a lost
      // answer (careful) the store is asked again for this run alone.
      const found = c ? await this.store.searchRuns([experimentId], filter) : [...(await this.existingRuns(experimentId)).filter((x) => x.tags[RUN_KEY_TAG] === r.runKey)];
      if (found.length > 0) {
        this.counters.runsFound++;
        this.reconcile.add(r.runKey);
        return found[0].info;
      }
      const created = await this.store.createRun({ experimentId, runName: r.runName, startTime: r.startTime, tags, userId: r.tags['mlflow.user'] });
      this.counters.runsCreated++;
      return created;
    });
    // Saved with the chunk: a crash before that is covered by the tag search above.
    this.state.runs[r.runKey] = { runId: info.runId, experimentId, artifactUri: info.artifactUri };
  }

  /** The id of another journal's run in this store (`CreateRunOp.parentRef`), or undefined when the store has none. */
  private async runOfRef(experimentId: string, ref: { journalId: string; runKey: string }, careful: boolean): Promise<string | undefined> {
    const filter = `tags.\`${JOURNAL_ID_TAG}\` = ${quoteFilterValue(ref.journalId)} and tags.\`${RUN_KEY_TAG}\` = ${quoteFilterValue(ref.runKey)}`;
    const found = await this.withRetry(`parent run '${ref.runKey}' of journal ${ref.journalId}`, careful, () => this.store.searchRuns([experimentId], filter));
    return found[0]?.info.runId;
  }

  /** Runs of this journal already in the experiment (fetched once per delivery). */
  private async existingRuns(experimentId: string): Promise<Run[]> {
    let runs = this.existing.get(experimentId);
    if (!runs) {
      runs = await this.store.searchRuns([experimentId], `tags.\`${JOURNAL_ID_TAG}\` = ${quoteFilterValue(this.journalId!)}`);
      this.existing.set(experimentId, runs);
    }
    return runs;
  }

  private async logBatchOnce(runId: string, batch: LogBatch, careful: boolean): Promise<void> {
    let metrics = batch.metrics;
    if (careful && metrics.length > 0) {
      const have = new Set<string>();
      for (const key of new Set(metrics.map((m) => m.key))) {
        for (const m of await this.store.getMetricHistory(runId, key)) have.add(pointId(m));
      }
      metrics = metrics.filter((m) => !have.has(pointId(m)));
      this.counters.metricsSkipped += batch.metrics.length - metrics.length;
    }
    if (metrics.length + batch.params.length + batch.tags.length === 0) return;
    await this.store.logBatch(runId, { metrics, params: batch.params, tags: batch.tags });
    this.counters.metricsLogged += metrics.length;
    this.counters.paramsLogged += batch.params.length;
    this.counters.tagsLogged += batch.tags.length;
  }

  /**
   * Runs `op`; on a transient failure waits (exponential backoff) and runs it again with
   * `careful` set, so it reconciles with what the store may already have applied.
   */
  private async withRetry<T>(what: string, careful: boolean, op: (careful: boolean) => Promise<T>): Promise<T> {
    const max = this.retry.maxAttempts ?? Infinity;
    const initial = this.retry.initialBackoffMs ?? 500;
    const cap = this.retry.maxBackoffMs ?? 30_000;
    for (let attempt = 1; ; attempt++) {
      if (this.signal.aborted) throw new DeliveryError(this.journalPath, `Delivery of ${this.journalPath} to ${this.store.target} was stopped during ${what}`);
      try {
        return await raceAbort(op(careful), this.signal);
      } catch (err) {
        const message = (err as Error).message;
        const to = namesStore(err) ? '' : ` to ${this.store.target}`; // the store is named once
        if (!isRetryable(err)) {
          throw new DeliveryError(this.journalPath, `Delivery of ${this.journalPath}${to} failed at ${what}: ${message}`, { cause: err });
        }
        if (attempt >= max) {
          throw new DeliveryError(this.journalPath, `Delivery of ${this.journalPath}${to} gave up at ${what} after ${attempt} attempts: ${message}`, { cause: err });
        }
        careful = true;
        this.counters.retries++;
        const delay = Math.min(cap, initial * 2 ** (attempt - 1));
        this.onRetry?.(err, delay);
        await abortableSleep(delay, this.signal);
      }
    }
  }
}

function mergeKv(into: KeyValue[], from: Record<string, string>, overwrite: boolean): void {
  for (const [key, value] of Object.entries(from)) {
    const i = into.findIndex((x) => x.key === key);
    if (i === -1) into.push({ key, value });
    else if (overwrite) into[i] = { key, value };
  }
}

function pointId(m: MetricPoint): string {
  return `${m.step}|${m.timestamp}|${Number.isNaN(m.value) ? 'NaN' : m.value}`;
}

/** Settles with `p`, or rejects as soon as `signal` aborts (the operation is then abandoned). */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('delivery stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('delivery stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function runInfoOf(run: { runId: string; experimentId: string; artifactUri: string }): RunInfo {
  return { runId: run.runId, experimentId: run.experimentId, artifactUri: run.artifactUri, runName: '', status: '', startTime: 0, lifecycleStage: 'active' };
}
