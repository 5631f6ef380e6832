import { useEffect, type Dispatch } from 'react';
import { listSearches } from '@slt/runner';
import type { Action } from '../state/app.js';

/** Lists the searches under `root` now and every `everyMs` while `enabled` (stops on unmount). */
export function useSearchList(root: string, enabled: boolean, dispatch: Dispatch<Action>, everyMs = 2000): void {
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      try {
        const searches = await listSearches(root);
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
