/**
 * A pure reducer from journal records (and live `eval.progress` events) to a {@link SearchState}.
 * `reduceSearch(state, record)` never mutates `state`; unknown record types (e.g. tracking's
 * `run.*`) only advance `lastSeq`. Replaying a whole journal gives the same state as following it.
 */
import type { AskedGenome, EvalFailedRecord, EvalFinishedRecord, EvalProgressEvent, EvalRetryRecord, EvalStartedRecord, RecordEnvelope, RunnerRecord, SearchEvent, SearchPhaseEvent } from '../journal/records.js';
import { compareEvaluations } from '../ports/ga.js';
import { workersText } from '../search/progress.js';
import { MAX_LOG_LINES, type GenerationState, type LogLine, type PopulationRow, type SearchState } from './types.js';

/** The state before any record. */
export function initialSearchState(): SearchState {
  return {
    status: 'empty',
    attempts: 0,
    currentGeneration: -1,
    generations: [],
    baselines: [],
    progress: { done: 0, total: 0, cacheHits: 0, failures: 0, retries: 0, trained: 0, fraction: 0, elapsedSeconds: 0 },
    logs: [],
    lastSeq: -1,
  };
}

const bits = (mask: string): number => {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask.charCodeAt(i) === 49) n++;
  return n;
};

const fmt = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(4));

function withLog(state: SearchState, time: string, level: LogLine['level'], message: string): SearchState {
  const logs = state.logs.length >= MAX_LOG_LINES ? state.logs.slice(state.logs.length - MAX_LOG_LINES + 1) : state.logs.slice();
  logs.push({ time, level, message });
  return { ...state, logs };
}

/** Finds a row by key and replaces it with `fn(row)`; returns state unchanged if absent. */
function updateRow(state: SearchState, key: string, fn: (row: PopulationRow) => PopulationRow): SearchState {
  const bi = state.baselines.findIndex((r) => r.key === key);
  if (bi >= 0) {
    const baselines = state.baselines.slice();
    baselines[bi] = fn(baselines[bi]);
    return { ...state, baselines };
  }
  for (let g = state.generations.length - 1; g >= 0; g--) {
    const gen = state.generations[g];
    const ri = gen.rows.findIndex((r) => r.key === key);
    if (ri >= 0) {
      const rows = gen.rows.slice();
      rows[ri] = fn(rows[ri]);
      const generations = state.generations.slice();
      generations[g] = { ...gen, rows };
      return { ...state, generations };
    }
  }
  return state;
}

function findRow(state: SearchState, key: string): PopulationRow | undefined {
  return state.baselines.find((r) => r.key === key) ?? state.generations.flatMap((g) => g.rows).find((r) => r.key === key);
}

function newRow(partial: Pick<PopulationRow, 'key' | 'kind' | 'generation' | 'index' | 'mask'> & Partial<PopulationRow>, epochs: number): PopulationRow {
  return { state: 'queued', trainableLayers: bits(partial.mask), epochsDone: 0, epochs, epochMetrics: [], ...partial };
}

/** Recomputes the derived progress figures (fraction, ETA, elapsed). */
function withProgress(state: SearchState, time: string | undefined): SearchState {
  const p = state.progress;
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  // Elapsed time stops while paused (and across the gap of a kill before a resume).
  const pausedNow = state.pausedAt && time ? Math.max(0, (Date.parse(time) - Date.parse(state.pausedAt)) / 1000) : 0;
  const elapsedSeconds = state.startedAt && time ? Math.max(0, (Date.parse(time) - Date.parse(state.startedAt)) / 1000 - (p.stoppedSeconds ?? 0) - pausedNow) : p.elapsedSeconds;
  let etaSeconds: number | undefined;
  if (state.status === 'finished') etaSeconds = 0;
  else {
    const workers = Math.max(1, state.config?.workers ?? 1);
    const remaining = Math.max(0, p.total - p.done);
    // Cache hits cost nothing: scale the remaining count by the share trained so far.
    const trainedShare = p.done > 0 ? (p.done - p.cacheHits) / p.done : 1;
    // Before any evaluation finished, the live batch speed estimates one evaluation's time.
    const perEval = p.meanEvalSeconds ?? liveEvalSeconds(state);
    if (perEval !== undefined) etaSeconds = (remaining * trainedShare * perEval) / workers;
  }
  return { ...state, progress: { ...p, fraction, elapsedSeconds, etaSeconds } };
}

