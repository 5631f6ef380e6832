/**
 * Draining a journal into MLflow: `deliverJournal` (one pass, for `slt sync`) and
 * `startDelivery` (in the background during a search, following the journal as it grows,
 * retrying with backoff while the server is unreachable).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createTrackingStore, type TrackingConfigOptions } from '../config.js';
import { DeliveryError, TrackingError, namesStore } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import { readJournal } from '../journal/read.js';
import type { TrackingStore } from '../store/types.js';
import { Deliverer, emptyCounters, type DeliveryCounters, type RetryPolicy } from './deliverer.js';
import { trackingRecordMapper, type RunOpsMapperFactory } from './ops.js';
import { acquireDeliveryLock, deliveryStatePath, loadDeliveryState } from './state.js';

/** Options shared by `deliverJournal` and `startDelivery`. */
export interface DeliveryOptions extends TrackingConfigOptions {
  /** The journal file to deliver. */
  journalPath: string;
  /** Store to deliver to (default: from `trackingUri` / MLFLOW_TRACKING_URI, else `./mlruns`). */
  store?: TrackingStore;
  /** Retry policy for transient failures. */
  retry?: RetryPolicy;
  /** Called after each transient failure with the error and the delay before the next try. */
  onRetry?: (error: unknown, delayMs: number) => void;
  /** Called for problems that do not stop delivery (e.g. an artifact root slt cannot write). */
  onWarning?: (message: string) => void;
  /**
   * Derives the run operations from the journal's records (default: `trackingRecordMapper`,
   * which replays `run.*` records). A search journal passes the runner's mapper.
   */
  mapper?: RunOpsMapperFactory;
}

/** What a delivery achieved. */
export interface DeliveryReport extends DeliveryCounters {
  /** Where the records went. */
  target: string;
  /** The journal. */
  journalPath: string;
  /** Every record with seq <= this is delivered. */
  deliveredSeq: number;
  /** Last seq of the journal when the report was made. */
  journalSeq: number;
  /** runKey -> MLflow run id of every delivered run. */
  runIds: Record<string, string>;
  /** The delivery-state file beside the journal. */
  stateFile: string;
  /** Runs with records not delivered yet (0 when everything is delivered). */
  pendingRuns: number;
}

async function prepare(options: DeliveryOptions, signal: AbortSignal) {
  const journalPath = resolve(options.journalPath);
  const store = options.store ?? createTrackingStore({ ...options, rest: { ...options.rest, signal } });
  const stateFile = deliveryStatePath(journalPath, store.target);
  const release = acquireDeliveryLock(stateFile, journalPath);
  try {
    const state = await loadDeliveryState(stateFile, store.target);
    const d = new Deliverer(journalPath, store, state, stateFile, options.retry ?? {}, signal, options.mapper ?? trackingRecordMapper);
    d.onRetry = options.onRetry;
    d.onWarning = options.onWarning;
    return { journalPath, store, stateFile, release, d };
  } catch (err) {
    release();
    throw err;
  }
}

function report(p: { journalPath: string; store: TrackingStore; stateFile: string; d: Deliverer }, journalSeq: number): DeliveryReport {
  return {
    ...p.d.counters,
    target: p.store.target,
    journalPath: p.journalPath,
    deliveredSeq: p.d.state.deliveredSeq,
    journalSeq,
    runIds: Object.fromEntries(Object.entries(p.d.state.runs).map(([k, v]) => [k, v.runId])),
    stateFile: p.stateFile,
    pendingRuns: p.d.pendingRuns,
  };
}

/**
 * Delivers every not yet delivered record of a journal (e.g. a finished search) and resolves
 * with a report. Safe to run again: what was delivered is not delivered twice. By default it
 * gives up after 6 attempts per operation (`retry.maxAttempts`).
 */
