/**
 * One search process on one journal: starts a new search or continues a killed one. The GA, the
 * evaluator pool and the journal are wired here; everything that happens becomes a journal record
 * first (the single source of truth), which the reducer turns into the state shown to users.
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { openJournal, readJournal, type Journal, type JournalRecord } from '@slt/tracking';
import { comparisonChartPng } from '../compare/chart.js';
import { buildComparison, formatComparisonMarkdown, formatComparisonText } from '../compare/table.js';
import type { SearchConfig } from '../config/schema.js';
import { ResumeError, RunnerError, SearchSetupError } from '../errors.js';
import {
  baselineKey, gaKey, type EvalFinishedRecord, type EvalKind, type EvaluationResult, type GaSnapshotRecord,
  type EvalProgressEvent, type GenerationFinishedRecord, type RunnerRecordBody, type SearchEvent, type SearchStartedRecord,
} from '../journal/records.js';
import { baselineMasksPort, createGaPort, restoreGaPort } from '../ports/ga.js';
import { datasetSetupOf, loadDatasetPort } from '../ports/datasets.js';
import { describeModel, openEvaluator } from '../ports/models.js';
import { startDeliveryPort, type DeliveryHandle } from '../ports/tracking.js';
import type { BaselineMask, Evaluator, GaPort, ImageDataset } from '../ports/types.js';
import { initialSearchState, reduceJournal, reduceSearch } from '../state/reducer.js';
import type { SearchState } from '../state/types.js';
import { Controller } from './control.js';
import { PROGRESS_FILE, acquireLock, clearControl, writeFileAtomic } from './paths.js';
import { RunLedger, logEvaluationRun, logGenerationMetrics, logParentRun } from './runs.js';

/** What a search process was started for. */
export type SearchMode = 'search' | 'baselines' | 'compare';

/** How a run of the session ended. */
export interface SessionOutcome {
  status: 'finished' | 'interrupted';
  state: SearchState;
}

/** Everything a session needs to start. */
export interface SessionInit {
  dir: string;
  journalPath: string;
  signal?: AbortSignal;
  onEvent?: (e: SearchEvent) => void;
  /** New search: its id, config, mode. Omitted when resuming. */
  fresh?: { searchId: string; config: SearchConfig & { seed: number }; mode: SearchMode; randomTrainableLayers?: number };
}

const countBits = (m: string): number => [...m].filter((c) => c === '1').length;

/** Runs (or continues) one search to its end or to an interruption. */
export class SearchSession {
  private journal!: Journal;
  private ledger!: RunLedger;
  private state: SearchState = initialSearchState();
  private started!: SearchStartedRecord;
  private finished = new Map<string, EvalFinishedRecord>();
  private cachedKeys = new Set<string>();
  private genStarted = new Set<number>();
  private genFinished = new Set<number>();
  private baselines: BaselineMask[] | undefined;
  private lastSnapshot: GaSnapshotRecord | undefined;
  private evaluator: Evaluator | undefined;
  private delivery: DeliveryHandle | undefined;
  private readonly abort = new AbortController();
  private control!: Controller;
  private interruptReason: string | undefined;
  private releaseLock: (() => void) | undefined;
  private t0 = Date.now();
  private progressWrittenAt = 0;

  constructor(private readonly init: SessionInit) {}

