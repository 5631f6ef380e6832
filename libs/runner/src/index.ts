/**
 * @slt/runner: one engine for searches, baselines and comparisons. It wires libs/ga, libs/datasets,
 * libs/models and libs/tracking; owns the runner's journal records, the reducer that turns them
 * into a {@link SearchState}, resume, detached searches and their control file.
 */
export { RunnerError, ConfigError, SearchNotFoundError, ResumeError, SearchInterruptedError, SearchSetupError, TooManyFailuresError } from './errors.js';
/** A journal that cannot be read or holds a foreign or damaged record (names the file and line): the one JournalError, from @slt/tracking. */
export { JournalError } from '@slt/tracking';
export type { RunnerErrorKind, RunnerErrorOptions } from './errors.js';

export { searchConfigSchema, parseSearchConfig, readConfigFile, loadSearchConfig, defaultWorkers, CONFIG_KEYS, PRESETS, DATA_KINDS, BACKENDS, GENE_MODES, ADAPTERS, PRUNERS } from './config/schema.js';
export type { SearchConfig, SearchConfigInput } from './config/schema.js';
// The default worker count from the budget (0 for a tiny search), and what is wrong with an explicit one.
export { chooseWorkers, workersWarnings, workersChoiceOf, IN_PROCESS_BUDGET } from './config/schema.js';
export type { WorkersChoice } from './config/schema.js';
export { AUDIO_PRESETS, AUDIO_PRESET_NAMES, PAD_MODES, AUDIO_CONFIG_KEYS, LIMIT_CONFIG_KEYS } from './config/audio.js';
export type { AudioPreset, AudioPresetName } from './config/audio.js';

export { isRunnerRecordType, gaKey, baselineKey, RUNNER_RECORD_PREFIXES, RECORD_SCHEMAS, checkRecord } from './journal/records.js';
export { toSearchEvent, readSearchJournal } from './journal/read.js';
export { compareEvaluations } from './ports/ga.js';
export type { RankedEvaluation } from './ports/ga.js';
export type {
  EpochMetrics, EvaluationResult, RecordEnvelope, EvalKind, SearchStartedRecord, SearchResumedRecord, GaSnapshotRecord, AskedGenome,
  GenerationStartedRecord, EvalIdentity, EvalStartedRecord, EvalEpochRecord, EvalFinishedRecord, EvalCachedRecord, GenerationFinishedRecord,
  BaselinesStartedRecord, SearchLogRecord, SearchPausedRecord, SearchInterruptedRecord, FinalGenome, SearchFinishedRecord,
  SearchFailedRecord, RunnerRecordBody, RunnerRecord, EvalProgressEvent, SearchPhaseEvent, SearchEvent,
  EvalRetryRecord, EvalFailedRecord, SearchProvenanceRecord, ModelSavedRecord, RunnerRecordType,
} from './journal/records.js';

export { initialSearchState, reduceSearch, reduceJournal } from './state/reducer.js';
export { MAX_LOG_LINES } from './state/types.js';
export type { RowState, PopulationRow, GenerationState, SearchStatus, LogLine, SearchProgress, BestSoFar, SearchState } from './state/types.js';

export { runSearch, resumeSearch, readSearchState, syncSearch } from './search/run.js';
export type { RunSearchOptions, SearchOutcome, SyncSearchOptions } from './search/run.js';
export type { SearchMode } from './search/session.js';
export { listSearches } from './search/list.js';
export { formatDuration, searchLiveness, livenessText, displayGeneration, trainingRows, setupText, progressParts, progressLine, exitOnClosedPipe } from './search/progress.js';
export type { SearchLiveness } from './search/progress.js';
export type { SearchSummary } from './search/list.js';
// The per-user index of searches ($SLT_INDEX_FILE, else $XDG_STATE_HOME/slt/searches.jsonl): slt ls and ids from any folder.
export { listKnownSearches } from './search/known.js';
export type { KnownSearches, KnownSearch, KnownStudy, KnownFrom } from './search/known.js';
export { SEARCH_INDEX_ENV, searchIndexFile, rememberSearch, readSearchIndex, knownSearchEntrySchema } from './search/search-index.js';
export type { KnownSearchEntry, RememberSearchInput } from './search/search-index.js';
export {
  JOURNAL_FILE, LOCK_FILE, CONTROL_FILE, PROGRESS_FILE, TRACKING_STATUS_FILE, readProgress, readTrackingStatus, defaultSearchRoot, newSearchId, locateSearch, isSearchRunning, readLock, sendControl, readControl,
} from './search/paths.js';
export type { SearchLocation, SearchLock, ControlCommand } from './search/paths.js';
export { maskJson, createSearchRunMapper, searchRunMapperFor, evaluationRunKey, evaluationRunName } from './search/runs.js';
export type { SearchRunMapperOptions } from './search/runs.js';

