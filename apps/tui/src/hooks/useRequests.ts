import { useEffect, useRef, type Dispatch } from 'react';
import { sendControl } from '@slt/runner/light';
import { launchFromForm, resolveData } from '../effects/launch.js';
import type { Action, Request } from '../state/app.js';
import { DEMO_DATA } from '../state/form.js';

/**
 * Carries out the request the reducer made: launching a detached search (demo assets first) or
 * sending stop / pause / continue to the attached one through its control file. A launch still
 * running when the component unmounts is abandoned (its `slt cache demo` child is cancelled).
 */
export function useRequests(request: Request | undefined, attached: { dir: string } | undefined, root: string, dispatch: Dispatch<Action>): void {
  // Read at the time of the request: a change of the attached search (or of its liveness) must not
  // restart a launch in progress.
  const dir = useRef<string | undefined>(undefined);
  dir.current = attached?.dir;
  useEffect(() => {
    if (!request) return;
    if (request.kind === 'control') {
      try {
        if (!dir.current) throw new Error('no search attached');
        sendControl(dir.current, request.command);
        dispatch({ type: 'request.done', message: `${request.command} sent to the search` });
      } catch (err) {
        dispatch({ type: 'request.failed', error: `${request.command}: ${(err as Error).message}` });
      }
      return;
    }
    const ctl = new AbortController();
    dispatch({ type: 'busy', text: request.flags.data === DEMO_DATA ? 'getting the quick demo assets (fetched into the cache on first use)' : `checking ${request.flags.data}` });
    (async () => {
      const flags = await resolveData(request.flags, ctl.signal);
      if (ctl.signal.aborted) return;
      const launched = launchFromForm(flags, root, request.mode);
      // Several models in compare mode: `slt compare --model a,b` runs a study in that folder.
      const study = request.mode === 'compare' && (flags.model ?? '').includes(',');
      dispatch({ type: 'attach', id: launched.searchId, dir: launched.dir, ...(study ? { study } : {}) });
    })().catch((err: Error) => {
      if (!ctl.signal.aborted) dispatch({ type: 'request.failed', error: err.message });
    });
    return () => ctl.abort();
  }, [request, root, dispatch]);
}
