import path from 'node:path';
import { useEffect, type Dispatch } from 'react';
import { JOURNAL_FILE, readProgress, toSearchEvent, type SearchEvent } from '@slt/runner/light';
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
    let lastProgress = '';
    const journal = path.join(dir, JOURNAL_FILE);
    followJournal(journal, (r) => {
      // Parsed with the runner's record schemas (a damaged record is named, not cast).
      buffer.push(toSearchEvent(r, journal));
      // New records may make the latest live progress applicable (its row now in training): send it again.
      lastProgress = '';
      flushTimer ??= setTimeout(flush, 40);
    }, ctl.signal, { pollMs }).catch((err: Error) => {
      if (!ctl.signal.aborted) dispatch({ type: 'request.failed', error: `cannot follow ${journal}: ${err.message}` });
    });
    // Batch progress and setup phases are not journaled: the search keeps the latest in progress.json.
    const progressTimer = setInterval(() => {
      const e = readProgress(dir);
      const id = e ? `${e.type === 'eval.progress' ? e.key : e.phase}@${e.time}` : '';
      if (!e || id === lastProgress) return;
      lastProgress = id;
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
