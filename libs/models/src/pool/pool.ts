import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '@slt/backend';
import { countSetBits } from '@slt/util';
import { validateSplits } from '../training/data.js';
import { createLocalEvaluator, type LocalEvaluatorOptions } from '../training/evaluator.js';
import { EvaluationAbortedError, PoolClosedError, TrainingInputError, WorkerError } from '../training/errors.js';
import { layersTaskModel } from '../training/layers-task-model.js';
import type { EvaluationResult, FineTuneOptions, TrainableTaskModel, TrainingSplits } from '../training/types.js';
import { zooTaskModel } from '../training/zoo-task-model.js';
import type { SaveModelRequest } from '../export/saved-model.js';
import { writeSplitsFile } from './datafile.js';
import type { FromWorker, RemoteFineTuneOptions, TaskModelSource, ToWorker, WorkerInit } from './protocol.js';
import { InProcessPool } from './in-process.js';
import { parseFromWorker } from './messages.js';
import { deviceOf, resolveWorkerOptions, sendInit, spawnWorker, visibleDevices, workerNodeFlags, type StartedWorkers, type WorkerProcess } from './spawn.js';

export { visibleDevices };

/** Options of {@link createEvaluatorPool}. */
export interface EvaluatorPoolOptions {
  /** Worker processes; 0 evaluates in this process. Default: one per GPU in `gpus`, else one per core. */
  workers?: number;
  /**
   * GPU ids; worker i sees only `gpus[i % gpus.length]` (its CUDA_VISIBLE_DEVICES). Default: the
   * ids listed in this process's CUDA_VISIBLE_DEVICES (see {@link visibleDevices}); none when unset.
   */
  gpus?: string[];
  /** tfjs backend of each worker (selectBackend of @slt/backend). Default 'auto'. */
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** The task model every worker builds. */
  model: TaskModelSource;
  /** The data set's splits; written once to a temp file that every worker reads at start. */
  splits: TrainingSplits;
  /** Fine-tune defaults (epochs, batch size, learning rate, seed, prefix reuse and cache). */
  training?: LocalEvaluatorOptions;
  /** Folder for the splits file. Default: a fresh folder in the OS temp dir, removed on close. */
  tmpDir?: string;
  /**
   * Workers started ahead (see `startWorkers`): taken when their count, GPUs and backend are this
   * pool's (else closed, and fresh ones spawned). Default: spawn the workers now.
   */
  started?: StartedWorkers;
}

/** Options of one pool evaluation. */
export interface PoolEvaluateOptions extends Pick<FineTuneOptions, 'epochs' | 'batchSize' | 'learningRate' | 'epsilon' | 'seed' | 'prefixReuse' | 'prune' | 'retain' | 'onEpoch' | 'onBatch' | 'signal'> {
  /**
   * After a successful evaluation, save the fine-tuned weights (tfjs layers format, `tf.loadLayersModel`
   * loads them) with what inference needs to `saveModel.dir` (see loadSavedModel). Re-run the
   * genome with its seed and `epochs` = its best epoch to keep the best-validation weights.
   */
  saveModel?: SaveModelRequest;
  /** Called when a worker takes the genome (worker index, process id (0 in process), its CUDA_VISIBLE_DEVICES ('' when none)). */
  onStart?: (info: { worker: number; pid: number; device: string }) => void;
}

/** What a worker reported when it became ready. */
export interface WorkerInfo {
  /** Worker slot. */
  worker: number;
  /** Process id (0 in process or not running). */
  pid: number;
  /** tfjs backend the worker chose ('' before ready). */
  backend: string;
  /** The GPU id(s) the pool gave the worker ('' when none). */
  device: string;
  /** CUDA_VISIBLE_DEVICES as the worker process itself saw it (undefined when unset, or before ready). */
  cudaVisibleDevices?: string;
}

