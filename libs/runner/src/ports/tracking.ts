/** Adapter over @slt/tracking's delivery (journal -> MLflow REST or FileStore). */
import * as trackingLib from '@slt/tracking';

const tracking = trackingLib as Record<string, any>;

/** A running delivery of a journal to its sink. */
export interface DeliveryHandle {
  stop(): Promise<void>;
}

/** Where runs go: the config's URI, else MLFLOW_TRACKING_URI, else `./mlruns` (resolved by tracking). */
export async function startDeliveryPort(journalPath: string, trackingUri: string | undefined, onWarning: (m: string) => void): Promise<DeliveryHandle> {
  const start = tracking.startDelivery;
  if (typeof start !== 'function') {
    onWarning('tracking delivery is not available yet (@slt/tracking has no startDelivery); runs stay in the journal, deliver them later with `slt sync`');
    return { stop: async () => undefined };
  }
  const d = await start({ journalPath, trackingUri, onError: (e: Error) => onWarning(`tracking: ${e.message}`) });
  return { stop: async () => void (await d.stop()) };
}

/** Delivers a whole journal once (as `slt sync` does); resolves when done. */
export async function deliverJournalPort(journalPath: string, trackingUri: string | undefined): Promise<unknown> {
  const deliver = tracking.deliverJournal;
  if (typeof deliver !== 'function') throw new Error('@slt/tracking has no deliverJournal() yet');
  return await deliver({ journalPath, trackingUri });
}

/** MLflow reachability as tracking reports it (for `slt doctor`), if available. */
export async function checkTrackingPort(trackingUri: string | undefined): Promise<{ ok: boolean; detail: string } | undefined> {
  const fn = tracking.checkTracking ?? tracking.checkTrackingUri ?? tracking.pingTracking;
  if (typeof fn !== 'function') return undefined;
  return await fn(trackingUri);
}
