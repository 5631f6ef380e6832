/**
 * One search process on one journal: starts a new search or continues a killed one. The GA, the
 * evaluator pool and the journal are wired here; everything that happens becomes a journal record
 * first (the single source of truth), which the reducer turns into the state shown to users.
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { openJournal, readJournal, type Journal, type JournalRecord } from '@slt/tracking';
import { countSetBits } from '@slt/util';
import { comparisonFiles } from '../compare/files.js';
import { buildComparison } from '../compare/table.js';
import type { SearchConfig } from '../config/schema.js';
import { ResumeError, RunnerError, SearchSetupError, TooManyFailuresError } from '../errors.js';
import { toSearchEvent } from '../journal/read.js';
import {
  baselineKey, checkRecord, gaKey, isLegacyFailure, isRunnerRecord, type EvalFailedRecord, type EvalFinishedRecord, type EvalKind, type GaSnapshotRecord,
  type EvalProgressEvent, type GenerationFinishedRecord, type RunnerRecordBody, type SearchEvent, type SearchProvenanceRecord, type SearchStartedRecord,
} from '../journal/records.js';
import { evaluateWithRetries } from './attempts.js';
import { saveModels } from './best-model.js';
import { buildInfo, checkResumeProvenance, dataFingerprint, type Fingerprints } from './provenance.js';
import { baselineMasksPort, createGaPort, resolvedGaOptions, restoreGaPort } from '../ports/ga.js';
import { datasetSetupOf, loadDatasetPort } from '../ports/datasets.js';
import { checkWeightsPort, describeModel, type CheckedWeightsPort, geneLayoutPort, openEvaluator, type GeneLayoutPort } from '../ports/models.js';
import { startEvaluatorWorkers, type EarlyWorkers } from '../ports/workers.js';
import { deliverJournalPort, resolveTrackingUriPort, startDeliveryPort, type DeliveryHandle, type TrackingStatusEvent } from '../ports/tracking.js';
import type { BaselineMask, Evaluator, GaPort, ImageDataset } from '../ports/types.js';
import { initialSearchState, reduceJournal, reduceSearch } from '../state/reducer.js';
import type { SearchState } from '../state/types.js';
import { Controller } from './control.js';
import { GeneEvaluator } from './genes.js';
import { PROGRESS_FILE, acquireLock, clearControl, emitLiveEvent, writeFileAtomic } from './paths.js';
import { searchRunMapperFor } from './runs.js';
import { TrackingStatusFile } from './tracking-file.js';

/** What a search process was started for. */
export type SearchMode = 'search' | 'baselines' | 'compare';

/** How a run of the session ended. */
export interface SessionOutcome {
  status: 'finished' | 'interrupted';
  state: SearchState;
  /** Set when `slt resume` met a search that had finished before: nothing was run or written. */
  alreadyFinished?: boolean;
  /** Runs whose MLflow records were not delivered when the session ended (deliver with `slt sync`). */
  pendingRuns: number;
  /** Where the runs go (folder or URL). */
  trackingUri?: string;
}

/** Everything a session needs to start. */
export interface SessionInit {
  dir: string;
  journalPath: string;
  signal?: AbortSignal;
  onEvent?: (e: SearchEvent) => void;
  /** New search: its id, config, mode. Omitted when resuming. */
  fresh?: { searchId: string; config: SearchConfig & { seed: number }; mode: SearchMode; randomTrainableLayers?: number; dataset: ImageDataset; study?: SearchStartedRecord['study']; startWarnings?: string[]; workersReason?: string; weights?: CheckedWeightsPort };
  /** Called with every delivery status change (live `tracking.status` events for the CLI and TUI). */
  onTracking?: (status: TrackingStatusEvent) => void;
  /** Worker processes started before the preflight (see startEvaluatorWorkers); the session's pool takes them, or they are killed when it ends. */
  started?: EarlyWorkers;
}