/** Evaluates genomes; the same interface in process (workers: 0) and with worker processes. */
export interface EvaluatorPool {
  /** Number of worker processes (0: in process). */
  readonly workers: number;
  /** Fine-tunes one genome; a crashed worker yields a result with fitness 0 and `error` set. */
  evaluate(genome: string, options?: PoolEvaluateOptions): Promise<EvaluationResult>;
  /**
   * Saves the weights an evaluation of `genome` with `seed` (default: the pool's) and `retain`
   * measured, from the worker that ran it, without training again; resolves that evaluation's
   * result, or undefined when no worker holds them (evicted by a better one, worker restarted).
   */
  saveRetained(genome: string, seed: number | undefined, save: SaveModelRequest): Promise<EvaluationResult | undefined>;
  /** Resolves once every worker has started (model built, data read); rejects if one cannot start. */
  ready(): Promise<void>;
  /** Process ids of the live workers (index = worker slot; 0 when not running). */
  workerPids(): number[];
  /** What each worker reported when ready (backend, devices); in process: one entry for this process. */
  workerInfo(): WorkerInfo[];
  /** Stops the workers and removes the temp files. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  genome: string;
  options: PoolEvaluateOptions;
  resolve: (r: EvaluationResult) => void;
  reject: (e: unknown) => void;
  /** A save-retained request for worker `target` (not an evaluation); `done` gets its answer. */
  save?: { target: number; seed?: number; request: SaveModelRequest; done: (r: EvaluationResult | undefined) => void };
}

interface Slot {
  index: number;
  proc?: WorkerProcess;
  ready: boolean;
  job?: Job;
  restarts: number;
  device: string;
  backend: string;
  cudaVisibleDevices?: string;
  /** Killed on purpose after a failed evaluation: restarted without counting as a failed start. */
  recycling?: boolean;
  /** Genome and seed keys of this process's evaluations run with `retain` (it may have evicted some). */
  retained: Set<string>;
}

const retainedKey = (genome: string, seed: number): string => `${genome}/${seed}`;

const MAX_RESTARTS_WITHOUT_READY = 2;

function failedResult(genome: string, backend: string, error: string): EvaluationResult {
  return {
    fitness: 0, testAccuracy: 0, epochs: [], trainableParams: 0, totalParams: 0,
    trainableLayers: countSetBits(genome), seconds: 0, imagesPerSecond: 0,
    backend, prefixReused: 0, error,
  };
}

function remoteOptions(o: PoolEvaluateOptions): RemoteFineTuneOptions {
  const { epochs, batchSize, learningRate, epsilon, seed, prefixReuse, prune, retain } = o;
  return JSON.parse(JSON.stringify({ epochs, batchSize, learningRate, epsilon, seed, prefixReuse, prune, retain })) as RemoteFineTuneOptions;
}

async function buildTask(source: TaskModelSource): Promise<TrainableTaskModel> {
  if (source.kind === 'zoo') return zooTaskModel(source.options);
  if (source.kind === 'layers') return layersTaskModel(source.options);
  throw new TrainingInputError('model.kind', (source as { kind: unknown }).kind, "'zoo' or 'layers'");
}

