/** Polls a search's control file for stop / pause / continue commands. */
import { readControl } from './paths.js';

/** Watches the control file of a running search. */
export class Controller {
  private timer: NodeJS.Timeout;
  private lastTime: string | undefined;
  private isPaused = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly dir: string, private readonly onStop: (reason: string) => void, private readonly onPause: (paused: boolean) => void, pollMs = 300) {
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
  }

  /** True while a pause command holds. */
  get paused(): boolean {
    return this.isPaused;
  }

  private poll(): void {
    const c = readControl(this.dir);
    if (!c || c.time === this.lastTime) return;
    this.lastTime = c.time;
    if (c.command === 'stop') {
      this.setPaused(false);
      this.onStop('stop command');
    } else if (c.command === 'pause' && !this.isPaused) {
      this.setPaused(true);
      this.onPause(true);
    } else if (c.command === 'continue' && this.isPaused) {
      this.setPaused(false);
      this.onPause(false);
    }
  }

  private setPaused(p: boolean): void {
    this.isPaused = p;
    if (!p) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves at once when not paused, else when continued or `signal` aborts. */
  waitWhilePaused(signal: AbortSignal): Promise<void> {
    if (!this.isPaused || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Stops polling. */
  close(): void {
    clearInterval(this.timer);
    this.setPaused(false);
  }
}