export async function deliverJournal(options: DeliveryOptions & { signal?: AbortSignal }): Promise<DeliveryReport> {
  const signal = options.signal ?? new AbortController().signal;
  const p = await prepare({ ...options, retry: { maxAttempts: 6, ...options.retry } }, signal);
  try {
    const records = await readJournal(p.journalPath);
    await p.d.deliver(records);
    return report(p, records.length ? records[records.length - 1].seq : 0);
  } finally {
    p.release();
  }
}

/** State of a background delivery. */
export type DeliveryPhase = 'starting' | 'delivering' | 'idle' | 'retrying' | 'failed' | 'stopped';

/** Status snapshot of a background delivery. */
export interface DeliveryStatus extends DeliveryReport {
  /** What it is doing. */
  phase: DeliveryPhase;
  /** Message of the last error (transient or fatal), naming the store once. */
  lastError?: string;
}

/** Options of `startDelivery`. */
export interface BackgroundDeliveryOptions extends DeliveryOptions {
  /** The open journal, when in the same process: appends wake the delivery at once. */
  journal?: Journal;
  /** How often the journal file is checked for new records, in ms (default 500). */
  pollMs?: number;
  /**
   * After an append to `journal`, how long the delivery waits for more before its pass, in ms
   * (default 250). Records come in bursts (an evaluation's start, epochs and end; a generation's):
   * each pass re-reads the journal and writes the delivery state, and the records of one pass go
   * in one batch per run, so fewer, larger passes leave the cores to the training. The poll
   * (`pollMs`) still runs a pass when the file grew. `flush` and `stop` do not wait.
   */
  coalesceMs?: number;
  /** Called when delivery stops on an error retrying cannot fix (e.g. a 4xx). */
  onError?: (error: TrackingError) => void;
  /** Called whenever the phase, the retry count or what is pending changes (for live displays). */
  onStatus?: (status: DeliveryStatus) => void;
}

/** A running background delivery. */
export interface Delivery {
  /** Current status. */
  status(): DeliveryStatus;
  /** Resolves when every record appended so far is delivered (rejects if delivery failed). */
  flush(): Promise<DeliveryStatus>;
  /**
   * Stops: delivers what is pending for at most `timeoutMs` (default 10000), then stops and
   * resolves with the final status. Whatever is left is delivered by the next start or `slt sync`.
   */
  stop(options?: { timeoutMs?: number }): Promise<DeliveryStatus>;
}

/** An error's message naming the store once (request errors name their server already). */
const failureText = (err: unknown, target: string | undefined): string => {
  const message = err instanceof Error ? err.message : String(err);
  return namesStore(err) || !target ? message : `${target}: ${message}`;
};