/** One evaluation's seconds from the live batch progress of a row in training (epochs x batches x batch size / images/s). */
function liveEvalSeconds(state: SearchState): number | undefined {
  const batch = state.config?.batch;
  for (const r of [...state.generations.flatMap((g) => g.rows), ...state.baselines]) {
    if (r.state !== 'training' || !r.batch || !r.imagesPerSecond || !batch) continue;
    return (r.epochs * r.batch.batches * batch) / r.imagesPerSecond;
  }
  return undefined;
}

/** Images/s of the search: the sum over the rows in training (one per worker), else the latest figure. */
function summedImagesPerSecond(state: SearchState): number | undefined {
  let sum = 0;
  for (const r of [...state.generations.flatMap((g) => g.rows), ...state.baselines]) if (r.state === 'training' && r.batch && r.imagesPerSecond) sum += r.imagesPerSecond;
  return sum > 0 ? sum : state.progress.imagesPerSecond;
}

function startGeneration(state: SearchState, generation: number, genomes: AskedGenome[]): SearchState {
  const epochs = state.config?.epochs ?? 0;
  const existing = state.generations.find((g) => g.generation === generation);
  const rows = genomes.map((g) => {
    const key = `g${generation}/${g.index}`;
    const old = existing?.rows.find((r) => r.key === key && r.mask === g.mask);
    if (old) return old.state === 'training' ? { ...old, state: 'queued' as const, batch: undefined } : old;
    return newRow({ key, kind: 'ga', generation, index: g.index, mask: g.mask }, epochs);
  });
  const gen: GenerationState = existing ? { ...existing, rows } : { generation, rows, finished: false, cacheHits: 0 };
  const generations = existing
    ? state.generations.map((g) => (g.generation === generation ? gen : g))
    : [...state.generations, gen].sort((a, b) => a.generation - b.generation);
  return { ...state, generations, currentGeneration: generation };
}

function onEvalStarted(state: SearchState, r: EvalStartedRecord & RecordEnvelope): SearchState {
  let s = state;
  if (!findRow(s, r.key)) {
    const row = newRow({ key: r.key, kind: r.kind, generation: r.generation, index: r.index, mask: r.mask, label: r.label }, r.epochs);
    if (r.kind === 'baseline') s = { ...s, baselines: [...s.baselines, row] };
    else {
      if (!s.generations.some((g) => g.generation === r.generation)) s = startGeneration(s, r.generation, []);
      s = { ...s, generations: s.generations.map((g) => (g.generation === r.generation ? { ...g, rows: [...g.rows, row] } : g)) };
    }
  }
  s = updateRow(s, r.key, (row) => ({ ...row, state: 'training', epochs: r.epochs, epochsDone: 0, epochMetrics: [], fitness: undefined, batch: undefined, error: undefined, attempts: r.attempt ?? 1 }));
  if ((r.attempt ?? 1) > 1) return s;
  return withLog(s, r.time, 'info', `${r.label ?? r.key}: training ${r.trainableLayers} layers`);
}

