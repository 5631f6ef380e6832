/**
 * Starting pool worker processes, and starting them early: a worker's start (Node, tfjs and its
 * backend: about 1 s of a core) needs nothing of the search but the backend, so a caller can start
 * the workers before it checks weights and loads data ({@link startWorkers}) and hand them to
 * `createEvaluatorPool` later, which sends each its init (model, splits file) then.
 */
import { fileURLToPath } from 'node:url';
import { execaNode, type ResultPromise } from 'execa';
import { TrainingInputError } from '../training/errors.js';
import { WORKER_BACKEND_ENV, type WorkerInit } from './protocol.js';

/** A worker process (execa, with Node's IPC channel). */
export type WorkerProcess = ResultPromise<{ ipc: true }>;

/** Run from the sources (vitest, tsx): the worker is worker.ts under tsx; built (dist/): plain node. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER = fileURLToPath(new URL(FROM_SOURCE ? './worker.ts' : './worker.js', import.meta.url));
const WORKER_NODE_OPTIONS = FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [];

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
/** A pool's tfjs backend choice. */
export type PoolBackend = (typeof BACKENDS)[number];

/** The device ids listed in CUDA_VISIBLE_DEVICES (empty when unset, empty or '-1'). */
export function visibleDevices(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.CUDA_VISIBLE_DEVICES ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '' && d !== '-1');
}

/** Workers, GPUs and backend as a pool resolves them (defaults filled in), checked by name. */
export function resolveWorkerOptions(o: { workers?: number; gpus?: string[]; backend?: string }, cores: number): { workers: number; gpus: string[]; backend: PoolBackend } {
  const gpus = o.gpus ?? visibleDevices();
  for (const g of gpus) if (typeof g !== 'string' || !/^[\w:.-]+$/.test(g)) throw new TrainingInputError('gpus', g, 'GPU ids such as 0, 2 or GPU-<uuid>');
  const workers = o.workers ?? (gpus.length > 0 ? gpus.length : cores);
  if (!Number.isInteger(workers) || workers < 0 || workers > 256) throw new TrainingInputError('workers', workers, 'an integer in 0..256');
  const backend = o.backend ?? 'auto';
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new TrainingInputError('backend', backend, "'auto', 'tensorflow', 'wasm' or 'cpu'");
  return { workers, gpus, backend: backend as PoolBackend };
}

/**
 * V8 flags of the workers when they are as many as the cores or more: TurboFan compiles on the
 * worker's own thread (`--no-concurrent-recompilation`), and without inlining (`--no-turbo-inlining`:
 * smaller, faster compiles of tfjs' engine code, which calls through many shapes anyway). A
 * background compile thread has no core of its own then: it takes turns with the workers' training
 * threads while they run slower code until it is done, and every worker compiles tfjs' hot paths
 * anew. Measured here, 2 workers on 2 cores, whole fast searches in 7 paired runs each: the first
 * flag 0.91x the wall time and 0.92x the CPU seconds (every pair below 0.97); the second on top of
 * it 0.96x (seed 0) and 0.99x (seed 1, every pair below 1). With cores to spare (a GPU server,
 * fewer workers than cores) V8's defaults.
 */
export function workerNodeFlags(workers: number, cores: number): string[] {
  return workers >= cores ? ['--no-concurrent-recompilation', '--no-turbo-inlining'] : [];
}

/** The GPU id(s) worker `index` is pinned to ('' when none). */
export function deviceOf(gpus: readonly string[], index: number): string {
  return gpus.length > 0 ? gpus[index % gpus.length]! : '';
}

/**
 * Spawns worker `index`: it imports tfjs and selects `backend` at once, then waits for its init
 * (sent with {@link sendInit}). `gpus` pins it to its device (CUDA_VISIBLE_DEVICES); `flags` are
 * its V8 flags ({@link workerNodeFlags}).
 */
export function spawnWorker(index: number, gpus: readonly string[], backend: PoolBackend, flags: readonly string[] = []): WorkerProcess {
  const env: Record<string, string> = { SLT_WORKER: String(index), [WORKER_BACKEND_ENV]: backend };
  if (gpus.length > 0) env.CUDA_VISIBLE_DEVICES = deviceOf(gpus, index);
  return execaNode(WORKER, [], {
    nodeOptions: [...WORKER_NODE_OPTIONS, ...flags],
    ipc: true,
    env,
    stdout: 'ignore',
    stderr: 'pipe',
    reject: false,
    buffer: { stderr: true, stdout: false },
  }) as unknown as WorkerProcess;
}

/** Sends a worker its init (the first message it reads). */
export function sendInit(proc: WorkerProcess, init: WorkerInit): void {
  proc.sendMessage(init as never).catch(() => undefined);
}

/** Worker processes started ahead of their pool: give them to `createEvaluatorPool` (`started`), or close them. */
export interface StartedWorkers {
  /** How many, their GPUs and backend (a pool with other settings does not take them). */
  readonly workers: number;
  readonly gpus: readonly string[];
  readonly backend: PoolBackend;
  /** Their process ids (empty once taken or closed). */
  pids(): number[];
  /** The processes, once (a pool takes them); empty after that or after close. */
  take(): WorkerProcess[];
  /** Kills the processes no pool took (when the search stops before its pool opens). */
  close(): Promise<void>;
}

/**
 * Starts `workers` worker processes now (default: one per GPU in `gpus`, else one per core), each
 * importing tfjs and selecting its backend while the caller prepares the search. Nothing is
 * started for `workers: 0`.
 */
export function startWorkers(options: { workers?: number; gpus?: string[]; backend?: string }, cores: number): StartedWorkers {
  const { workers, gpus, backend } = resolveWorkerOptions(options, cores);
  const flags = workerNodeFlags(workers, cores);
  let procs: WorkerProcess[] | undefined = Array.from({ length: workers }, (_, i) => spawnWorker(i, gpus, backend, flags));
  return {
    workers, gpus, backend,
    pids: () => (procs ?? []).map((p) => p.pid ?? 0),
    take: () => {
      const p = procs ?? [];
      procs = undefined;
      return p;
    },
    close: async () => {
      const p = procs ?? [];
      procs = undefined;
      for (const proc of p) proc.kill('SIGKILL');
      await Promise.all(p.map((proc) => proc.catch(() => undefined)));
    },
  };
}
