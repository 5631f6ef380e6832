/** The live screen's progress lines (pure: SearchState in, text out). */
import { displayGeneration, livenessText, progressParts, searchLiveness, setupText, type PopulationRow, type SearchState, type TrackingStatusEvent } from '@slt/runner/light';
import { bar, clip, fmtDuration } from './format.js';

/** Fraction of a genome's training done (epochs, plus the batch within the epoch when known). */
export function genomeFraction(r: PopulationRow): number {
  if (r.state === 'done' || r.state === 'cached' || r.state === 'failed') return 1;
  const inEpoch = r.batch && r.batch.batches > 0 ? r.batch.batch / r.batch.batches : 0;
  return r.epochs > 0 ? Math.min(1, (r.epochsDone + inEpoch) / r.epochs) : 0;
}

/** Seconds left for a genome: from its live batch speed, else from the mean evaluation time. */
export function genomeEta(r: PopulationRow, s: SearchState): number | undefined {
  const ips = r.imagesPerSecond;
  const batch = s.config?.batch;
  if (r.batch && ips && batch) {
    const left = (r.epochs - r.epochsDone) * r.batch.batches - r.batch.batch;
    return Math.max(0, (left * batch) / ips);
  }
  const mean = s.progress.meanEvalSeconds;
  return mean === undefined ? undefined : Math.max(0, mean * (1 - genomeFraction(r)));
}

/** `label ███░░ text` cut to `width`, the bar taking what the text leaves (at least 10 cells). */
export function barLine(label: string, fraction: number, text: string, width: number): string {
  const barW = Math.max(10, Math.min(40, width - label.length - text.length - 3));
  return clip(`${label} ${bar(fraction, barW)} ${text}`, width);
}

/** The generation's progress: genomes with a fitness out of the population, plus the search's figures. */
export function generationLine(s: SearchState, width: number): string {
  const gens = s.config?.generations ?? s.generations.length;
  const g = s.generations[s.generations.length - 1];
  const rows = g?.rows ?? [];
  const finished = rows.filter((r) => r.state === 'done' || r.state === 'cached' || r.state === 'failed').length;
  const label = `gen ${s.currentGeneration >= 0 ? displayGeneration(s.currentGeneration) : 0}/${gens}`;
  // The search's figures as the CLI prints them (generation and best are on other lines here).
  const figures = progressParts(s, { current: false }).filter((x) => !x.startsWith('gen ') && !x.startsWith('best '));
  const text = [`${finished}/${rows.length} genomes`, ...figures].join(' · ');
  return barLine(label.padEnd(11), rows.length ? finished / rows.length : 0, text, width);
}

/** The genome in training: epoch, batch, images/s and ETA (or what the search is doing otherwise). */
export function genomeLine(r: PopulationRow | undefined, s: SearchState, width: number, alive?: boolean): string {
  // A search with no process shows no (stale) batch progress.
  if (alive === false && (s.status === 'running' || s.status === 'paused' || s.status === 'empty')) {
    return clip(`${'genome'.padEnd(11)} none: no process runs this search`, width);
  }
  if (!r) {
    const setup = setupText(s);
    const what = setup ? `setup: ${setup}` : s.status === 'running' ? 'between evaluations' : s.status === 'empty' ? 'starting (waiting for the journal)' : s.status;
    return clip(`${'genome'.padEnd(11)} ${what}`, width);
  }
  const epoch = Math.min(r.epochsDone + 1, r.epochs);
  const batch = r.batch ? ` b ${r.batch.batch}/${r.batch.batches}` : '';
  const ips = r.imagesPerSecond ?? s.progress.imagesPerSecond;
  const text = `ep ${epoch}/${r.epochs}${batch} · ${ips ? `${Math.round(ips)} img/s` : '- img/s'} · ETA ${fmtDuration(genomeEta(r, s))}`;
  return barLine(clip(r.label ?? r.key, 11).padEnd(11), genomeFraction(r), text, width);
}

/** The status line: search id, status, elapsed time, best so far, model on data set. */
export function statusLine(s: SearchState, id: string | undefined, width: number, alive?: boolean): string {
  // The one liveness rule (as `slt ls` and `slt attach`); unknown liveness counts as alive.
  const status = livenessText(searchLiveness(s.status, alive !== false), id ?? s.searchId);
  const best = s.best ? `best ${s.best.fitness.toFixed(4)} (${s.best.trainableLayers} layers)` : 'best -';
  const what = s.model ? `${s.model.name} on ${s.dataset?.name ?? '?'}` : '';
  const trouble = failureText(s);
  return clip(`${id ?? s.searchId ?? '?'} · ${status}${s.reason ? ` (${s.reason})` : ''}${trouble ? ` · ${trouble}` : ''} · ${fmtDuration(s.progress.elapsedSeconds)} · ${best} · ${what}`, width);
}

/** Failed evaluations and retried attempts (`progress.failures` / `progress.retries`), empty when none. */
export function failureText(s: SearchState): string {
  const p = s.progress;
  return [p.failures ? `${p.failures} failed` : '', p.retries ? `${p.retries} retried` : ''].filter(Boolean).join(', ');
}

/**
 * The MLflow delivery in words, from the search's live `tracking.status` event: retrying (with the
 * retries so far and the last error), failed, or the runs still to deliver; empty when all is well.
 */
export function trackingText(t: TrackingStatusEvent | undefined, dir?: string): string {
  if (!t) return '';
  const pending = t.pendingRuns > 0 ? `${t.pendingRuns} run(s) pending` : '';
  if (t.phase === 'retrying') {
    return [`delivery retrying (${t.retries} ${t.retries === 1 ? 'retry' : 'retries'}${t.lastError ? `, last error: ${t.lastError}` : ''})`, pending].filter(Boolean).join(' · ');
  }
  if (t.phase === 'failed') return [`delivery failed${t.lastError ? `: ${t.lastError}` : ''}`, pending].filter(Boolean).join(' · ');
  const retried = t.retries > 0 ? `${t.retries} delivery ${t.retries === 1 ? 'retry' : 'retries'}` : '';
  if (t.phase === 'stopped' || t.phase === 'idle') {
    const left = t.pendingRuns > 0 ? `${t.pendingRuns} run(s) not delivered${t.phase === 'stopped' && dir ? ` (slt sync ${dir})` : ''}` : '';
    return [left, retried].filter(Boolean).join(' · ');
  }
  // Delivering normally: nothing to say but past retries (the pending counts move all the time).
  return retried;
}