function onEvalFinished(state: SearchState, r: EvalFinishedRecord & RecordEnvelope): SearchState {
  const failed = r.result.error !== undefined;
  let s = onEvalStartedIfMissing(state, r);
  const prev = findRow(s, r.key);
  const already = prev && (prev.state === 'done' || prev.state === 'failed');
  s = updateRow(s, r.key, (row) => ({
    ...row,
    state: failed ? 'failed' : 'done',
    // A failure (journals before eval.failed) has no fitness.
    fitness: failed ? undefined : r.fitness,
    device: r.device,
    testAccuracy: r.result.testAccuracy,
    testMacroPrecision: r.result.testMacroPrecision,
    testMacroRecall: r.result.testMacroRecall,
    testConfusion: r.result.testConfusion,
    trainableLayers: bits(r.mask),
    trainableWeightedLayers: r.result.trainableWeightedLayers,
    pruned: r.result.pruned,
    trainableParams: r.result.trainableParams,
    epochMetrics: r.result.epochs ?? row.epochMetrics,
    epochsDone: r.result.epochs?.length ?? row.epochsDone,
    imagesPerSecond: r.result.imagesPerSecond,
    seconds: r.result.seconds,
    error: r.result.error,
    batch: undefined,
  }));
  if (!already) {
    const p = s.progress;
    const trained = p.trained + 1;
    const meanEvalSeconds = ((p.meanEvalSeconds ?? 0) * p.trained + r.result.seconds) / trained;
    s = { ...s, progress: { ...p, done: p.done + 1, trained, failures: p.failures + (failed ? 1 : 0), meanEvalSeconds, imagesPerSecond: r.result.imagesPerSecond || p.imagesPerSecond } };
  }
  // The tie rule (fitness, fewer trainable params, generation, index): the same best whatever order evaluations finished in.
  if (r.kind === 'ga' && !failed && (!s.best || compareEvaluations(
    { fitness: r.fitness, trainableParams: r.result.trainableParams, generation: r.generation, index: r.index },
    { fitness: s.best.fitness, trainableParams: s.best.trainableParams, generation: bestGeneration(s.best.key), index: bestIndex(s.best.key) },
  ) < 0)) {
    s = { ...s, best: { key: r.key, mask: r.mask, fitness: r.fitness, testAccuracy: r.result.testAccuracy, trainableLayers: bits(r.mask), trainableParams: r.result.trainableParams } };
  }
  const name = r.label ?? r.key;
  return failed
    ? withLog(s, r.time, 'warn', `${name}: failed (${r.result.error}); fitness 0`)
    : withLog(s, r.time, 'info', `${name}: val ${fmt(r.fitness)} test ${fmt(r.result.testAccuracy)} in ${r.result.seconds.toFixed(1)} s`);
}