class ProcessPool implements EvaluatorPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private fatal?: Error;
  private closing?: Promise<void>;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** The V8 flags of every worker this pool spawns (restarts included). */
  private readonly flags: string[];

  constructor(readonly workers: number, private readonly init: WorkerInit, private readonly gpus: string[], private readonly dir: string, private readonly ownDir: boolean, started: WorkerProcess[] = []) {
    this.flags = workerNodeFlags(workers, os.availableParallelism());
    this.slots = Array.from({ length: workers }, (_, index) => ({ index, ready: false, restarts: 0, backend: '', device: deviceOf(gpus, index), retained: new Set<string>() }));
    for (const slot of this.slots) this.spawn(slot, started[slot.index]);
  }

  /** Starts the slot's worker (or takes one started ahead) and sends it the init. */
  private spawn(slot: Slot, ahead?: WorkerProcess): void {
    const proc = ahead ?? spawnWorker(slot.index, this.gpus, this.init.backend, this.flags);
    sendInit(proc, this.init);
    slot.proc = proc;
    slot.retained.clear(); // a new process holds no weights
    slot.ready = false;
    proc.on('message', (m: unknown) => {
      // IPC crosses a process: parsed with its schema (messages.ts); a bad message fails the running job.
      const parsed = parseFromWorker(m);
      if (parsed.ok) this.onMessage(slot, parsed.message);
      else if (slot.job) this.onMessage(slot, { type: 'failed', id: slot.job.id, error: parsed.error, name: 'WorkerError' });
    });
    void proc.then((r) => this.onExit(slot, proc, r.signal ?? (r.exitCode === undefined ? 'unknown' : `exit code ${r.exitCode}`), String(r.stderr ?? '')));
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const job = slot.job;
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        slot.restarts = 0;
        slot.backend = m.backend;
        slot.cudaVisibleDevices = m.cudaVisibleDevices;
        if (this.slots.every((s) => s.ready)) for (const w of this.waiters.splice(0)) w.resolve();
        this.dispatch();
        return;
      case 'init-error':
        this.fail(new WorkerError(slot.index, `could not start: ${m.error}`));
        return;
      case 'epoch':
        if (job?.id === m.id) job.options.onEpoch?.(m.metrics);
        return;
      case 'batch':
        if (job?.id === m.id) job.options.onBatch?.(m.progress);
        return;
      case 'retained':
        if (job?.id !== m.id || !job.save) return;
        slot.job = undefined;
        job.save.done(m.result);
        this.dispatch();
        return;
      case 'result':
      case 'failed':
        if (job?.id !== m.id) return;
        slot.job = undefined;
        if (job.save) {
          // A failed save (a disk error) leaves the worker as it was.
          job.reject(new WorkerError(slot.index, m.type === 'failed' ? m.error : 'answered a save with a result'));
          this.dispatch();
          return;
        }
        if (m.type === 'result' && job.options.retain && m.result.error === undefined) slot.retained.add(retainedKey(job.genome, job.options.seed ?? this.defaultSeed));
        if (m.type === 'result') job.resolve(m.result);
        else job.reject(m.name === 'TrainingInputError' ? new TrainingInputError('genome', job.genome, m.error) : new WorkerError(slot.index, m.error));
        // A failed evaluation (NaN, out of memory) may leave the backend in a bad state: the
        // next genome (a retry included) gets a fresh worker.
        if ((m.type === 'result' && m.result.error !== undefined) || (m.type === 'failed' && m.name !== 'TrainingInputError')) {
          slot.ready = false;
          slot.recycling = true;
          slot.proc?.kill('SIGKILL');
          return;
        }
        this.dispatch();
    }
  }

  private onExit(slot: Slot, proc: unknown, how: string, stderr: string): void {
    if (slot.proc !== proc) return;
    slot.proc = undefined;
    const wasReady = slot.ready || slot.recycling === true;
    slot.recycling = false;
    slot.ready = false;
    const job = slot.job;
    slot.job = undefined;
    const tail = stderr.trim().split('\n').slice(-3).join(' | ');
    if (job?.save) job.save.done(undefined); // its weights died with the process
    else if (job) {
      const aborted = job.options.signal?.aborted;
      if (aborted) job.reject(new EvaluationAbortedError(job.genome, { cause: job.options.signal?.reason }));
      else job.resolve(failedResult(job.genome, this.init.backend, `worker ${slot.index} crashed (${how}) while evaluating${tail ? `: ${tail}` : ''}`));
    }
    if (this.closed || this.fatal) return;
    if (!wasReady && ++slot.restarts > MAX_RESTARTS_WITHOUT_READY) {
      this.fail(new WorkerError(slot.index, `exited (${how}) before becoming ready, ${slot.restarts} times${tail ? `: ${tail}` : ''}`));
      return;
    }
    this.spawn(slot);
  }

  private fail(error: Error): void {
    this.fatal ??= error;
    for (const job of this.queue.splice(0)) job.reject(this.fatal);
    for (const w of this.waiters.splice(0)) w.reject(this.fatal);
    void this.close();
  }

  private get defaultSeed(): number {
    return (this.init.training as { seed?: number }).seed ?? 0;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job || !slot.proc) continue;
      // An evaluation goes to any worker; a save-retained request to its own.
      const at = this.queue.findIndex((j) => j.save === undefined || j.save.target === slot.index);
      if (at < 0) continue;
      const job = this.queue.splice(at, 1)[0]!;
      slot.job = job;
      if (job.save) {
        const msg: ToWorker = { type: 'save-retained', id: job.id, genome: job.genome, save: job.save.request, ...(job.save.seed !== undefined ? { seed: job.save.seed } : {}) };
        slot.proc.sendMessage(msg as never).catch(() => undefined);
        continue;
      }
      job.options.onStart?.({ worker: slot.index, pid: slot.proc.pid ?? 0, device: slot.device });
      const msg: ToWorker = {
        type: 'evaluate', id: job.id, genome: job.genome, options: remoteOptions(job.options), batches: !!job.options.onBatch,
        ...(job.options.saveModel ? { save: job.options.saveModel } : {}),
      };
      slot.proc.sendMessage(msg as never).catch(() => undefined);
    }
  }

  evaluate(genome: string, options: PoolEvaluateOptions = {}): Promise<EvaluationResult> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new PoolClosedError());
    if (options.signal?.aborted) return Promise.reject(new EvaluationAbortedError(genome, { cause: options.signal.reason }));
    return new Promise<EvaluationResult>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = (): void => {
        const queued = this.queue.indexOf(job);
        if (queued >= 0) {
          this.queue.splice(queued, 1);
          reject(new EvaluationAbortedError(genome, { cause: options.signal?.reason }));
          return;
        }
        const slot = this.slots.find((s) => s.job === job);
        slot?.proc?.kill('SIGKILL'); // abandon: the worker is restarted, the job rejects in onExit
      };
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      const job: Job = {
        id: this.nextId++, genome, options,
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  saveRetained(genome: string, seed: number | undefined, save: SaveModelRequest): Promise<EvaluationResult | undefined> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new PoolClosedError());
    const key = retainedKey(genome, seed ?? this.defaultSeed);
    const slot = this.slots.find((s) => s.retained.has(key));
    if (!slot) return Promise.resolve(undefined);
    return new Promise<EvaluationResult | undefined>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++, genome, options: {}, resolve: () => undefined, reject,
        save: { target: slot.index, request: save, done: resolve, ...(seed !== undefined ? { seed } : {}) },
      };
      this.queue.push(job);
      this.dispatch();
    });
  }

  ready(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new PoolClosedError());
    if (this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  workerPids(): number[] {
    return this.slots.map((s) => s.proc?.pid ?? 0);
  }

  workerInfo(): WorkerInfo[] {
    return this.slots.map((s) => ({ worker: s.index, pid: s.proc?.pid ?? 0, backend: s.backend, device: s.device, cudaVisibleDevices: s.cudaVisibleDevices }));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(this.fatal ?? new PoolClosedError());
    for (const w of this.waiters.splice(0)) w.reject(this.fatal ?? new PoolClosedError());
    const procs = this.slots.map((s) => s.proc).filter((p) => p !== undefined);
    for (const s of this.slots) {
      if (s.job) s.job.reject(this.fatal ?? new PoolClosedError());
      s.job = undefined;
      s.proc?.sendMessage({ type: 'close' } as never).catch(() => undefined);
    }
    const timer = setTimeout(() => procs.forEach((p) => p.kill('SIGKILL')), 5000);
    await Promise.all(procs.map((p) => p.catch(() => undefined)));
    clearTimeout(timer);
    await rm(this.ownDir ? this.dir : this.init.splitsFile, { recursive: true, force: true });
  }
}

