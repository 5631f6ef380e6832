/**
 * `@slt/runner/light`: the part of the runner's API a screen needs to list, follow, launch and
 * control searches and studies, and to check a search config, without loading tfjs, the model
 * zoo or the chart renderer (the full `@slt/runner` loads them through running a search). A
 * subset of `./index.ts`, the same names: the TUI starts from it in a fraction of a second.
 * Everything here must stay free of `@slt/models`, `@slt/backend` and `@resvg/resvg-js`
 * imports (light.test.ts checks it in a child process; apps/tui's issue13.test.tsx checks the built TUI).
 */
export { RunnerError, ConfigError, SearchNotFoundError } from './errors.js';
export { searchConfigSchema, parseSearchConfig, defaultWorkers, CONFIG_KEYS, PRESETS, BACKENDS, GENE_MODES, ADAPTERS, PRUNERS } from './config/schema.js';
export type { SearchConfig, SearchConfigInput } from './config/schema.js';
export { AUDIO_PRESETS, AUDIO_PRESET_NAMES } from './config/audio.js';
export type { AudioPresetName } from './config/audio.js';
export { toSearchEvent, readSearchJournal } from './journal/read.js';
export type { SearchEvent } from './journal/records.js';
export { initialSearchState, reduceSearch, reduceJournal } from './state/reducer.js';
export type { RowState, PopulationRow, GenerationState, SearchStatus, LogLine, SearchProgress, BestSoFar, SearchState } from './state/types.js';
export { listSearches } from './search/list.js';
export type { SearchSummary } from './search/list.js';
export { listKnownSearches } from './search/known.js';
export type { KnownSearches, KnownSearch, KnownStudy } from './search/known.js';
export { formatDuration, searchLiveness, livenessText, displayGeneration, trainingRows, setupText, progressParts, progressLine, exitOnClosedPipe } from './search/progress.js';
export type { SearchLiveness } from './search/progress.js';
export {
  JOURNAL_FILE, TRACKING_STATUS_FILE, readProgress, readTrackingStatus, defaultSearchRoot, locateSearch, isSearchRunning, sendControl,
} from './search/paths.js';
export type { SearchLocation, ControlCommand } from './search/paths.js';
export { followSearch, searchProcessAlive, detachedErrors } from './detach/detach.js';
export type { FollowSearchOptions } from './detach/detach.js';
export { launchDetached, sltBin, flagArgs } from './detach/launch.js';
export type { LaunchDetachedOptions, Launched } from './detach/launch.js';
export { buildComparison, formatComparisonText, comparisonNotes } from './compare/table.js';
export type { Comparison, ComparisonRow, ComparisonNote, ComparisonNoteOptions } from './compare/table.js';
export { STUDY_JOURNAL, STUDY_CONFIG_FILE, isStudyDir, isStudyRef, locateStudy } from './study/paths.js';
export type { StudyState, StudyStatus, StudyModelState } from './study/state.js';
export { followStudy, listStudies } from './study/follow.js';
export type { FollowStudyOptions, StudySummary } from './study/follow.js';
export { buildStudyTable, formatStudyText } from './study/table.js';
export type { StudyTable } from './study/table.js';
export type { TrackingStatusEvent } from './ports/tracking.js';
