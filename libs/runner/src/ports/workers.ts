/**
 * Adapter over `@slt/models/workers`: starting a search's worker processes ahead of everything
 * else. Free of tfjs (the runner's light entry exports it), so a command can start the workers
 * before it loads the rest of the search.
 */
import { availableParallelism } from 'node:os';
import { startWorkers, type StartedWorkers } from '@slt/models/workers';

/** Worker processes started before the search's preflight; `close()` kills them if no pool takes them. */
export type EarlyWorkers = StartedWorkers;

/** What starting the workers needs of a search's config. */
export interface WorkersSetup {
  workers: number;
  backend: string;
  /** GPU ids the workers are pinned to (worker i: `gpus[i % n]`); default: CUDA_VISIBLE_DEVICES's list. */
  gpus?: string[];
}

/**
 * Starts the pool's worker processes now (Node, tfjs and the backend: about 1 s of a core each),
 * so that they start while this process checks the weights and loads the data. Undefined for an
 * in-process search (0 workers) or settings the pool would refuse (it says why when it opens).
 * Give them to `runSearch` (`started`), which kills them when the search cannot start.
 */
export function startEvaluatorWorkers(setup: WorkersSetup): EarlyWorkers | undefined {
  if (setup.workers === 0) return undefined;
  try {
    return startWorkers({ workers: setup.workers, backend: setup.backend, ...(setup.gpus ? { gpus: setup.gpus } : {}) }, availableParallelism());
  } catch {
    return undefined;
  }
}