  /** Runs the session; always leaves the journal consistent and the lock released. */
  async run(): Promise<SessionOutcome> {
    const { dir, journalPath, signal } = this.init;
    this.releaseLock = acquireLock(dir);
    clearControl(dir);
    this.control = new Controller(dir, (reason) => this.interrupt(reason), (paused) => this.append({ type: paused ? 'search.paused' : 'search.continued' }));
    const onAbort = () => this.interrupt(String(signal?.reason instanceof Error ? signal.reason.message : (signal?.reason ?? 'aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const existing = await this.openAndRead(journalPath);
      if (signal?.aborted) onAbort();
      const dataset = await this.prepare(existing);
      this.delivery = startDeliveryPort(this.journal, this.started.config.trackingUri, (m) => this.log('warn', m));
      if (!this.interruptReason) {
        const c = this.started.config;
        this.evaluator = await openEvaluator({
          model: c.model, weights: c.weights, input: c.input, epochs: c.epochs, batch: c.batch, lr: c.lr, seed: c.seed,
          workers: c.workers, backend: c.backend, dataset, datasetSpec: { path: c.data, kind: c.dataKind, input: c.input, seed: c.seed },
        });
      }
      if (this.started.mode !== 'baselines' && !this.interruptReason) await this.runGa();
      if (this.started.mode !== 'search' && !this.interruptReason) await this.runBaselines();
      if (this.interruptReason) {
        this.append({ type: 'search.interrupted', reason: this.interruptReason });
        this.journal.endRun(this.started.parentRunKey, 'KILLED');
        return { status: 'interrupted', state: this.state };
      }
      this.finish();
      return { status: 'finished', state: this.state };
    } catch (err) {
      if (this.journal && this.started) {
        try {
          this.append({ type: 'search.failed', error: (err as Error).message });
          this.journal.endRun(this.started.parentRunKey, 'FAILED');
        } catch {
          /* the journal itself failed: nothing more to record */
        }
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.control?.close();
      await this.evaluator?.close().catch(() => undefined);
      await this.delivery?.stop().catch(() => undefined);
      this.journal?.close();
      rmSync(path.join(dir, PROGRESS_FILE), { force: true });
      this.releaseLock?.();
    }
  }

  /** Stops the search: running evaluations are abandoned, nothing new starts. */
  interrupt(reason: string): void {
    if (this.interruptReason) return;
    this.interruptReason = reason;
    this.abort.abort(new RunnerError(`interrupted: ${reason}`));
  }

  private async openAndRead(journalPath: string): Promise<JournalRecord[]> {
    const existing = this.init.fresh ? [] : await readJournal(journalPath);
    this.journal = openJournal(journalPath, { defaultExperimentName: this.init.fresh?.config.experiment });
    this.ledger = new RunLedger(existing);
    for (const r of existing) this.noteRecord(r);
    this.state = reduceJournal(existing as unknown as SearchEvent[]);
    this.journal.onAppend((r) => {
      this.ledger.note(r);
      this.noteRecord(r);
      this.state = reduceSearch(this.state, r as unknown as SearchEvent);
      this.init.onEvent?.(r as unknown as SearchEvent);
    });
    return existing;
  }

  private noteRecord(r: JournalRecord): void {
    const x = r as unknown as RunnerRecordBody & JournalRecord;
    switch (x.type) {
      case 'search.started': this.started = x; break;
      case 'eval.finished': if (!this.finished.has(x.key)) this.finished.set(x.key, x); break;
      case 'eval.cached': this.cachedKeys.add(x.key); break;
      case 'generation.started': this.genStarted.add(x.generation); break;
      case 'generation.finished': this.genFinished.add(x.generation); break;
      case 'ga.snapshot': this.lastSnapshot = x; break;
      case 'search.baselines': this.baselines = x.baselines; break;
      default:
    }
  }

  private append(body: RunnerRecordBody): void {
    const { type, ...payload } = body;
    this.journal.append(type, payload as Record<string, unknown>);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.append({ type: 'search.log', level, message });
  }

  /** Loads the data set and the model description; writes search.started (new) or search.resumed. */
  private async prepare(existing: JournalRecord[]): Promise<ImageDataset> {
    const fresh = this.init.fresh;
    const config = fresh?.config ?? this.started?.config;
    if (!config) throw new ResumeError(this.init.journalPath, 'the journal has no search.started record');
    if (!fresh) {
      if (existing.some((r) => r.type === 'search.finished')) throw new ResumeError(this.init.journalPath, 'the search has already finished');
      this.append({ type: 'search.resumed', pid: process.pid, host: hostname() });
    }
    const dataset = await loadDatasetPort(datasetSetupOf(config));
    if (!fresh) return dataset;
    const model = describeModel(config.model);
    const total = fresh.mode === 'baselines' ? 0 : config.population * config.generations;
    const totalBaselines = fresh.mode === 'search' ? 0 : 3 + config.randomBaselines;
    this.append({
      type: 'search.started', searchId: fresh.searchId, config, mode: fresh.mode,
      model: { name: config.model, genomeLength: model.genomeLength, layerNames: model.layerNames, lockedGenes: [] },
      dataset: {
        name: dataset.name, classNames: dataset.classNames,
        counts: { train: dataset.train.shape[0], val: dataset.val.shape[0], test: dataset.test.shape[0] },
        shape: dataset.train.shape.slice(1),
      },
      totalEvaluations: total, totalBaselines, parentRunKey: fresh.searchId, pid: process.pid, host: hostname(),
    });
    logParentRun(this.journal, this.ledger, {
      runKey: fresh.searchId, searchId: fresh.searchId, mode: fresh.mode, config, datasetName: dataset.name,
      genomeLength: model.genomeLength, backend: config.backend,
    });
    return dataset;
  }

  /** Live batch progress: to onEvent, and (at most twice a second) to progress.json for other readers. */
  private onProgress(e: EvalProgressEvent): void {
    this.init.onEvent?.(e);
    const now = Date.now();
    if (now - this.progressWrittenAt < 500) return;
    this.progressWrittenAt = now;
    try {
      writeFileAtomic(path.join(this.init.dir, PROGRESS_FILE), JSON.stringify(e));
    } catch {
      /* progress is a convenience: never fail an evaluation over it */
    }
  }

  /** Runs one evaluation and records it; resolves with its fitness (never rejects, except when interrupted). */
  private async evaluate(key: string, kind: EvalKind, generation: number, index: number, mask: string, label?: string): Promise<EvalFinishedRecord | undefined> {
    const epochs = this.started.config.epochs;
    this.append({ type: 'eval.started', key, kind, generation, index, mask, label, trainableLayers: countBits(mask), epochs });
    let result: EvaluationResult;
    try {
      result = await this.evaluator!.evaluate(mask, {
        signal: this.abort.signal,
        onEpoch: (metrics) => this.append({ type: 'eval.epoch', key, metrics }),
        onBatch: (p) => this.onProgress({ type: 'eval.progress', key, epoch: p.epoch, batch: p.batch, batches: p.batches, imagesPerSecond: p.imagesPerSecond, time: new Date().toISOString() }),
      });
    } catch (err) {
      if (this.interruptReason) return undefined;
      const message = (err as Error)?.message ?? String(err);
      result = { fitness: 0, testAccuracy: 0, epochs: [], trainableParams: 0, totalParams: 0, trainableLayers: countBits(mask), seconds: 0, imagesPerSecond: 0, backend: '', prefixReused: 0, error: message };
    }
    if (this.interruptReason && result.error) return undefined;
    const fitness = result.error || !Number.isFinite(result.fitness) ? 0 : result.fitness;
    if (!result.error && !Number.isFinite(result.fitness)) result = { ...result, error: `non-finite fitness ${result.fitness}` };
    const record: EvalFinishedRecord = { type: 'eval.finished', key, kind, generation, index, mask, label, fitness, result, runKey: `${this.started.searchId}/${key}` };
    this.append(record);
    logEvaluationRun(this.journal, this.ledger, { parentRunKey: this.started.parentRunKey, experiment: this.started.config.experiment, searchId: this.started.searchId, record, layerNames: this.started.model.layerNames });
    return record;
  }

  /** The GA loop: ask, evaluate (up to `workers` at once), tell; replays finished evaluations on resume. */
  private async runGa(): Promise<void> {
    const c = this.started.config;
    const ga: GaPort = this.lastSnapshot
      ? restoreGaPort(this.lastSnapshot.state)
      : createGaPort({ genomeLength: this.started.model.genomeLength, population: c.population, generations: c.generations, preset: c.preset, seed: c.seed });
    const onStarted = (g: number) => {
      if (this.genStarted.has(g)) return;
      this.append({ type: 'ga.snapshot', generation: g, state: ga.snapshot() });
      this.append({ type: 'generation.started', generation: g, genomes: ga.population().map((m) => ({ index: m.index, mask: m.mask, cached: m.status === 'cached', ...(m.status === 'cached' ? { fitness: m.fitness } : {}) })) });
    };
    ga.onGenerationStarted(onStarted);
    ga.onCached((e) => {
      const key = gaKey(e.generation, e.index);
      if (!this.genStarted.has(e.generation)) onStarted(e.generation);
      if (!this.cachedKeys.has(key)) this.append({ type: 'eval.cached', key, generation: e.generation, index: e.index, mask: e.mask, fitness: e.fitness });
    });
    ga.onGenerationFinished((s) => {
      if (this.genFinished.has(s.generation)) return;
      const best = [...this.finished.values()].find((f) => f.mask === s.bestKey);
      const rec: GenerationFinishedRecord = {
        type: 'generation.finished', generation: s.generation, best: s.best, mean: s.mean, worst: s.worst, bestMask: s.bestKey,
        bestTrainableParams: best?.result.trainableParams ?? 0, evaluations: s.evaluations, cacheHits: s.cacheHits,
      };
      logGenerationMetrics(this.journal, this.ledger, this.started.parentRunKey, rec);
      this.append(rec);
    });
    if (!this.genStarted.has(ga.generation) && !ga.done) onStarted(ga.generation);
    const objectives = (r: EvalFinishedRecord) => ({ trainable_params: r.result.trainableParams || 0, test_accuracy: Number.isFinite(r.result.testAccuracy) ? r.result.testAccuracy : 0 });
    const inflight = new Map<string, Promise<void>>();
    while (!ga.done && !this.interruptReason) {
      await this.control.waitWhilePaused(this.abort.signal);
      while (inflight.size < Math.max(1, c.workers) && !this.interruptReason && !this.control.paused) {
        const req = ga.ask();
        if (!req) break;
        const key = gaKey(req.generation, req.index);
        const done = this.finished.get(key);
        if (done) {
          if (done.mask !== req.mask) throw new ResumeError(this.init.journalPath, `the GA asked ${key} = ${req.mask} but the journal has ${done.mask}: the GA state does not replay`);
          ga.tell(req.id, done.fitness, objectives(done));
          continue;
        }
        const p = this.evaluate(key, 'ga', req.generation, req.index, req.mask).then((rec) => {
          if (rec) ga.tell(req.id, rec.fitness, objectives(rec));
        });
        inflight.set(key, p.finally(() => inflight.delete(key)));
      }
      if (inflight.size === 0) {
        if (ga.done || this.interruptReason || this.control.paused) continue;
        throw new RunnerError(`the GA asked for nothing in generation ${ga.generation} but is not done`);
      }
      await Promise.race(inflight.values());
    }
    await Promise.all(inflight.values());
  }

  /** The baselines: freeze all, train all, heuristic, R random masks (as many layers as the GA's best). */
  private async runBaselines(): Promise<void> {
    const c = this.started.config;
    const L = this.started.model.genomeLength;
    if (!this.baselines) {
      const bestMask = this.state.best?.mask;
      const k = this.started.mode === 'compare' && bestMask ? countBits(bestMask) : (this.init.fresh?.randomTrainableLayers ?? Math.floor(L / 2));
      if (k < 0 || k > L) throw new SearchSetupError('ga', `random baselines: trainable layers ${k} is outside 0..${L}`);
      this.append({ type: 'search.baselines', baselines: baselineMasksPort(L, k, c.randomBaselines, c.seed) });
    }
    const queue = this.baselines!.map((b, i) => ({ ...b, index: i })).filter((b) => !this.finished.has(baselineKey(b.label)));
    const inflight = new Set<Promise<unknown>>();
    while ((queue.length || inflight.size) && !this.interruptReason) {
      await this.control.waitWhilePaused(this.abort.signal);
      while (queue.length && inflight.size < Math.max(1, c.workers) && !this.interruptReason && !this.control.paused) {
        const b = queue.shift()!;
        const p = this.evaluate(baselineKey(b.label), 'baseline', -1, b.index, b.mask, b.label);
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      if (inflight.size) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  }

  private finish(): void {
    const best = this.state.best;
    const lastGen = this.state.generations[this.state.generations.length - 1];
    const population = (lastGen?.rows ?? []).map((r) => ({ mask: r.mask, fitness: r.fitness ?? 0 }));
    const bestRec = best ? this.finished.get(best.key) : undefined;
    this.append({
      type: 'search.finished',
      best: best && bestRec ? { key: best.key, mask: best.mask, fitness: best.fitness, testAccuracy: bestRec.result.testAccuracy, trainableLayers: countBits(best.mask), trainableParams: bestRec.result.trainableParams } : undefined,
      population, seconds: (Date.now() - this.t0) / 1000,
    });
    const parent = this.started.parentRunKey;
    if (best && bestRec) {
      this.journal.logMetrics(parent, [
        { key: 'best_val_accuracy', value: best.fitness }, { key: 'best_test_accuracy', value: bestRec.result.testAccuracy },
        { key: 'best_trainable_params', value: bestRec.result.trainableParams }, { key: 'best_trainable_layers', value: countBits(best.mask) },
      ]);
      this.journal.setTags(parent, { 'slt.best_mask': best.mask });
    }
    if (this.started.mode !== 'search') this.writeComparison();
    this.journal.endRun(parent, 'FINISHED');
  }

  /** The comparison table (text, Markdown, JSON) and the fitness chart: files in the search folder and artifacts of the parent run. */
  private writeComparison(): void {
    const c = buildComparison(this.state);
    const files: [string, string | Uint8Array][] = [
      ['comparison.txt', formatComparisonText(c)],
      ['comparison.md', formatComparisonMarkdown(c)],
      ['comparison.json', `${JSON.stringify(c, null, 2)}\n`],
    ];
    try {
      files.push(['fitness.png', comparisonChartPng(c)]);
    } catch (err) {
      this.log('warn', `cannot draw the fitness chart: ${(err as Error).message}`);
    }
    for (const [name, content] of files) {
      writeFileAtomic(path.join(this.init.dir, name), content);
      if (!this.ledger.has(this.started.parentRunKey, `run.artifact:${name}`)) this.journal.logArtifact(this.started.parentRunKey, name, content);
    }
  }

  /** The tracking journal, for post-run steps (compare logs its table on the parent run). */
  get parentRunKey(): string {
    return this.started.parentRunKey;
  }
}
