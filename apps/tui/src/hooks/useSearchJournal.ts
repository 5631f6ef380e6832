import path from 'node:path';
import { useEffect, type Dispatch } from 'react';
import { JOURNAL_FILE, readProgress, type SearchEvent } from '@slt/runner';
import { followJournal } from '@slt/tracking';
import type { Action } from '../state/app.js';

/**
 * Follows the attached search's journal from its first record (re-attaching replays it), batching
 * records into `events` actions; also polls the search's live batch progress (progress.json).
 * Everything stops when the attached folder changes or the component unmounts.
 */
export function useSearchJournal(attached: { dir: string } | undefined, dispatch: Dispatch<Action>, pollMs = 250): void {
  const dir = attached?.dir;
  useEffect(() => {
    if (!dir) return;
    // Followed from its first record: the state starts over (never replayed into the old one).
    dispatch({ type: 'journal.reset' });
    const ctl = new AbortController();
    let buffer: SearchEvent[] = [];
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = () => {
      flushTimer = undefined;
      if (buffer.length === 0 || ctl.signal.aborted) return;
      const events = buffer;
      buffer = [];
      dispatch({ type: 'events', events });
    };
    const journal = path.join(dir, JOURNAL_FILE);
    followJournal(journal, (r) => {
      buffer.push(r as unknown as SearchEvent);
      flushTimer ??= setTimeout(flush, 40);
    }, ctl.signal, { pollMs }).catch((err: Error) => {
      if (!ctl.signal.aborted) dispatch({ type: 'request.failed', error: `cannot follow ${journal}: ${err.message}` });
    });
    // Batch progress is not journaled: the search keeps its latest in progress.json.
    let lastProgress = '';
    const progressTimer = setInterval(() => {
      const e = readProgress(dir);
      if (!e || `${e.key}@${e.time}` === lastProgress) return;
      lastProgress = `${e.key}@${e.time}`;
      buffer.push(e);
      flushTimer ??= setTimeout(flush, 40);
    }, 500);
    return () => {
      ctl.abort();
      if (flushTimer) clearTimeout(flushTimer);
      clearInterval(progressTimer);
    };
  }, [dir, dispatch, pollMs]);
}
