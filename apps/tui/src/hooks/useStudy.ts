import { useEffect, type Dispatch } from 'react';
import { followStudy, isStudyDir } from '@slt/runner/light';
import type { Action } from '../state/app.js';

/**
 * When the attached folder is a study (or was launched as one and is still starting), follows its
 * journal through the runner's `followStudy`, sending each reduced state as a `study` action; the
 * app then follows the running model's search. Stops on unmount or when the folder changes.
 */
export function useStudy(attached: { dir: string; study?: boolean } | undefined, dispatch: Dispatch<Action>, pollMs = 250): void {
  const dir = attached?.dir;
  const launchedAsStudy = attached?.study === true;
  useEffect(() => {
    if (!dir) return;
    const ctl = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const start = () => {
      timer = undefined;
      if (ctl.signal.aborted) return;
      // A study launched a moment ago may not have written its files yet: look again shortly.
      if (!isStudyDir(dir)) {
        if (launchedAsStudy) timer = setTimeout(start, 300);
        return;
      }
      followStudy(dir, { signal: ctl.signal, pollMs, onState: (state) => dispatch({ type: 'study', state }) }).catch((err: Error) => {
        if (!ctl.signal.aborted) dispatch({ type: 'request.failed', error: `cannot follow the study ${dir}: ${err.message}` });
      });
    };
    start();
    return () => {
      ctl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [dir, launchedAsStudy, dispatch, pollMs]);
}