export { spawnDetached, followSearch, searchProcessAlive, detachedErrors } from './detach/detach.js';
export { launchDetached, sltBin, flagArgs } from './detach/launch.js';
export type { LaunchDetachedOptions, Launched } from './detach/launch.js';
export type { SpawnDetachedOptions, FollowSearchOptions } from './detach/detach.js';

export { buildComparison, formatComparisonText, formatComparisonMarkdown, comparisonNotes } from './compare/table.js';
export type { Comparison, ComparisonRow, ComparisonNote, ComparisonNoteOptions } from './compare/table.js';
export { comparisonChartSvg, comparisonChartPng } from './compare/chart.js';
export { confusionDocument, confusionSvg, confusionFiles, methodSlug } from './compare/confusion.js';
export type { ConfusionDocument } from './compare/confusion.js';
export { comparisonFiles } from './compare/files.js';
export type { ComparisonFile } from './compare/files.js';

// Studies: one compare search per model and the paper's table across models.
export { parseStudyConfig, loadStudyConfig, isStudyConfigInput, modelsFromFlags, studyConfigFile, modelSearchConfig } from './study/config.js';
export type { StudyConfig, StudyModel, StudyModelInput } from './study/config.js';
export { runStudy, resumeStudy, readStudyState, syncStudy } from './study/study.js';
export type { RunStudyOptions, StudyOutcome } from './study/study.js';
export { preflightStudy } from './study/preflight.js';
export { StudyPreflightError, StudyNotFoundError, StudyJournalError } from './study/errors.js';
export { STUDY_JOURNAL, STUDY_CONFIG_FILE, STUDY_MODELS_DIR, isStudyDir, isStudyRef, locateStudy, studyModelDir } from './study/paths.js';
export type { StudyLocation } from './study/paths.js';
export { initialStudyState, reduceStudy, reduceStudyJournal, readStudyJournal } from './study/state.js';
export type { StudyState, StudyStatus, StudyModelState } from './study/state.js';
export { followStudy, listStudies } from './study/follow.js';
export type { FollowStudyOptions, StudySummary } from './study/follow.js';
export { checkStudyRecord, isStudyRecordType } from './study/records.js';
export type {
  StudyEvent, StudyRecordBody, StudyStartedRecord, StudyResumedRecord, StudyModelStartedRecord, StudyModelFinishedRecord, StudyLogRecord,
  StudyInterruptedRecord, StudyFailedRecord, StudyFinishedRecord,
} from './study/records.js';
export { buildStudyTable, studyCells, formatStudyText, formatStudyMarkdown, formatStudyCsv, STUDY_COLUMNS, STUDY_ROWS } from './study/table.js';
export type { StudyTable, StudyTableModel, StudyCell, StudyColumn } from './study/table.js';
export { createStudyRunMapper, STUDY_TABLE_FILES } from './study/runs.js';
export type { StudyRunMapperOptions } from './study/runs.js';

export { modelNames, backendDoctor, formatBackendDoctor } from './ports/models.js';
export { checkTrackingPort as checkTracking, trackingStatusEvent } from './ports/tracking.js';
export type { TrackingStatusEvent } from './ports/tracking.js';