/** Starts delivering the journal in the background; see `Delivery`. */
export function startDelivery(options: BackgroundDeliveryOptions): Delivery {
  const abort = new AbortController();
  const pollMs = options.pollMs ?? 500;
  const coalesceMs = Math.max(0, options.coalesceMs ?? 250);
  let phase: DeliveryPhase = 'starting';
  let lastError: string | undefined;
  let fatal: TrackingError | undefined;
  let journalSeq = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  const waiters: Array<{ seq: number; resolve: (s: DeliveryStatus) => void; reject: (e: unknown) => void }> = [];
  let prepared: Awaited<ReturnType<typeof prepare>> | undefined;
  let coalescing: ReturnType<typeof setTimeout> | undefined;
  const onAppend = (): void => {
    if (coalescing || !wake) return; // a pass is running (it reads again when it ends) or one is due
    coalescing = setTimeout(() => {
      coalescing = undefined;
      wake?.();
    }, coalesceMs);
  };
  const unsubscribe = options.journal?.onAppend(onAppend);

  const status = (): DeliveryStatus => ({
    ...(prepared
      ? report(prepared, journalSeq)
      : { ...emptyReport(), target: options.store?.target ?? '', journalPath: resolve(options.journalPath), journalSeq }),
    phase,
    ...(lastError ? { lastError } : {}),
  });
  let lastSignature = '';
  const setPhase = (p: DeliveryPhase): void => {
    phase = p;
    if (!options.onStatus) return;
    const st = status();
    const sig = `${st.phase}|${st.retries}|${st.deliveredSeq}|${st.journalSeq}|${st.pendingRuns}`;
    if (sig === lastSignature) return;
    lastSignature = sig;
    try {
      options.onStatus(st);
    } catch {
      /* a display callback never stops delivery */
    }
  };
  const settleWaiters = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (fatal) w.reject(fatal);
      else if (prepared && prepared.d.state.deliveredSeq >= w.seq) w.resolve(status());
      else if (phase === 'stopped') w.reject(new DeliveryError(resolve(options.journalPath), 'Delivery stopped before the journal was delivered'));
      else continue;
      waiters.splice(i, 1);
    }
  };

  const sleepOrWake = (): Promise<void> =>
    new Promise<void>((r) => {
      const t = setTimeout(done, pollMs);
      function done(): void {
        clearTimeout(t);
        clearTimeout(coalescing);
        coalescing = undefined;
        wake = undefined;
        r();
      }
      wake = done;
    });

  const loop = (async () => {
    try {
      prepared = await prepare({ ...options, onRetry: (err, ms) => { lastError = failureText(err, prepared?.store.target ?? options.store?.target); setPhase('retrying'); options.onRetry?.(err, ms); } }, abort.signal);
      let seenSize = -1;
      while (!abort.signal.aborted) {
        // Re-read the journal only when it grew (or on the first pass).
        const size = await stat(prepared.journalPath).then((st) => st.size, () => -1);
        if (size < 0) {
          // No journal yet: wait for its writer.
          setPhase('idle');
          if (stopping) break;
          await sleepOrWake();
          continue;
        }
        if (size === seenSize && !stopping) {
          setPhase('idle');
          settleWaiters();
          await sleepOrWake();
          continue;
        }
        seenSize = size;
        const records = await readJournal(prepared.journalPath);
        journalSeq = records.length ? records[records.length - 1].seq : 0;
        if (journalSeq > prepared.d.state.deliveredSeq) {
          setPhase('delivering');
          await prepared.d.deliver(records);
          lastError = undefined;
          settleWaiters();
          continue; // read again: more may have been appended meanwhile
        }
        setPhase('idle');
        settleWaiters();
        if (stopping) break;
        await sleepOrWake();
      }
    } catch (err) {
      if (!abort.signal.aborted) {
        fatal = err instanceof TrackingError ? err : new DeliveryError(resolve(options.journalPath), (err as Error).message, { cause: err });
        setPhase('failed');
        lastError = fatal.message;
        options.onError?.(fatal);
      }
    } finally {
      if (prepared) {
        // Count what is left (records appended since the last pass included) for the final report.
        const rest = await readJournal(prepared.journalPath).catch(() => undefined);
        if (rest) {
          journalSeq = rest.length ? rest[rest.length - 1].seq : journalSeq;
          try {
            prepared.d.observe(rest);
          } catch {
            /* a mapping error was reported by the pass that met it */
          }
        }
      }
      if ((phase as DeliveryPhase) !== 'failed') setPhase('stopped');
      clearTimeout(coalescing);
      unsubscribe?.();
      prepared?.release();
      settleWaiters();
    }
  })();

  return {
    status,
    async flush() {
      if (fatal) throw fatal;
      let seq = options.journal?.lastSeq;
      if (seq === undefined) {
        const records = await readJournal(resolve(options.journalPath)).catch(() => []);
        seq = records.length ? records[records.length - 1].seq : 0;
      }
      const target = seq;
      return new Promise<DeliveryStatus>((res, rej) => {
        waiters.push({ seq: target, resolve: res, reject: rej });
        settleWaiters();
        wake?.();
      });
    },
    async stop(opts = {}) {
      stopping = true;
      wake?.();
      const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 10_000);
      await loop;
      clearTimeout(timer);
      abort.abort();
      return status();
    },
  };
}

function emptyReport(): Omit<DeliveryReport, 'target' | 'journalPath' | 'journalSeq'> {
  return { ...emptyCounters(), deliveredSeq: 0, runIds: {}, stateFile: '', pendingRuns: 0 };
}
