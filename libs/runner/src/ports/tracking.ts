/** Adapter over @slt/tracking's delivery (journal -> MLflow REST or FileStore). */
import {
  checkTracking, deliverJournal, namesStore, resolveTrackingConfig, startDelivery, type DeliveryReport, type DeliveryStatus, type Journal, type RunOpsMapperFactory, type TrackingCheck,
} from '@slt/tracking';

/** A running delivery of a journal to its sink. */
export interface DeliveryHandle {
  /** Stops (delivering what is pending for a few seconds) and resolves with the final status. */
  stop(): Promise<DeliveryStatus>;
}

/**
 * Live status of a search's MLflow delivery (an event for `onEvent`, never journalled): what the
 * CLI and the TUI show as "tracking".
 */
export interface TrackingStatusEvent {
  type: 'tracking.status';
  /** What the delivery is doing: `retrying` while the store does not answer. */
  phase: DeliveryStatus['phase'];
  /** Where the runs go. */
  target: string;
  /** Journal records not delivered yet. */
  pendingRecords: number;
  /** Runs with records not delivered yet. */
  pendingRuns: number;
  /** Transient failures retried so far. */
  retries: number;
  /** Message of the last failure. */
  lastError?: string;
  /** ISO time. */
  time: string;
}

/** The status as a `tracking.status` event. */
export function trackingStatusEvent(s: DeliveryStatus): TrackingStatusEvent {
  return {
    type: 'tracking.status', phase: s.phase, target: s.target, pendingRecords: Math.max(0, s.journalSeq - s.deliveredSeq), pendingRuns: s.pendingRuns,
    retries: s.retries, ...(s.lastError ? { lastError: s.lastError } : {}), time: new Date().toISOString(),
  };
}

/** The store a URI (or MLFLOW_TRACKING_URI, else `./mlruns`) means, resolved: an absolute folder or an http(s) URL. */
export function resolveTrackingUriPort(trackingUri?: string): string {
  const cfg = resolveTrackingConfig(trackingUri ? { trackingUri } : {});
  return cfg.kind === 'file' ? cfg.root : cfg.uri;
}

/**
 * A search's delivery runs a pass at most about this often (ms): each pass costs the search process
 * CPU time (reading the journal, writing the store and the delivery state) that the workers
 * training beside it on the same cores miss; records reach MLflow within about this delay.
 */
export const DELIVERY_PASS_MS = 2000;

/** Starts delivering the journal in the background to `trackingUri` (resolved), with the search's mapping. */
export function startDeliveryPort(
  journal: Journal, trackingUri: string, mapper: RunOpsMapperFactory, onWarning: (m: string) => void, onStatus?: (e: TrackingStatusEvent) => void,
): DeliveryHandle {
  let warnedRetry = false;
  const d = startDelivery({
    journalPath: journal.path, journal, trackingUri, mapper, pollMs: DELIVERY_PASS_MS, coalesceMs: DELIVERY_PASS_MS,
    onError: (e) => onWarning(`tracking delivery stopped: ${e.message}; runs stay in the journal, deliver them later with \`slt sync ${journal.path}\``),
    onWarning: (m) => onWarning(`tracking: ${m}`),
    onRetry: (err) => {
      if (warnedRetry) return;
      warnedRetry = true;
      const message = (err as Error).message;
      onWarning(`tracking: ${namesStore(err) ? message : `${trackingUri} does not answer (${message})`}; the search goes on, runs are kept in the journal and delivered when it answers (or with \`slt sync\`)`);
    },
    onStatus: (s) => onStatus?.(trackingStatusEvent(s)),
  });
  return { stop: () => d.stop({ timeoutMs: 5000 }) };
}

/** Delivers a whole journal once (as `slt sync` does). */
export async function deliverJournalPort(journalPath: string, trackingUri: string | undefined, mapper: RunOpsMapperFactory, hooks: { onRetry?: (err: unknown, ms: number) => void; onWarning?: (m: string) => void } = {}): Promise<DeliveryReport> {
  // A user waiting on `slt sync` hears about a store that does not answer within seconds.
  return await deliverJournal({ journalPath, ...(trackingUri ? { trackingUri } : {}), mapper, ...hooks, retry: { maxAttempts: 3, initialBackoffMs: 500 }, rest: { maxAttempts: 2 } });
}

/** MLflow reachability (for `slt doctor` and the start of a search). */
export async function checkTrackingPort(trackingUri?: string, timeoutMs?: number): Promise<TrackingCheck> {
  return await checkTracking({ ...(trackingUri ? { trackingUri } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
}
