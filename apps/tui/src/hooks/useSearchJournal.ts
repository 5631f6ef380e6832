import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useEffect, type Dispatch } from 'react';
import { JOURNAL_FILE, type SearchEvent } from '@slt/runner';
import { followJournal } from '@slt/tracking';
import type { Action } from '../state/app.js';

/** File a search process may keep its latest batch progress in (read when present). */
export const PROGRESS_FILE = 'progress.json';

/**
 * Follows the attached search's journal from its first record (re-attaching replays it), batching
 * records into `events` actions; also polls the live batch progress file when the search writes one.
 * Everything stops when `attached` changes or the component unmounts.
 */
export function useSearchJournal(attached: { dir: string } | undefined, dispatch: Dispatch<Action>, pollMs = 250): void {
  useEffect(() => {
    if (!attached) return;
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
    const journal = path.join(attached.dir, JOURNAL_FILE);
    followJournal(journal, (r) => {
      buffer.push(r as unknown as SearchEvent);
      flushTimer ??= setTimeout(flush, 40);
    }, ctl.signal, { pollMs }).catch((err: Error) => {
      if (!ctl.signal.aborted) dispatch({ type: 'request.failed', error: `cannot follow ${journal}: ${err.message}` });
    });
    let lastProgress = '';
    const progressTimer = setInterval(() => {
      let text: string;
      try {
        text = readFileSync(path.join(attached.dir, PROGRESS_FILE), 'utf8');
      } catch {
        return;
      }
      if (text === lastProgress) return;
      lastProgress = text;
      try {
        const e = JSON.parse(text) as SearchEvent;
        if (e && e.type === 'eval.progress') {
          buffer.push(e);
          flushTimer ??= setTimeout(flush, 40);
        }
      } catch {
        // A torn or foreign file: ignore it until it is rewritten.
      }
    }, 500);
    return () => {
      ctl.abort();
      if (flushTimer) clearTimeout(flushTimer);
      clearInterval(progressTimer);
    };
  }, [attached, dispatch, pollMs]);
}
