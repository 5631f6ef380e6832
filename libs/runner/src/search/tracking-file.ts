/**
 * tracking.json, the MLflow delivery status a running search shows readers of a detached search
 * (the TUI): a change of state (starting, retrying, failed, stopped) is written at once; the counts
 * of a delivery that goes on (delivering, idle, which alternate with every pass) at most once a
 * second, the last one by a timer or by `flush`. The delivery reports after every pass, and a file
 * write (temp file, rename) per pass cost the search process more than the pass itself.
 */
import path from 'node:path';
import type { TrackingStatusEvent } from '../ports/tracking.js';
import { TRACKING_STATUS_FILE, writeFileAtomic } from './paths.js';

/** Least time between two writes with the same delivery phase (ms). */
export const TRACKING_WRITE_MS = 1000;

/** What a reader must see at once: a delivery that goes on (passes and pauses between them) is one state. */
const stateOf = (e: TrackingStatusEvent): string => (e.phase === 'delivering' || e.phase === 'idle' ? 'going' : e.phase);

/** The tracking.json of one search folder. */
export class TrackingStatusFile {
  private readonly file: string;
  private written: { at: number; state: string } | undefined;
  private due: TrackingStatusEvent | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(dir: string, private readonly minMs = TRACKING_WRITE_MS) {
    this.file = path.join(dir, TRACKING_STATUS_FILE);
  }

  /** A new status: written now (first, new phase, or the last write long enough ago) or within `minMs`. */
  push(e: TrackingStatusEvent): void {
    const last = this.written;
    const since = last ? Date.now() - last.at : Infinity;
    if (!last || last.state !== stateOf(e) || since >= this.minMs) return this.write(e);
    this.due = e;
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.minMs - since);
    this.timer.unref();
  }

  /** Writes the status still due, if any. */
  flush(): void {
    if (this.due) this.write(this.due);
  }

  private write(e: TrackingStatusEvent): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = undefined;
    this.written = { at: Date.now(), state: stateOf(e) };
    try {
      writeFileAtomic(this.file, JSON.stringify(e));
    } catch {
      /* a display aid: never fail the search over it */
    }
  }
}
