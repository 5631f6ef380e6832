/**
 * @slt/tracking: the append-only journal of a search and its delivery to MLflow (REST server
 * or FileStore `./mlruns`), idempotent and resumable.
 */
export {
  TrackingError,
  TrackingValidationError,
  JournalError,
  MlflowRequestError,
  StoreError,
  DeliveryError,
  isRetryable,
} from './errors.js';
export type {
  JournalRecord,
  RunStatus,
  RunCreatedPayload,
  RunParamsPayload,
  RunMetricsPayload,
  RunTagsPayload,
  RunArtifactPayload,
  RunEndedPayload,
  JournalMetric,
  TrackingPayloads,
  TrackingRecord,
} from './journal/records.js';
export { TRACKING_RECORD_TYPES, isTrackingRecord } from './journal/records.js';
export { Journal, openJournal, MAX_JOURNAL_ARTIFACT_BYTES } from './journal/journal.js';
export type { OpenJournalOptions, CreateRunOptions, MetricInput } from './journal/journal.js';
export { readJournal, followJournal } from './journal/read.js';
export type { FollowOptions } from './journal/read.js';
export {
  keyProblem,
  validateKey,
  chunkLogBatch,
  MAX_PARAMS_TAGS_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_ENTITIES_PER_BATCH,
  MAX_BATCH_LOG_REQUEST_SIZE,
  MAX_PARAM_VAL_LENGTH,
  MAX_TAG_VAL_LENGTH,
  MAX_ENTITY_KEY_LENGTH,
} from './mlflow/validation.js';
export type { MetricPoint, KeyValue, LogBatch } from './mlflow/validation.js';
export { JOURNAL_CREATED, JOURNAL_FORMAT } from './journal/journal.js';
export { resolveTrackingConfig, createTrackingStore } from './config.js';
export type { TrackingConfig, TrackingConfigOptions } from './config.js';
export type { TrackingStore, ExperimentInfo, RunInfo, Run, CreateRunRequest } from './store/types.js';
export { MlflowRestClient } from './store/rest.js';
export type { RestClientOptions } from './store/rest.js';
export { FileStore } from './store/file-store.js';
export { deliverJournal, startDelivery } from './delivery/delivery.js';
export type {
  DeliveryOptions,
  DeliveryReport,
  DeliveryStatus,
  DeliveryPhase,
  BackgroundDeliveryOptions,
  Delivery,
} from './delivery/delivery.js';
export type { DeliveryCounters, RetryPolicy } from './delivery/deliverer.js';
export { JOURNAL_ID_TAG, RUN_KEY_TAG } from './delivery/deliverer.js';
export { deliveryStatePath } from './delivery/state.js';
export type { DeliveryState, DeliveredRun } from './delivery/state.js';
/** Links of a journal's delivered runs (MLflow UI page or file-store folder), for screens: read-only, zod-checked. */
export { deliveredRunLink, readDeliveryLinks, runLinkUrl } from './delivery/link.js';
export type { DeliveredRunLink } from './delivery/link.js';
export { trackingRecordMapper, composeMappers, recordTime } from './delivery/ops.js';
export type {
  RunOp, RunOpsMapper, RunOpsMapperFactory, RunOpMetric, RunDatasetInput, CreateRunOp, ParamsRunOp, MetricsRunOp, TagsRunOp,
  ArtifactRunOp, InputsRunOp, StatusRunOp,
} from './delivery/ops.js';
export { METRIC_HISTORY_PAGE_SIZE } from './store/rest.js';
export { checkTracking } from './check.js';
export type { TrackingCheck } from './check.js';
