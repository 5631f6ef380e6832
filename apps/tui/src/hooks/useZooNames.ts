import { useEffect, type Dispatch } from 'react';
import type { Action } from '../state/app.js';

/**
 * The zoo's model names for the form (Model choices, the Models list's check), loaded once when
 * `needed` and not known yet. They live in @slt/models with the backbones, so this loads tfjs: it
 * is done only when the form is shown, never for `--help`, the list or a live screen.
 */
export function useZooNames(needed: boolean, known: readonly string[], dispatch: Dispatch<Action>): void {
  const missing = needed && known.length === 0;
  useEffect(() => {
    if (!missing) return;
    let live = true;
    import('@slt/runner')
      .then(({ modelNames }) => {
        if (live) dispatch({ type: 'models', models: modelNames() });
      })
      .catch((err: Error) => {
        if (live) dispatch({ type: 'request.failed', error: `cannot list the zoo's models: ${err.message}` });
      });
    return () => {
      live = false;
    };
  }, [missing, dispatch]);
}
