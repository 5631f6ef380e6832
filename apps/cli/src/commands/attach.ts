/**
 * `slt attach <search>` follows a (detached) search's journal with the same progress display as
 * `slt search`; `slt stop|pause|continue <search>` send commands through its control file.
 * Also home of the progress printer the search commands share.
 */
import type { Command } from 'commander';
import {
  detachedErrors, isStudyRef, locateStudy, followSearch, initialSearchState, locateSearch, reduceSearch, sendControl, isSearchRunning,
  progressLine, progressParts, searchLiveness, livenessText,
  type ControlCommand, type SearchEvent, type SearchState,
} from '@slt/runner/light';
import { CliError } from '../errors.js';
import { addRootOption, rootOf, type RootFlags } from './root.js';

/**
 * Progress of a search on a stream: on a TTY a redrawn bar under the log lines, otherwise plain
 * log lines each with the progress figures.
 */
export class ProgressPrinter {
  private state: SearchState = initialSearchState();
  private lastDraw = 0;
  private barShown = false;
  private readonly tty: boolean;

  /** `initial`: the state of the journal so far (a resume continues its counts, best and generation). */
  constructor(private readonly out: NodeJS.WriteStream, initial?: SearchState) {
    this.tty = !!out.isTTY && !process.env.CI;
    if (initial) this.state = initial;
  }

  /** The state built from the events so far. */
  get current(): SearchState {
    return this.state;
  }

  onEvent(e: SearchEvent): void {
    const prevLast = this.state.logs[this.state.logs.length - 1];
    this.state = reduceSearch(this.state, e);
    const logs = this.state.logs;
    const fresh = logs.slice((prevLast ? logs.lastIndexOf(prevLast) : -1) + 1);
    if (fresh.length > 0) {
      this.clearBar();
      for (const l of fresh) {
        const prefix = l.level === 'info' ? '' : `${l.level}: `;
        this.out.write(this.tty ? `${prefix}${l.message}\n` : `${prefix}${l.message}  [${progressParts(this.state).join(' | ')}]\n`);
      }
    }
    if (this.tty && (fresh.length > 0 || Date.now() - this.lastDraw > 100)) this.draw();
  }

  private draw(): void {
    this.lastDraw = Date.now();
    this.out.write(`\r\x1b[K${progressLine(this.state, this.out.columns || 100)}`);
    this.barShown = true;
  }

  private clearBar(): void {
    if (this.barShown) this.out.write('\r\x1b[K');
    this.barShown = false;
  }

  /** Ends the display (leaves the last bar on its own line). */
  close(): void {
    if (this.barShown) this.out.write('\n');
    this.barShown = false;
  }
}

/** A search `slt attach` cannot follow (it never started). */
export class AttachError extends CliError {}

/** Registers `slt attach`, `slt stop`, `slt pause`, `slt continue`. */
export function registerAttach(program: Command): void {
  addRootOption(program
    .command('attach'))
    .description('Follow a running (or finished) search from its journal; Ctrl-C detaches, the search goes on')
    .argument('<search>', 'search id, folder or journal file')
    .option('--json', 'journal records as JSON lines on stdout')
    .action(async (ref: string, opts: RootFlags & { json?: boolean }) => {
      const root = rootOf(opts);
      if (isStudyRef(ref, root)) return (await import('./study.js')).attachStudyCommand(ref, { ...opts, root });
      const printer = new ProgressPrinter(process.stderr);
      const ctl = new AbortController();
      const onInt = () => ctl.abort();
      process.once('SIGINT', onInt);
      try {
        const state = await followSearch(ref, {
          root,
          signal: ctl.signal,
          onEvent: (e) => {
            printer.onEvent(e);
            if (opts.json) process.stdout.write(`${JSON.stringify(e)}\n`);
          },
        });
        printer.close();
        const { dir } = locateSearch(ref, root);
        // One liveness rule (as `slt ls` and the TUI): running in the journal with no process is killed.
        const shown = searchLiveness(state.status, isSearchRunning(dir));
        const detached = ctl.signal.aborted && (shown === 'live' || shown === 'paused');
        if (!opts.json) {
          const what = detached ? `${shown}; detached, it goes on (slt attach ${dir} again)` : livenessText(shown, dir);
          // A failed (or interrupted) search's reason is printed whole: its hint is at its end.
          const why = (state.status === 'failed' || state.status === 'interrupted') && state.reason ? ` (${state.reason})` : '';
          process.stdout.write(`search ${state.searchId ?? ref}: ${what}${why}${state.best ? `, best val accuracy ${state.best.fitness.toFixed(4)} (${state.best.mask})` : ''}\n`);
        }
        if (state.status === 'empty') {
          // Why a detached launch stopped before its journal: its own words, whole (the hint is at their end).
          const lines = detachedErrors(dir).split('\n').filter((l) => l.trim());
          const said = lines.filter((l) => l.startsWith('slt: '));
          const why = (said.length ? said : lines.slice(-5)).map((l) => `\n  ${l}`).join('');
          throw new AttachError(`search ${dir} has not started (or failed before its first record)${why ? `:${why}` : ''}\n  (its whole output: ${dir}/search.err)`);
        }
        if (state.status === 'failed' || shown === 'killed') process.exitCode = 1;
        else if (state.status === 'interrupted') process.exitCode = 130;
      } finally {
        process.off('SIGINT', onInt);
        printer.close();
      }
    });
  const control = (name: ControlCommand, help: string) =>
    addRootOption(program
      .command(name)
      .description(help)
      .argument('<search>', 'search id, folder or journal file'))
      .action((ref: string, opts: RootFlags) => {
        const root = rootOf(opts);
        const { dir } = isStudyRef(ref, root) ? locateStudy(ref, root) : locateSearch(ref, root);
        if (!isSearchRunning(dir)) throw Object.assign(new Error(`search ${dir} is not running (resume it with: slt resume ${dir})`), { exitCode: 1 });
        sendControl(dir, name);
        process.stdout.write(`sent ${name} to ${dir}\n`);
      });
  control('stop', 'Stop a running search cleanly (resumable with `slt resume`)');
  control('pause', 'Pause a running search after its running evaluations');
  control('continue', 'Continue a paused search');
}
