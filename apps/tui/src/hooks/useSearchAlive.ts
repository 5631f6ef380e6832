import { useEffect, type Dispatch } from 'react';
import { detachedErrors, searchProcessAlive } from '@slt/runner/light';
import type { Action } from '../state/app.js';

/**
 * Checks now and every `everyMs` whether a process runs the attached search: its lock holder, or
 * the process of a detached launch still starting (so a launch that stops before its journal
 * exists is seen as stopped, with what it printed on stderr). Stops on unmount.
 */
export function useSearchAlive(dir: string | undefined, dispatch: Dispatch<Action>, everyMs = 1000): void {
  useEffect(() => {
    if (!dir) return;
    const check = () => {
      const alive = searchProcessAlive(dir);
      dispatch(alive ? { type: 'alive', alive } : { type: 'alive', alive, stderr: detachedErrors(dir) });
    };
    check();
    const timer = setInterval(check, everyMs);
    return () => clearInterval(timer);
  }, [dir, dispatch, everyMs]);
}