/** Runs (or continues) one search to its end or to an interruption. */
export class SearchSession {
  private journal!: Journal;
  private state: SearchState = initialSearchState();
  private started!: SearchStartedRecord;
  private finished = new Map<string, EvalFinishedRecord>();
  /** Evaluations that failed on every attempt (never a fitness; replayed to the GA as failures). */
  private failed = new Map<string, EvalFailedRecord>();
  /** Set when more evaluations failed than `maxFailures` allows: the search stops with it. */
  private failureStop: TooManyFailuresError | undefined;
  /** The first provenance record of the journal (what the search started with). */
  private provenance: SearchProvenanceRecord | undefined;
  /** Evaluation keys whose fine-tuned model the journal records as saved. */
  private savedModels = new Set<string>();
  private cachedKeys = new Set<string>();
  private genStarted = new Set<number>();
  private genFinished = new Set<number>();
  private baselines: BaselineMask[] | undefined;
  private lastSnapshot: GaSnapshotRecord | undefined;
  private evaluator: Evaluator | undefined;
  /** `--genes`, the shared evaluations of really-trainable masks, `--prune` (GA genomes only). */
  private genes: GeneEvaluator | undefined;
  private layout: GeneLayoutPort | undefined;
  private delivery: DeliveryHandle | undefined;
  private readonly abort = new AbortController();
  private control!: Controller;
  private interruptReason: string | undefined;
  private releaseLock: (() => void) | undefined;
  /** Workers started ahead of the pool (this session's or the caller's). */
  private early: EarlyWorkers | undefined;
  private t0 = Date.now();
  private progressWrittenAt = 0;
  private readonly trackingFile: TrackingStatusFile;

  constructor(private readonly init: SessionInit) {
    this.trackingFile = new TrackingStatusFile(init.dir);
  }

