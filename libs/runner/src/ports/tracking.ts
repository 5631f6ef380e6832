/** Adapter over @slt/tracking's delivery (journal -> MLflow REST or FileStore). */
import { checkTracking, deliverJournal, startDelivery, type DeliveryReport, type Journal, type TrackingCheck } from '@slt/tracking';

/** A running delivery of a journal to its sink. */
export interface DeliveryHandle {
  stop(): Promise<void>;
}

/** Starts delivering the journal in the background: the config's URI, else MLFLOW_TRACKING_URI, else `./mlruns`. */
export function startDeliveryPort(journal: Journal, trackingUri: string | undefined, onWarning: (m: string) => void): DeliveryHandle {
  const d = startDelivery({
    journalPath: journal.path, journal, ...(trackingUri ? { trackingUri } : {}),
    onError: (e) => onWarning(`tracking delivery stopped: ${e.message}; runs stay in the journal, deliver them later with \`slt sync\``),
    onWarning: (m) => onWarning(`tracking: ${m}`),
  });
  return { stop: async () => void (await d.stop()) };
}

/** Delivers a whole journal once (as `slt sync` does). */
export async function deliverJournalPort(journalPath: string, trackingUri?: string): Promise<DeliveryReport> {
  return await deliverJournal({ journalPath, ...(trackingUri ? { trackingUri } : {}) });
}

/** MLflow reachability (for `slt doctor`). */
export async function checkTrackingPort(trackingUri?: string): Promise<TrackingCheck> {
  return await checkTracking(trackingUri ? { trackingUri } : {});
}
