import type { SaveModelRequest } from '../export/saved-model.js';
import type { LocalEvaluatorOptions } from '../training/evaluator.js';
import type { LayersTaskModelOptions } from '../training/layers-task-model.js';
import type { BatchProgress, EpochMetrics, EvaluationResult, FineTuneOptions } from '../training/types.js';
import type { ZooTaskModelOptions } from '../training/zoo-task-model.js';

/** Where a worker gets its task model: `zoo` builds `zooTaskModel(options)` (createTaskModel + loadWeights); `layers` builds `layersTaskModel(options)` (a tfjs layers model.json cut at a layer). Options are plain JSON. */
export type TaskModelSource =
  | { kind: 'zoo'; options: ZooTaskModelOptions }
  | { kind: 'layers'; options: LayersTaskModelOptions };

/** Per-genome options a pool forwards to the worker (JSON-able part of FineTuneOptions). */
export type RemoteFineTuneOptions = Pick<FineTuneOptions, 'epochs' | 'batchSize' | 'learningRate' | 'epsilon' | 'seed' | 'prefixReuse' | 'prune' | 'retain'>;

/** The env variable that tells a worker its backend at spawn, so that it selects it before its init comes. */
export const WORKER_BACKEND_ENV = 'SLT_WORKER_BACKEND';

/** First message a worker gets (see `sendInit`). */
export interface WorkerInit {
  splitsFile: string;
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  model: TaskModelSource;
  training: LocalEvaluatorOptions;
}

export type ToWorker =
  | { type: 'evaluate'; id: number; genome: string; options: RemoteFineTuneOptions; batches: boolean; save?: SaveModelRequest }
  /** Save the weights an evaluation with `retain` measured (see LocalEvaluator.restoreRetained); answered by `retained`. */
  | { type: 'save-retained'; id: number; genome: string; seed?: number; save: SaveModelRequest }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; backend: string; genomeLength: number; cudaVisibleDevices?: string }
  | { type: 'init-error'; error: string }
  | { type: 'epoch'; id: number; metrics: EpochMetrics }
  | { type: 'batch'; id: number; progress: BatchProgress }
  | { type: 'result'; id: number; result: EvaluationResult }
  | { type: 'failed'; id: number; error: string; name: string }
  /** The answer to `save-retained`: the evaluation whose weights were saved, or none (not retained). */
  | { type: 'retained'; id: number; result?: EvaluationResult };
