import { useEffect, type Dispatch } from 'react';
import { isSearchRunning } from '@slt/runner';
import type { Action } from '../state/app.js';

/** Checks now and every `everyMs` whether the attached search's process holds its lock (stops on unmount). */
export function useSearchAlive(dir: string | undefined, dispatch: Dispatch<Action>, everyMs = 2000): void {
  useEffect(() => {
    if (!dir) return;
    const check = () => dispatch({ type: 'alive', alive: isSearchRunning(dir) });
    check();
    const timer = setInterval(check, everyMs);
    return () => clearInterval(timer);
  }, [dir, dispatch, everyMs]);
}
