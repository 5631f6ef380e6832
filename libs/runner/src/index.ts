/**
 * @slt/runner: one engine for searches, baselines and comparisons. It wires libs/ga, libs/datasets,
 * libs/models and libs/tracking; owns the runner's journal records, the reducer that turns them
 * into a {@link SearchState}, resume, detached searches and their control file.
 *
 * This entry is `@slt/runner/light` (list, follow, launch and control searches without tfjs) plus
 * what runs them. Everything else in the folder is internal.
 */
export * from './light.js';

export { ResumeError, SearchSetupError, TooManyFailuresError } from './errors.js';
export { StudyPreflightError, StudyNotFoundError, StudyJournalError } from './study/errors.js';

// The worker count's choice (the default from the budget, or what is wrong with an explicit one).
export type { WorkersChoice } from './config/schema.js';

// Journal records as written (an envelope: seq, time, type) for tools that read journals whole.
export type { RecordEnvelope, RunnerRecord, EvalFinishedRecord } from './journal/records.js';

// Running, resuming and re-delivering a search.
export { runSearch, resumeSearch, readSearchState, syncSearch } from './search/run.js';
export type { RunSearchOptions, SearchOutcome, SyncSearchOptions } from './search/run.js';
export { newSearchId } from './search/paths.js';
export { rememberSearch } from './search/search-index.js';
export type { RememberSearchInput } from './search/search-index.js';
export { spawnDetached } from './detach/detach.js';
export type { SpawnDetachedOptions } from './detach/detach.js';
export { formatComparisonMarkdown } from './compare/table.js';

// Studies: config, preflight, run, resume, sync, and the paper's tables.
export { isStudyConfigInput, loadStudyConfig, studyConfigFile } from './study/config.js';
export type { StudyConfig } from './study/config.js';
export { preflightStudy } from './study/preflight.js';
export type { StudyEvent, StudyRecordBody } from './study/records.js';
export { runStudy, resumeStudy, readStudyState, syncStudy } from './study/study.js';
export type { RunStudyOptions, StudyOutcome } from './study/study.js';
export { formatStudyMarkdown, formatStudyCsv } from './study/table.js';

// What this machine can train with, the model zoo's names, and whether MLflow answers.
export { modelNames, backendDoctor } from './ports/models.js';
export { checkTrackingPort as checkTracking } from './ports/tracking.js';
