import { useEffect, type Dispatch } from 'react';
import { readTrackingStatus } from '@slt/runner/light';
import type { Action } from '../state/app.js';

/**
 * Reads the attached search's MLflow delivery status (the runner's live `tracking.status` event,
 * through its public `readTrackingStatus`) now and every `everyMs`; stops on unmount or a new folder.
 */
export function useTrackingStatus(dir: string | undefined, dispatch: Dispatch<Action>, everyMs = 1000): void {
  useEffect(() => {
    if (!dir) return;
    const check = () => dispatch({ type: 'tracking', status: readTrackingStatus(dir) });
    check();
    const timer = setInterval(check, everyMs);
    return () => clearInterval(timer);
  }, [dir, dispatch, everyMs]);
}