const bestGeneration = (key: string): number => Number(/^g(\d+)\//.exec(key)?.[1] ?? Number.MAX_SAFE_INTEGER);
const bestIndex = (key: string): number => Number(/\/(\d+)$/.exec(key)?.[1] ?? Number.MAX_SAFE_INTEGER);

/** An evaluation failed on every attempt: no fitness, counted in `progress.failures`. */
function onEvalFailed(state: SearchState, r: EvalFailedRecord & RecordEnvelope): SearchState {
  let s = findRow(state, r.key)
    ? state
    : onEvalStarted(state, { type: 'eval.started', key: r.key, kind: r.kind, generation: r.generation, index: r.index, mask: r.mask, label: r.label, trainableLayers: r.trainableLayers, epochs: 0, seq: r.seq, time: r.time });
  const prev = findRow(s, r.key);
  const already = prev && (prev.state === 'done' || prev.state === 'failed');
  s = updateRow(s, r.key, (row) => ({ ...row, state: 'failed', fitness: undefined, error: r.error, attempts: r.attempts, batch: undefined, device: r.device }));
  if (!already) s = { ...s, progress: { ...s.progress, done: s.progress.done + 1, failures: s.progress.failures + 1 } };
  return withLog(s, r.time, 'error', `${r.label ?? r.key}: failed after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'} (${r.error}); no fitness`);
}

/** An attempt failed and is tried again. */
function onEvalRetry(state: SearchState, r: EvalRetryRecord & RecordEnvelope): SearchState {
  const s = { ...state, progress: { ...state.progress, retries: state.progress.retries + 1 } };
  return withLog(s, r.time, 'warn', `${r.key}: attempt ${r.attempt} failed (${r.error}); retrying in a fresh worker`);
}

function onEvalStartedIfMissing(state: SearchState, r: EvalFinishedRecord & RecordEnvelope): SearchState {
  if (findRow(state, r.key)) return state;
  return onEvalStarted(state, { type: 'eval.started', key: r.key, kind: r.kind, generation: r.generation, index: r.index, mask: r.mask, label: r.label, trainableLayers: bits(r.mask), epochs: r.result.epochs?.length ?? 0, seq: r.seq, time: r.time });
}

/** Rows in training go back to queued: their evaluation was abandoned (interrupt, kill, failure). */
function abandonTraining(s: SearchState): SearchState {
  const clear = (row: PopulationRow): PopulationRow => (row.state === 'training' ? { ...row, state: 'queued', batch: undefined, epochsDone: 0, epochMetrics: [] } : row);
  return { ...s, generations: s.generations.map((g) => ({ ...g, rows: g.rows.map(clear) })), baselines: s.baselines.map(clear) };
}

/**
 * Applies one journal record or live event to the state and returns the new state.
 * Pure: `state` is not changed; records of unknown type only advance `lastSeq`.
 */
export function reduceSearch(state: SearchState, event: SearchEvent): SearchState {
  const time = event.time;
  // A journal record already reduced (a reader that re-follows the journal into the same state)
  // changes nothing: counts stay those of one pass, as the CLI shows them.
  if ('seq' in event && typeof event.seq === 'number' && event.seq <= state.lastSeq) return state;
  let s: SearchState = 'seq' in event && typeof event.seq === 'number' ? { ...state, lastSeq: Math.max(state.lastSeq, event.seq), updatedAt: time } : state;
  // Records of a type this reducer does not know fall through to `default`; the known ones narrow.
  const e = event as RunnerRecord | EvalProgressEvent | SearchPhaseEvent;
  switch (e.type) {
    case 'search.started': {
      const r = e as Extract<SearchEvent, { type: 'search.started' }>;
      s = {
        ...s, status: 'running', searchId: r.searchId, mode: r.mode, config: r.config, model: r.model, dataset: r.dataset,
        parentRunKey: r.parentRunKey, pid: r.pid, host: r.host, attempts: s.attempts + 1, startedAt: s.startedAt ?? time,
        progress: { ...s.progress, total: r.totalEvaluations + r.totalBaselines },
      };
      s = withLog(s, time, 'info', `search ${r.searchId} started: ${r.model.name} on ${r.dataset.name}, ${r.mode}`);
      if (r.workersReason) s = withLog(s, time, 'info', `setup: ${workersText(r.config.workers, r.workersReason)}`);
      break;
    }
    case 'search.resumed': {
      // No process ran the search between its last record and the resume: that gap is no elapsed time.
      const gap = state.updatedAt ? Math.max(0, (Date.parse(time) - Date.parse(state.updatedAt)) / 1000) : 0;
      s = { ...abandonTraining(s), status: 'running', pid: e.pid, host: e.host, attempts: s.attempts + 1, reason: undefined, pausedAt: undefined, progress: { ...s.progress, stoppedSeconds: (s.progress.stoppedSeconds ?? 0) + gap } };
      s = withLog(s, time, 'info', `resumed by pid ${e.pid}`);
      break;
    }
    case 'generation.started':
      s = { ...startGeneration(s, e.generation, e.genomes), phase: undefined };
      // Generations read from 1 wherever a person sees them (the journal keeps its 0-based index).
      s = withLog(s, time, 'info', `generation ${e.generation + 1}: ${e.genomes.length} genomes, ${e.genomes.filter((g: AskedGenome) => g.cached).length} cached`);
      break;
    case 'eval.started':
      s = { ...onEvalStarted(s, e as EvalStartedRecord & RecordEnvelope), phase: undefined };
      break;
    case 'eval.epoch':
      s = updateRow(s, e.key, (row) => {
        const epochMetrics = [...row.epochMetrics.filter((m) => m.epoch !== e.metrics.epoch), e.metrics];
        const fitness = Math.max(...epochMetrics.map((m) => m.valAccuracy));
        return { ...row, epochMetrics, epochsDone: epochMetrics.length, fitness, batch: undefined };
      });
      break;
    case 'eval.progress':
      // Only a row in training takes live progress (a stale progress.json may outlive its evaluation).
      if (findRow(s, e.key)?.state !== 'training') return s;
      s = updateRow(s, e.key, (row) => ({ ...row, batch: { batch: e.batch, batches: e.batches }, imagesPerSecond: e.imagesPerSecond }));
      s = { ...s, phase: undefined, progress: { ...s.progress, imagesPerSecond: summedImagesPerSecond(s) } };
      break;
    case 'search.phase':
      if (s.phase?.name !== e.phase) s = withLog(s, time, 'info', `setup: ${e.message}`);
      s = { ...s, phase: { name: e.phase, message: e.message, done: e.done, total: e.total } };
      break;
    case 'eval.finished':
      s = onEvalFinished(s, e as EvalFinishedRecord & RecordEnvelope);
      break;
    case 'eval.failed':
      s = onEvalFailed(s, e as EvalFailedRecord & RecordEnvelope);
      break;
    case 'eval.retry':
      s = onEvalRetry(s, e as EvalRetryRecord & RecordEnvelope);
      break;
    case 'eval.cached': {
      const row = findRow(s, e.key);
      const already = row?.state === 'cached';
      s = updateRow(s, e.key, (r) => ({ ...r, state: 'cached', fitness: e.fitness }));
      if (!already) {
        s = { ...s, progress: { ...s.progress, done: s.progress.done + 1, cacheHits: s.progress.cacheHits + 1 } };
        s = { ...s, generations: s.generations.map((g) => (g.generation === e.generation ? { ...g, cacheHits: g.cacheHits + 1 } : g)) };
      }
      break;
    }
    case 'generation.finished':
      s = {
        ...s,
        generations: s.generations.map((g) =>
          g.generation === e.generation ? { ...g, finished: true, best: e.best, mean: e.mean, worst: e.worst, bestMask: e.bestMask } : g,
        ),
      };
      s = withLog(s, time, 'info', `generation ${e.generation + 1} done: best ${fmt(e.best)} mean ${fmt(e.mean)}`);
      break;
    case 'search.baselines': {
      const epochs = s.config?.epochs ?? 0;
      const have = new Set(s.baselines.map((b) => b.key));
      const added = (e.baselines as { label: string; mask: string }[])
        .filter((b) => !have.has(`baseline/${b.label}`))
        .map((b, i) => newRow({ key: `baseline/${b.label}`, kind: 'baseline', generation: -1, index: s.baselines.length + i, mask: b.mask, label: b.label }, epochs));
      s = withLog({ ...s, baselines: [...s.baselines, ...added] }, time, 'info', `baselines: ${e.baselines.map((b: { label: string }) => b.label).join(', ')}`);
      break;
    }
    case 'search.log':
      s = withLog(s, time, e.level, e.message);
      break;
    case 'search.paused':
      s = withLog({ ...s, status: 'paused', pausedAt: s.pausedAt ?? time }, time, 'info', 'paused');
      break;
    case 'search.continued': {
      const paused = s.pausedAt ? Math.max(0, (Date.parse(time) - Date.parse(s.pausedAt)) / 1000) : 0;
      s = withLog({ ...s, status: 'running', pausedAt: undefined, progress: { ...s.progress, stoppedSeconds: (s.progress.stoppedSeconds ?? 0) + paused } }, time, 'info', 'continued');
      break;
    }
    case 'search.interrupted':
      s = withLog({ ...abandonTraining(s), status: 'interrupted', reason: e.reason }, time, 'warn', `interrupted: ${e.reason}`);
      break;
    case 'search.finished':
      s = withLog({ ...s, status: 'finished', finalPopulation: e.population }, time, 'info', `search finished in ${Number(e.seconds).toFixed(1)} s`);
      break;
    case 'search.failed':
      s = withLog({ ...abandonTraining(s), status: 'failed', reason: e.error }, time, 'error', `search failed: ${e.error}`);
      break;
    default:
      return s;
  }
  return withProgress(s, time);
}

/** Reduces a whole list of records (a journal read back) from the initial state. */
export function reduceJournal(records: Iterable<SearchEvent>, from: SearchState = initialSearchState()): SearchState {
  let s = from;
  for (const r of records) s = reduceSearch(s, r);
  return s;
}
