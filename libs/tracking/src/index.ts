/**
 * @slt/tracking: the append-only journal of a search and its delivery to MLflow (REST server
 * or FileStore `./mlruns`), idempotent and resumable.
 */
export { TrackingError, TrackingValidationError, JournalError, isUnreachable, namesStore } from './errors.js';
export type { JournalRecord } from './journal/records.js';
export { Journal, openJournal } from './journal/journal.js';
export type { OpenJournalOptions } from './journal/journal.js';
export { readJournal, followJournal } from './journal/read.js';
export type { FollowOptions } from './journal/read.js';
export { resolveTrackingConfig } from './config.js';
export type { TrackingConfig, TrackingConfigOptions } from './config.js';
export type { TrackingStore, Run } from './store/types.js';
export { MlflowRestClient } from './store/rest.js';
export type { RestClientOptions } from './store/rest.js';
export { FileStore } from './store/file-store.js';
export { deliverJournal, startDelivery } from './delivery/delivery.js';
export type {
  DeliveryOptions,
  DeliveryReport,
  DeliveryStatus,
  BackgroundDeliveryOptions,
  Delivery,
} from './delivery/delivery.js';
export { deliveryStatePath } from './delivery/state.js';
/** Links of a journal's delivered runs (MLflow UI page or file-store folder), for screens: read-only, zod-checked. */
export { deliveredRunLink, readDeliveryLinks, runLinkUrl } from './delivery/link.js';
export type { DeliveredRunLink } from './delivery/link.js';
export { trackingRecordMapper, recordTime } from './delivery/ops.js';
export type { RunOp, RunOpsMapper, RunOpsMapperFactory } from './delivery/ops.js';
export { checkTracking } from './check.js';
export type { TrackingCheck } from './check.js';
