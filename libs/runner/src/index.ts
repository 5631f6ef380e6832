/**
 * @slt/runner: one engine for searches, baselines and comparisons. It wires libs/ga, libs/datasets,
 * libs/models and libs/tracking; owns the runner's journal records, the reducer that turns them
 * into a {@link SearchState}, resume, detached searches and their control file.
 */
export { RunnerError, ConfigError, JournalError, ResumeError, SearchInterruptedError, SearchSetupError } from './errors.js';
export type { RunnerErrorOptions } from './errors.js';

export { searchConfigSchema, parseSearchConfig, readConfigFile, loadSearchConfig, defaultWorkers, CONFIG_KEYS, PRESETS, DATA_KINDS, BACKENDS } from './config/schema.js';
export type { SearchConfig, SearchConfigInput } from './config/schema.js';
export { AUDIO_PRESETS, AUDIO_PRESET_NAMES, PAD_MODES, AUDIO_CONFIG_KEYS, LIMIT_CONFIG_KEYS } from './config/audio.js';
export type { AudioPreset, AudioPresetName } from './config/audio.js';

export { isRunnerRecordType, gaKey, baselineKey, RUNNER_RECORD_PREFIXES } from './journal/records.js';
export type {
  EpochMetrics, EvaluationResult, RecordEnvelope, EvalKind, SearchStartedRecord, SearchResumedRecord, GaSnapshotRecord, AskedGenome,
  GenerationStartedRecord, EvalIdentity, EvalStartedRecord, EvalEpochRecord, EvalFinishedRecord, EvalCachedRecord, GenerationFinishedRecord,
  BaselinesStartedRecord, SearchLogRecord, SearchPausedRecord, SearchInterruptedRecord, FinalGenome, SearchFinishedRecord,
  SearchFailedRecord, RunnerRecordBody, RunnerRecord, EvalProgressEvent, SearchEvent,
} from './journal/records.js';

export { initialSearchState, reduceSearch, reduceJournal } from './state/reducer.js';
export { MAX_LOG_LINES } from './state/types.js';
export type { RowState, PopulationRow, GenerationState, SearchStatus, LogLine, SearchProgress, BestSoFar, SearchState } from './state/types.js';

export { runSearch, resumeSearch, readSearchState } from './search/run.js';
export type { RunSearchOptions, SearchOutcome } from './search/run.js';
export type { SearchMode } from './search/session.js';
export { listSearches } from './search/list.js';
export type { SearchSummary } from './search/list.js';
export {
  JOURNAL_FILE, LOCK_FILE, CONTROL_FILE, PROGRESS_FILE, readProgress, defaultSearchRoot, newSearchId, locateSearch, isSearchRunning, readLock, sendControl, readControl,
} from './search/paths.js';
export type { SearchLocation, SearchLock, ControlCommand } from './search/paths.js';
export { maskJson } from './search/runs.js';

export { spawnDetached, followSearch } from './detach/detach.js';
export type { SpawnDetachedOptions, FollowSearchOptions } from './detach/detach.js';

export { buildComparison, formatComparisonText, formatComparisonMarkdown } from './compare/table.js';
export type { Comparison, ComparisonRow } from './compare/table.js';
export { comparisonChartSvg, comparisonChartPng } from './compare/chart.js';

export { modelNames, backendDoctor, formatBackendDoctor } from './ports/models.js';
export { deliverJournalPort as deliverJournal, checkTrackingPort as checkTracking } from './ports/tracking.js';