  /** Runs the session; always leaves the journal consistent and the lock released. */
  async run(): Promise<SessionOutcome> {
    const { dir, journalPath, signal } = this.init;
    this.releaseLock = acquireLock(dir);
    clearControl(dir);
    this.control = new Controller(dir, (reason) => this.interrupt(reason), (paused) => this.append({ type: paused ? 'search.paused' : 'search.continued' }));
    const onAbort = () => this.interrupt(String(signal?.reason instanceof Error ? signal.reason.message : (signal?.reason ?? 'aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });
    const build = buildInfo(); // git runs in the background while the workers start
    try {
      if (!this.init.fresh) {
        // A finished search stays finished: deliver what a crash left undelivered, write nothing.
        const before = await readJournal(journalPath);
        const startedRec = before.find((r) => r.type === 'search.started');
        if (!startedRec) {
          throw new ResumeError(journalPath, `the search never started (it was stopped while loading its data); start it again with \`slt search ... --out ${dir}\``, { kind: 'bad-input' });
        }
        if (before.some((r) => r.type === 'search.finished')) {
          const events = before.map((r, i) => toSearchEvent(r, journalPath, i + 1));
          for (const e of events) this.noteRecord(e);
          this.state = reduceJournal(events);
          const uri = this.trackingUri();
          const report = await deliverJournalPort(journalPath, uri, searchRunMapperFor(before, { dir })).catch(() => undefined);
          return { status: 'finished', state: this.state, alreadyFinished: true, pendingRuns: report?.pendingRuns ?? -1, trackingUri: uri };
        }
      }
      const existing = await this.openAndRead(journalPath);
      if (signal?.aborted) onAbort();
      // A resume starts its workers now, while it loads the data (a new search did before its preflight).
      this.early = this.init.started ?? (this.init.fresh || this.interruptReason ? undefined : startEvaluatorWorkers(this.started.config));
      const dataset = await this.prepare();
      this.delivery = startDeliveryPort(this.journal, this.trackingUri(), searchRunMapperFor(existing, { dir }), (m) => this.log('warn', m), (e) => this.onTracking(e));
      if (!this.interruptReason) {
        const c = this.started.config;
        const prints = await this.fingerprints(dataset);
        checkResumeProvenance(journalPath, this.provenance, prints);
        this.phase('workers', c.workers > 0 ? `building the model in ${c.workers} worker process${c.workers === 1 ? '' : 'es'}` : 'building the model');
        this.evaluator = await openEvaluator({
          model: c.model, weights: c.weights, input: c.input, epochs: c.epochs, batch: c.batch, lr: c.lr, seed: c.seed,
          workers: c.workers, backend: c.backend, gpus: c.gpus, adapter: c.adapter, dataset, ...(this.early ? { started: this.early } : {}),
        });
        this.genes = new GeneEvaluator(this.evaluator, { ...c, seed: c.seed }, [...this.finished.values()].map((f) => ({ generation: f.generation, result: f.result })));
        this.append({
          type: 'search.provenance', slt: { ...(await build) }, backend: this.evaluator.backend, workers: c.workers, devices: this.evaluator.devices,
          ...(this.started.mode !== 'baselines' ? { ga: resolvedGaOptions({ genomeLength: this.started.model.genomeLength, population: c.population, generations: c.generations, preset: c.preset, seed: c.seed, lockedGenes: this.started.model.lockedGenes }) } : {}), ...prints,
        });
      }
      if (this.started.mode !== 'baselines' && !this.interruptReason) await this.runGa();
      if (this.started.mode !== 'search' && !this.interruptReason) await this.runBaselines();
      if (this.failureStop) throw this.failureStop;
      if (this.interruptReason) {
        this.append({ type: 'search.interrupted', reason: this.interruptReason });
        return { status: 'interrupted', state: this.state, ...(await this.stopDelivery()) };
      }
      await saveModels({
        dir: this.init.dir, started: this.started, state: this.state, finished: this.finished, saved: this.savedModels, evaluator: this.evaluator!, seedOf: (mask) => this.genes?.seedFor(mask),
        dataset, signal: this.abort.signal, append: (r) => this.append(r), log: (level, m) => this.log(level, m),
      });
      if (this.interruptReason) {
        this.append({ type: 'search.interrupted', reason: this.interruptReason });
        return { status: 'interrupted', state: this.state, ...(await this.stopDelivery()) };
      }
      this.finish();
      return { status: 'finished', state: this.state, ...(await this.stopDelivery()) };
    } catch (err) {
      if (this.journal && this.started) {
        try {
          this.append({ type: 'search.failed', error: (err as Error).message, ...(err instanceof TooManyFailuresError ? { failedKeys: err.keys } : {}) });
        } catch {
          /* the journal itself failed: nothing more to record */
        }
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.control?.close();
      await (this.early ?? this.init.started)?.close().catch(() => undefined); // no-op once the pool took them
      await this.evaluator?.close().catch(() => undefined);
      await this.delivery?.stop().catch(() => undefined);
      this.trackingFile.flush(); // the last delivery status, when its write was still due
      this.journal?.close();
      rmSync(path.join(dir, PROGRESS_FILE), { force: true });
      this.releaseLock?.();
    }
  }

  /** The data set's fingerprint and the weights' sha256, as they are now (a new search's weights were checked by its preflight). */
  private async fingerprints(dataset: ImageDataset): Promise<Fingerprints> {
    const c = this.started.config;
    const w = this.init.fresh?.weights ?? (await checkWeightsPort(c.model, c.weights));
    return { data: { path: c.data, fingerprint: dataFingerprint(dataset) }, weights: { source: w.source, sha256: w.sha256 } };
  }

  /** The store of this search: the one recorded in its journal, else the config's, else MLflow's default. */
  private trackingUri(): string {
    return this.started?.tracking?.uri ?? resolveTrackingUriPort(this.started?.config.trackingUri ?? this.init.fresh?.config.trackingUri);
  }

  /** Stops the background delivery (what is left goes with the next resume or `slt sync`). */
  private async stopDelivery(): Promise<{ pendingRuns: number; trackingUri: string }> {
    const d = this.delivery;
    this.delivery = undefined;
    const st = d ? await d.stop().catch(() => undefined) : undefined;
    return { pendingRuns: st?.pendingRuns ?? 0, trackingUri: this.trackingUri() };
  }

  /** Delivery status: to `onTracking`, and to tracking.json for readers of a detached search (the TUI; see TrackingStatusFile). */
  private onTracking(e: TrackingStatusEvent): void {
    this.init.onTracking?.(e);
    this.trackingFile.push(e);
  }

  /** Stops the search: running evaluations are abandoned, nothing new starts. */
  interrupt(reason: string): void {
    if (this.interruptReason) return;
    this.interruptReason = reason;
    this.abort.abort(new RunnerError(`interrupted: ${reason}`));
  }

  private async openAndRead(journalPath: string): Promise<JournalRecord[]> {
    const raw = this.init.fresh ? [] : await readJournal(journalPath);
    // Every runner record read back is parsed with its schema (a damaged one names file and line).
    const events = raw.map((r, i) => toSearchEvent(r, journalPath, i + 1));
    const existing = raw;
    this.journal = openJournal(journalPath, { defaultExperimentName: this.init.fresh?.config.experiment });
    for (const e of events) this.noteRecord(e);
    this.state = reduceJournal(events);
    this.journal.onAppend((r) => {
      // Appended bodies were checked by append(); parsing gives the typed event (and NaN back from null).
      const e = toSearchEvent(r, journalPath);
      this.noteRecord(e);
      this.state = reduceSearch(this.state, e);
      this.init.onEvent?.(e);
    });
    return existing;
  }

  private noteRecord(x: SearchEvent): void {
    if (!isRunnerRecord(x)) return;
    switch (x.type) {
      case 'search.started': this.started = x; break;
      // A failure recorded as eval.finished by an older slt is no fitness: it is evaluated again.
      case 'eval.finished': if (!this.finished.has(x.key) && !isLegacyFailure(x)) this.finished.set(x.key, x); break;
      case 'eval.failed': if (!this.failed.has(x.key)) this.failed.set(x.key, x); break;
      case 'eval.cached': this.cachedKeys.add(x.key); break;
      case 'generation.started': this.genStarted.add(x.generation); break;
      case 'generation.finished': this.genFinished.add(x.generation); break;
      case 'ga.snapshot': this.lastSnapshot = x; break;
      case 'search.provenance': this.provenance ??= x; break;
      case 'search.model': this.savedModels.add(x.key); break;
      case 'search.baselines': this.baselines = x.baselines; break;
      default:
    }
  }

  private append(body: RunnerRecordBody): void {
    const checked = checkRecord(body);
    if (!checked.ok) throw new RunnerError(`refusing to journal a bad record: ${checked.error}`);
    const { type, ...payload } = body;
    this.journal.append(type, payload as Record<string, unknown>);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.append({ type: 'search.log', level, message });
  }

  /** Loads the data set and the model description; writes search.started (new) or search.resumed. */
  private async prepare(): Promise<ImageDataset> {
    const fresh = this.init.fresh;
    const config = fresh?.config ?? this.started?.config;
    if (!config) throw new ResumeError(this.init.journalPath, 'the journal has no search.started record');
    if (!fresh) {
      this.append({ type: 'search.resumed', pid: process.pid, host: hostname() });
      this.phase('data', `loading the data set ${path.basename(config.data)}`);
      return await loadDatasetPort(datasetSetupOf(config));
    }
    // A new search's data set was loaded (and its weights checked) before its folder existed.
    const dataset = fresh.dataset;
    const model = describeModel(config.model);
    const total = fresh.mode === 'baselines' ? 0 : config.population * config.generations;
    const totalBaselines = fresh.mode === 'search' ? 0 : 3 + config.randomBaselines;
    this.append({
      type: 'search.started', searchId: fresh.searchId, config, ...(fresh.workersReason ? { workersReason: fresh.workersReason } : {}), mode: fresh.mode,
      model: { name: config.model, genomeLength: model.genomeLength, layerNames: model.layerNames, lockedGenes: geneLayoutPort(config.model, config.genes ?? 'layers').locked },
      dataset: {
        name: dataset.name, classNames: dataset.classNames,
        counts: { train: dataset.train.shape[0], val: dataset.val.shape[0], test: dataset.test.shape[0] },
        shape: dataset.train.shape.slice(1),
      },
      totalEvaluations: total, totalBaselines, parentRunKey: fresh.searchId, tracking: { uri: resolveTrackingUriPort(config.trackingUri) }, ...(fresh.study ? { study: fresh.study } : {}),
      pid: process.pid, host: hostname(),
    });
    for (const w of fresh.startWarnings ?? []) this.log('warn', w);
    return dataset;
  }

  /** A setup phase: to onEvent and progress.json (never journaled). */
  private phase(name: 'data' | 'model' | 'workers', message: string): void {
    emitLiveEvent(this.init.dir, { type: 'search.phase', phase: name, message, time: new Date().toISOString() }, this.init.onEvent);
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

  /**
   * Runs one evaluation (with its retries) and records it: `eval.finished` with a real fitness, or
   * `eval.failed` after the last failed attempt. Resolves undefined when interrupted meanwhile.
   */
  private async evaluate(key: string, kind: EvalKind, generation: number, index: number, genome: string, label?: string): Promise<EvalFinishedRecord | EvalFailedRecord | undefined> {
    const c = this.started.config;
    const runKey = `${this.started.searchId}/${key}`;
    // GA genomes go through the gene layout, the shared evaluations and the pruner; baselines are layer masks
    const evaluator = kind === 'ga' && this.genes ? this.genes.forGeneration(generation) : this.evaluator!;
    // The journal holds the mask that trains; a GA genome that differs from it (`--genes blocks`) is kept beside it.
    const what = kind === 'ga' ? this.trained(genome) : { mask: genome };
    const { mask } = what;
    // A GA genome's seed is set by the gene evaluator (shared evaluations); a baseline's here, by the same rule.
    const seed = this.genes?.seedFor(mask);
    const outcome = await evaluateWithRetries(evaluator, genome, {
      retries: c.retries ?? 1,
      ...(kind !== 'ga' && seed !== undefined ? { seed } : {}),
      signal: this.abort.signal,
      interrupted: () => this.interruptReason !== undefined,
      onAttempt: (attempt) => this.append({ type: 'eval.started', key, kind, generation, index, ...what, label, trainableLayers: countSetBits(mask), epochs: c.epochs, ...(seed !== undefined ? { seed } : {}), ...(attempt > 1 ? { attempt } : {}) }),
      onRetry: (attempt, error, p) => this.append({ type: 'eval.retry', key, attempt, error, ...(p ? { worker: p.worker, device: p.device } : {}) }),
      onEpoch: (metrics) => this.append({ type: 'eval.epoch', key, metrics }),
      onBatch: (p) => this.onProgress({ type: 'eval.progress', key, epoch: p.epoch, batch: p.batch, batches: p.batches, imagesPerSecond: p.imagesPerSecond, time: new Date().toISOString() }),
    });
    if (!outcome) return undefined;
    const placement = outcome.placement ? { worker: outcome.placement.worker, device: outcome.placement.device } : {};
    if (!outcome.ok) {
      const rec: EvalFailedRecord = { type: 'eval.failed', key, kind, generation, index, ...what, label, ...placement, error: outcome.error, attempts: outcome.attempts, runKey, trainableLayers: countSetBits(mask) };
      // MLflow: the child run ends FAILED with the reason (runs.ts); a failure is not data.
      this.append(rec);
      this.checkFailures();
      return rec;
    }
    const record: EvalFinishedRecord = { type: 'eval.finished', key, kind, generation, index, ...what, label, ...placement, fitness: outcome.result.fitness, result: outcome.result, runKey };
    this.append(record);
    return record;
  }

  /**
   * A GA genome as the journal records it: `mask` = the layer mask that trains (`--genes blocks`
   * expands each block's gene to its weighted layers), `genome` only where it differs.
   */
  private trained(genome: string): { mask: string; genome?: string } {
    this.layout ??= this.genes?.layout ?? geneLayoutPort(this.started.config.model, this.started.config.genes ?? 'layers');
    const mask = this.layout.expand(genome);
    return mask === genome ? { mask } : { mask, genome };
  }

  /** Most failed evaluations tolerated: `maxFailures`, default a quarter of the budget. */
  private maxFailures(): number {
    const c = this.started.config;
    return c.maxFailures ?? Math.floor((this.started.totalEvaluations + this.started.totalBaselines) / 4);
  }

  /** Stops the search once more evaluations failed than tolerated. */
  private checkFailures(): void {
    const max = this.maxFailures();
    if (this.failed.size <= max || this.failureStop) return;
    this.failureStop = new TooManyFailuresError([...this.failed.values()].map((f) => ({ key: f.key, error: f.error })), max);
    this.interrupt(this.failureStop.message);
  }

  /** The GA loop: ask, evaluate (up to `workers` at once), tell; replays finished evaluations on resume. */
  private async runGa(): Promise<void> {
    const c = this.started.config;
    const ga: GaPort = this.lastSnapshot
      ? restoreGaPort(this.lastSnapshot.state)
      : createGaPort({ genomeLength: this.started.model.genomeLength, population: c.population, generations: c.generations, preset: c.preset, seed: c.seed, lockedGenes: this.started.model.lockedGenes });
    const onStarted = (g: number) => {
      if (this.genStarted.has(g)) return;
      this.append({ type: 'ga.snapshot', generation: g, state: ga.snapshot() });
      this.append({ type: 'generation.started', generation: g, genomes: ga.population().map((m) => ({ index: m.index, ...this.trained(m.mask), cached: m.status === 'cached', ...(m.status === 'cached' ? { fitness: m.fitness } : {}) })) });
    };
    ga.onGenerationStarted(onStarted);
    ga.onCached((e) => {
      const key = gaKey(e.generation, e.index);
      if (!this.genStarted.has(e.generation)) onStarted(e.generation);
      if (!this.cachedKeys.has(key)) this.append({ type: 'eval.cached', key, generation: e.generation, index: e.index, ...this.trained(e.mask), fitness: e.fitness });
    });
    ga.onGenerationFinished((s) => {
      if (this.genFinished.has(s.generation)) return;
      const best = [...this.finished.values()].find((f) => f.kind === 'ga' && (f.genome ?? f.mask) === s.bestKey);
      const rec: GenerationFinishedRecord = {
        type: 'generation.finished', generation: s.generation, best: s.best, mean: s.mean, worst: s.worst, bestMask: this.trained(s.bestKey).mask,
        bestTrainableParams: best?.result.trainableParams ?? 0, evaluations: s.evaluations, cacheHits: s.cacheHits, failures: s.failures,
      };
      this.append(rec);
    });
    if (!this.genStarted.has(ga.generation) && !ga.done) onStarted(ga.generation);
    // The tie rule's cost: fewer trainable parameters first (then generation, then index).
    const tellOf = (r: EvalFinishedRecord) => ({
      cost: r.result.trainableParams || 0,
      objectives: { trainable_params: r.result.trainableParams || 0, test_accuracy: Number.isFinite(r.result.testAccuracy) ? r.result.testAccuracy : 0 },
    });
    const told = (id: string, rec: EvalFinishedRecord | EvalFailedRecord) => (rec.type === 'eval.failed' ? ga.fail(id, rec.error) : ga.tell(id, rec.fitness, tellOf(rec)));
    const inflight = new Map<string, Promise<void>>();
    while (!ga.done && !this.interruptReason) {
      await this.control.waitWhilePaused(this.abort.signal);
      while (inflight.size < Math.max(1, c.workers) && !this.interruptReason && !this.control.paused) {
        const req = ga.ask();
        if (!req) break;
        const key = gaKey(req.generation, req.index);
        // Resume: an evaluation the journal already has is told again (a failure as a failure).
        const done = this.finished.get(key) ?? this.failed.get(key);
        if (done) {
          const asked = done.genome ?? done.mask; // the GA genome (journals before `genome` hold it in mask)
          if (asked !== req.mask) throw new ResumeError(this.init.journalPath, `the GA asked ${key} = ${req.mask} but the journal has ${asked}: the GA state does not replay`);
          told(req.id, done);
          continue;
        }
        const p = this.evaluate(key, 'ga', req.generation, req.index, req.mask).then((rec) => {
          if (rec && !this.failureStop) told(req.id, rec);
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
      const k = this.started.mode === 'compare' && bestMask ? countSetBits(bestMask) : (this.init.fresh?.randomTrainableLayers ?? Math.floor(L / 2));
      if (k < 0 || k > L) throw new SearchSetupError('ga', `random baselines: trainable layers ${k} is outside 0..${L}`);
      this.append({ type: 'search.baselines', baselines: baselineMasksPort(L, k, c.randomBaselines, c.seed) });
    }
    const queue = this.baselines!.map((b, i) => ({ ...b, index: i })).filter((b) => !this.finished.has(baselineKey(b.label)) && !this.failed.has(baselineKey(b.label)));
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
    // Files first (atomic, derived from the journal), then the one record that says they exist:
    // a crash in between rewrites the same files on resume.
    const artifacts = this.started.mode !== 'search' ? this.writeComparison() : [];
    this.append({
      type: 'search.finished',
      best: best && bestRec ? { key: best.key, mask: best.mask, fitness: best.fitness, testAccuracy: bestRec.result.testAccuracy, trainableLayers: countSetBits(best.mask), trainableParams: bestRec.result.trainableParams } : undefined,
      population, seconds: (Date.now() - this.t0) / 1000, failures: this.failed.size, ...(artifacts.length ? { artifacts } : {}),
    });
  }

  /** The comparison table (text, Markdown, JSON) and the fitness chart: files in the search folder (artifacts of the parent run); returns their names. */
  private writeComparison(): string[] {
    // The table, the fitness chart and the confusion matrices (compare/files.ts).
    const { files, warnings } = comparisonFiles(buildComparison(this.state));
    for (const w of warnings) this.log('warn', w);
    for (const [name, content] of files) writeFileAtomic(path.join(this.init.dir, name), content);
    return files.map(([name]) => name);
  }

  /** The tracking journal, for post-run steps (compare logs its table on the parent run). */
  get parentRunKey(): string {
    return this.started.parentRunKey;
  }
}
