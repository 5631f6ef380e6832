/**
 * `@slt/runner/light`: the part of the runner's API a screen needs to list, follow, launch and
 * control searches and studies, and to check a search config, without loading tfjs, the model
 * zoo or the chart renderer (the full `@slt/runner` loads them through running a search). The
 * full entry (`./index.ts`) re-exports all of it: the TUI starts from here in a fraction of a second.
 * Everything here must stay free of `@slt/models` (but its tfjs-free `@slt/models/workers`),
 * `@slt/backend` and `@resvg/resvg-js` imports (light.test.ts checks it in a child process; apps/tui's issue13.test.tsx checks the built TUI).
 */
export { RunnerError, ConfigError, SearchNotFoundError, SearchInterruptedError } from './errors.js';
export type { RunnerErrorKind } from './errors.js';

// Search configs: parse and check one (plain-words messages), and the option lists a form offers.
export { parseSearchConfig, loadSearchConfig, defaultWorkers, workersChoiceOf, workersWarnings, BACKENDS, GENE_MODES, ADAPTERS, PRUNERS } from './config/schema.js';
export type { SearchConfig, SearchConfigInput } from './config/schema.js';
export { AUDIO_PRESET_NAMES } from './config/audio.js';

// A search's worker processes, started before the rest of the runner loads (give them to runSearch).
export { startEvaluatorWorkers } from './ports/workers.js';
export type { EarlyWorkers, WorkersSetup } from './ports/workers.js';

// A search's journal and the state it reduces to.
export { toSearchEvent, readSearchJournal } from './journal/read.js';
export type { SearchEvent } from './journal/records.js';
export { initialSearchState, reduceSearch, reduceJournal } from './state/reducer.js';
export type { RowState, PopulationRow, LogLine, SearchState } from './state/types.js';

// Finding searches: in a folder, or from any folder through the per-user index.
export { listKnownSearches } from './search/known.js';
export type { KnownSearches } from './search/known.js';
export type { SearchSummary } from './search/list.js';
export {
  JOURNAL_FILE, TRACKING_STATUS_FILE, readProgress, readTrackingStatus, defaultSearchRoot, locateSearch, isSearchRunning, sendControl,
} from './search/paths.js';
export type { SearchLocation, ControlCommand } from './search/paths.js';
export type { TrackingStatusEvent } from './ports/tracking.js';

// Showing progress: one wording for attach, the TUI's plain mode and its views.
export { formatDuration, searchLiveness, livenessText, displayGeneration, setupText, workersText, progressParts, progressLine, exitOnClosedPipe } from './search/progress.js';
export type { SearchLiveness } from './search/progress.js';

// Detached searches: launch one, follow it, tell why it stopped.
export { followSearch, searchProcessAlive, detachedErrors } from './detach/detach.js';
export type { FollowSearchOptions } from './detach/detach.js';
export { launchDetached, sltBin, flagArgs } from './detach/launch.js';
export type { LaunchDetachedOptions, Launched } from './detach/launch.js';

// Comparing the GA with the baselines.
export { buildComparison, formatComparisonText, comparisonNotes } from './compare/table.js';
export type { Comparison, ComparisonNote, ComparisonNoteOptions } from './compare/table.js';
/** The seeds' noise of a finished compare/baselines search, from the searches beside it that differ only in their seed (for `comparisonNotes`). */
export { searchSeedNoise, seedNoiseOf, seedSiblings, sameButSeed } from './compare/seeds.js';
export type { SeedNoise, SeedSearch } from './compare/seeds.js';

// Studies: one compare search per model and the paper's table across models.
export { STUDY_JOURNAL, STUDY_CONFIG_FILE, isStudyDir, isStudyRef, locateStudy } from './study/paths.js';
export type { StudyLocation } from './study/paths.js';
export type { StudyState } from './study/state.js';
export { followStudy } from './study/follow.js';
export type { FollowStudyOptions, StudySummary } from './study/follow.js';
export { buildStudyTable, formatStudyText } from './study/table.js';
export type { StudyTable } from './study/table.js';
