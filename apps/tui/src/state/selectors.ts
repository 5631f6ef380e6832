/** Derived views of the app state (pure; shared by the reducer and the components). */
import { buildComparison, comparisonNotes, type PopulationRow, type SearchState, type SeedNoise, type SearchSummary } from '@slt/runner/light';
import type { AppState } from './app.js';

const matches = (filter: string, ...parts: (string | number | undefined)[]): boolean =>
  !filter || parts.some((p) => p !== undefined && String(p).toLowerCase().includes(filter.toLowerCase()));

/** The searches the list shows (filtered). */
export function visibleSearches(state: Pick<AppState, 'searches' | 'filter'>): SearchSummary[] {
  return state.searches.filter((s) => matches(state.filter, s.searchId, s.model, s.dataset, s.status, s.live ? 'live' : ''));
}

/** Index of the generation shown on the live screen (the followed one unless chosen). */
export function shownGeneration(search: SearchState, chosen: number | null): number {
  const n = search.generations.length;
  if (n === 0) return -1;
  if (chosen === null) return n - 1;
  return Math.min(Math.max(0, chosen), n - 1);
}

/** Rows of the shown generation (plus baselines after the last one), filtered. */
export function visibleRows(state: Pick<AppState, 'search' | 'genIndex' | 'filter'>): PopulationRow[] {
  const g = shownGeneration(state.search, state.genIndex);
  const rows = g >= 0 ? state.search.generations[g].rows : [];
  const all = g === state.search.generations.length - 1 || g < 0 ? [...rows, ...state.search.baselines] : rows;
  return all.filter((r) => matches(state.filter, r.key, r.label, r.state, r.mask));
}

/** The row being trained (the first, when several workers train). */
export function trainingRow(search: SearchState): PopulationRow | undefined {
  return [...search.generations.flatMap((g) => g.rows), ...search.baselines].find((r) => r.state === 'training');
}

/** Every finished evaluation (GA and baselines), for the Pareto view. */
export function finishedRows(search: SearchState): PopulationRow[] {
  const seen = new Set<string>();
  const out: PopulationRow[] = [];
  for (const r of [...search.generations.flatMap((g) => g.rows), ...search.baselines]) {
    if (r.state !== 'done' || r.fitness === undefined) continue;
    const id = r.kind === 'baseline' ? r.key : r.mask;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(r);
  }
  return out;
}

/** The study model the live screen follows: the running one, else the last one started (undefined before any). */
export function studyModel(study: AppState['study']): { index: number; label: string; dir: string } | undefined {
  if (!study) return undefined;
  const models = study.models;
  const at = study.current >= 0 && models[study.current]?.dir ? study.current : models.map((m) => Boolean(m.dir)).lastIndexOf(true);
  const m = models[at];
  return m?.dir ? { index: at, label: m.label, dir: m.dir } : undefined;
}

/** The folder whose search journal the live screen follows: a study's model search, else the attached folder. */
export function followedDir(state: Pick<AppState, 'attached' | 'study'>): string | undefined {
  if (!state.attached) return undefined;
  const isStudy = state.attached.study || state.study;
  return isStudy ? studyModel(state.study)?.dir : state.attached.dir;
}

/**
 * True when the attached search's launch stopped before its journal held anything: its process is
 * gone (`alive` false: no lock holder, no detached launch process) and no record came, or, for a
 * study, the study never wrote its models.
 */
export function launchStopped(state: Pick<AppState, 'attached' | 'study' | 'search'>): boolean {
  const a = state.attached;
  if (!a || a.alive !== false) return false;
  if (a.study || state.study) return !state.study || state.study.models.length === 0;
  return state.search.status === 'empty';
}

/** The seeds' noise of the followed search, when it was read for this very folder. */
export function seedNoiseOf(state: AppState): SeedNoise | undefined {
  return state.seedNoise && state.seedNoise.dir === followedDir(state) ? state.seedNoise.noise : undefined;
}

/**
 * What the details view (key `e`) shows, whole: the last error message, why a launch stopped before
 * its search started (its stderr), a failed or interrupted search's reason, failed evaluations'
 * errors. Empty when there is nothing to tell.
 */
export function detailsLines(state: AppState): string[] {
  const out: string[] = [];
  const para = (title: string, text: string) => {
    if (out.length) out.push('');
    out.push(title, ...text.trimEnd().split('\n').map((l) => `  ${l}`));
  };
  if (state.message?.level === 'error') para('Last error:', state.message.text);
  if (launchStopped(state)) {
    const what = state.attached?.study || state.study ? 'study' : 'search';
    para(`The launch stopped before its ${what} started (${state.attached?.dir}). It printed:`, state.attached?.stderr?.trim() ? state.attached.stderr : '(nothing on stderr)');
  }
  const s = state.search;
  if (s.reason && (s.status === 'failed' || s.status === 'interrupted')) para(`Search ${s.status}:`, s.reason);
  const failed = [...s.generations.flatMap((g) => g.rows), ...s.baselines].filter((r) => r.state === 'failed' && r.error);
  for (const r of failed) para(`Evaluation ${r.label ?? r.key} failed:`, r.error!);
  if (state.screen === 'results') {
    const notes = comparisonNotes(buildComparison(s), { seedNoise: seedNoiseOf(state) });
    if (notes.length) para('Differences too small to mean anything:', notes.map((n) => n.text).join('\n'));
  }
  return out;
}
