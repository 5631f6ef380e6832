/**
 * One home for how a search's progress reads, for every client (`slt search|attach|resume`, the
 * TUI's plain log and its live screen): the liveness rule, the figures and the progress line.
 */
import type { PopulationRow, SearchState, SearchStatus } from '../state/types.js';

/** Seconds as `12s`, `3m05s`, `1h02m`; `?` when unknown. */
export function formatDuration(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '?';
  const t = Math.max(0, Math.round(s));
  if (t >= 3600) return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
  if (t >= 60) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${t}s`;
}

/** What a search is, as every client shows it: its journal status, plus whether a process runs it. */
export type SearchLiveness = Exclude<SearchStatus, 'running'> | 'live' | 'killed' | 'starting';

/**
 * The one liveness rule: a journal that says `running` or `paused` is `killed` once no live process
 * holds the search's lock (killed without a word: `slt resume` continues it); `running` with a live
 * process is `live`; a journal with no record yet and a live process is `starting`.
 */
export function searchLiveness(status: SearchStatus, live: boolean): SearchLiveness {
  if (status === 'running') return live ? 'live' : 'killed';
  if (status === 'paused') return live ? 'paused' : 'killed';
  if (status === 'empty' && live) return 'starting';
  return status;
}

/** A sentence for a liveness value, with what to do next where there is something to do. */
export function livenessText(l: SearchLiveness, ref?: string): string {
  if (l === 'killed') return `killed (no process runs it; continue it with: slt resume ${ref ?? '<search>'})`;
  if (l === 'interrupted') return `interrupted (continue it with: slt resume ${ref ?? '<search>'})`;
  return l;
}

/** Generations as users read them: numbered from 1 everywhere (header, panes, log lines, MLflow). */
export const displayGeneration = (generation: number): number => generation + 1;

/** How many workers evaluate genomes and why: `2 workers, one per core (2)` (the CLI's start line and the journal's setup line). */
export function workersText(workers: number, reason: string): string {
  return `${workers} worker${workers === 1 ? '' : 's'}, ${reason}`;
}

/** Rows in training now (one per busy worker). */
export function trainingRows(s: SearchState): PopulationRow[] {
  return [...s.generations.flatMap((g) => g.rows), ...s.baselines].filter((r) => r.state === 'training');
}

/** What the search is doing when nothing trains: its setup phase, or between evaluations. */
export function setupText(s: SearchState): string | undefined {
  const ph = s.phase;
  if (!ph) return undefined;
  const count = ph.total ? ` ${ph.done ?? 0}/${ph.total}` : '';
  return `${ph.message}${count}`;
}

/**
 * The progress figures, in order: evaluations done/total, generation, cache hits, failures and
 * retries, images/s (summed over the workers training), ETA, best so far, the genome in training
 * (or the setup phase). Empty figures are left out.
 */
export function progressParts(s: SearchState, options: { current?: boolean } = {}): string[] {
  const p = s.progress;
  const gens = s.config?.generations;
  const training = trainingRows(s);
  const cur = training[0];
  const parts = [
    `${p.done}/${p.total} evals`,
    s.currentGeneration >= 0 && gens ? `gen ${displayGeneration(s.currentGeneration)}/${gens}` : '',
    `cache ${p.cacheHits}`,
    p.failures ? `failed ${p.failures}` : '',
    p.retries ? `retried ${p.retries}` : '',
    p.imagesPerSecond ? `${Math.round(p.imagesPerSecond)} img/s` : '',
    `ETA ${formatDuration(p.etaSeconds)}`,
    s.best ? `best ${s.best.fitness.toFixed(4)}` : '',
  ];
  if (options.current !== false) {
    parts.push(cur ? `${cur.label ?? cur.key} ep ${Math.min(cur.epochsDone + 1, cur.epochs)}/${cur.epochs}${cur.batch ? ` b ${cur.batch.batch}/${cur.batch.batches}` : ''}${training.length > 1 ? ` (+${training.length - 1})` : ''}` : setupText(s) ?? '');
  }
  return parts.filter(Boolean);
}

/** The progress line: a bar of the evaluations done, then {@link progressParts} joined by ` | `, cut to `width`. */
export function progressLine(s: SearchState, width = 100): string {
  const text = progressParts(s).join(' | ');
  const barWidth = Math.max(10, Math.min(30, width - text.length - 4));
  const filled = Math.round(s.progress.fraction * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${text}`.slice(0, Math.max(20, width - 1));
}

/**
 * Makes a client exit quietly (code 0) when the reader of its output goes away (`slt ls | head`):
 * an EPIPE on `streams` ends the process instead of printing a stack trace.
 */
export function exitOnClosedPipe(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
      throw err;
    });
  }
}
