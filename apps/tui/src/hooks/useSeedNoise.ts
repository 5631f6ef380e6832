import { useEffect, type Dispatch } from 'react';
import { searchSeedNoise } from '@slt/runner/light';
import type { Action } from '../state/app.js';

/**
 * Once the followed search in `dir` has finished (`finished`), reads the seeds' noise of its
 * comparison from the searches beside it that differ only in their seed (the runner's public
 * `searchSeedNoise`) and dispatches it; an unreadable folder gives none. Read again on a new folder.
 */
export function useSeedNoise(dir: string | undefined, finished: boolean, dispatch: Dispatch<Action>): void {
  useEffect(() => {
    if (!dir || !finished) return;
    let live = true;
    searchSeedNoise(dir).then(
      (noise) => live && dispatch({ type: 'seedNoise', dir, noise }),
      () => live && dispatch({ type: 'seedNoise', dir }),
    );
    return () => {
      live = false;
    };
  }, [dir, finished, dispatch]);
}