/**
 * Creates an evaluator pool: `workers` processes (execa, Node IPC), each with its own backend and
 * task model, reading the splits from one temp file; or, with `workers: 0`, an in-process evaluator
 * behind the same interface. A crashed worker fails only its genome and is restarted.
 */
export async function createEvaluatorPool(options: EvaluatorPoolOptions): Promise<EvaluatorPool> {
  let resolved;
  try {
    resolved = resolveWorkerOptions(options, os.availableParallelism());
  } catch (err) {
    await options.started?.close();
    throw err;
  }
  const { workers, gpus, backend } = resolved;
  // Workers started ahead with other settings are of no use here.
  const fits = options.started && options.started.workers === workers && options.started.backend === backend && options.started.gpus.join(',') === gpus.join(',');
  if (options.started && !fits) await options.started.close();
  if (!options.model || (options.model.kind !== 'zoo' && options.model.kind !== 'layers')) {
    await options.started?.close();
    throw new TrainingInputError('model.kind', (options.model as { kind?: unknown } | undefined)?.kind, "'zoo' or 'layers'");
  }
  if (workers === 0) {
    await options.started?.close();
    if (options.backend) await selectBackend({ prefer: backend });
    const task = await buildTask(options.model);
    return new InProcessPool(task, createLocalEvaluator(task, options.splits, options.training), options.model, options.splits.train.shape, options.training?.seed ?? 0);
  }
  try {
    // Validate in this process first so that bad splits fail here, not in every worker.
    const out = options.model.options.classes;
    validateSplits(options.splits, out);
    const ownDir = !options.tmpDir;
    const dir = options.tmpDir ?? (await mkdtemp(path.join(os.tmpdir(), 'slt-pool-')));
    const splitsFile = path.join(dir, `splits-${process.pid}-${randomBytes(4).toString('hex')}.bin`);
    await writeSplitsFile(splitsFile, options.splits);
    const init: WorkerInit = { splitsFile, backend, model: options.model, training: options.training ?? {} };
    return new ProcessPool(workers, init, gpus, dir, ownDir, fits ? options.started!.take() : []);
  } catch (err) {
    await options.started?.close();
    throw err;
  }
}
