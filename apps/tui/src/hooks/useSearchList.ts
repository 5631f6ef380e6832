import { useEffect, type Dispatch } from 'react';
import { listKnownSearches, searchLiveness, type SearchSummary, type StudySummary } from '@slt/runner/light';
import type { Action } from '../state/app.js';

/** Lists the searches under `root` now and every `everyMs` while `enabled` (stops on unmount). */
export function useSearchList(root: string, enabled: boolean, dispatch: Dispatch<Action>, everyMs = 2000): void {
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      try {
        const searches = await listAll(root);
        if (!stopped) dispatch({ type: 'searches', searches });
      } catch (err) {
        if (!stopped) dispatch({ type: 'request.failed', error: `cannot list searches in ${root}: ${(err as Error).message}` });
      }
      if (!stopped) timer = setTimeout(tick, everyMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [root, enabled, dispatch, everyMs]);
}

/** A study as a row of the search list: its models for the model, models done / in total for the progress. */
export function studyRow(s: StudySummary): SearchSummary {
  return {
    searchId: s.studyId, dir: s.dir, journalPath: s.journalPath, status: s.status, live: s.live, liveness: searchLiveness(s.status, s.live), mode: 'study',
    model: `study: ${s.models.join(',')}`, done: s.done, total: s.total,
    ...(s.data ? { dataset: s.data } : {}), ...(s.startedAt ? { startedAt: s.startedAt } : {}), ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}), ...(s.error ? { error: s.error } : {}),
  };
}

/**
 * The searches and the studies under `root`, and those of the per-user index that live in other
 * folders (the runner's listKnownSearches: the same list as `slt ls`), newest first; a row with
 * mode 'study' opens the study; `from: 'index'` marks a row found through the index.
 */
export async function listAll(root: string): Promise<(SearchSummary & { from?: 'root' | 'index' })[]> {
  const known = await listKnownSearches(root);
  return [...known.searches, ...known.studies.map((s) => ({ ...studyRow(s), from: s.from }))].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}
