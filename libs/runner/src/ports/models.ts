/** Adapter over @slt/models (zoo description, evaluator pool) and @slt/backend. */
import { doctor, formatDoctorReport, type DoctorReport } from '@slt/backend';
import { checkWeights, createEvaluatorPool, describeGenome, geneLayout, medianThresholds, MODEL_NAMES, type EvaluatorPool, type GeneLayout, type GeneMode, type MedianPrunerOptions } from '@slt/models';
import { SearchSetupError } from '../errors.js';
import type { EarlyWorkers } from './workers.js';
import type { Evaluator, ImageDataset, ModelDescription } from './types.js';

/** The zoo's model names. */
export function modelNames(): string[] {
  return [...MODEL_NAMES];
}

/** Layer names of a backbone in genome order (they do not depend on the input size), for mask.json and the TUI. */
export function describeModel(name: string): ModelDescription {
  try {
    const { genomeLength, layerNames } = describeGenome(name);
    return { genomeLength, layerNames: [...layerNames] };
  } catch (cause) {
    throw new SearchSetupError('model', (cause as Error).message, { cause });
  }
}

/** Weights that passed the check: the local file the workers read, what was given, its sha256. */
export interface CheckedWeightsPort {
  spec: string;
  source: string;
  /** sha256 of the `.h5` file, or of model.json and its shards in manifest order (the resume check compares it). */
  sha256: string;
}

/**
 * Checks a model's weights before anything of a search exists (resolved, downloaded into the
 * cache when needed, every shard and shape read): bad weights are bad input (exit code 2).
 */
export async function checkWeightsPort(model: string, weights?: string): Promise<CheckedWeightsPort> {
  try {
    const checked = await checkWeights(model, weights);
    return { spec: checked.spec, source: checked.url ?? checked.source, sha256: checked.sha256 };
  } catch (cause) {
    throw new SearchSetupError('weights', (cause as Error).message, { cause, kind: 'bad-input' });
  }
}

/** The genes of a zoo backbone under a gene mode (see @slt/models geneLayout). */
export type GeneLayoutPort = GeneLayout;

/** The gene layout of `model` under `mode` (`--genes`). */
export function geneLayoutPort(model: string, mode: GeneMode): GeneLayoutPort {
  try {
    return geneLayout(describeGenome(model), mode);
  } catch (cause) {
    throw new SearchSetupError('model', (cause as Error).message, { cause });
  }
}

/** Median-pruning thresholds per epoch (see @slt/models medianThresholds). */
export function medianThresholdsPort(completed: number[][], epochs: number, options: MedianPrunerOptions): (number | null)[] {
  return medianThresholds(completed, epochs, options);
}

/** Options the runner gives the evaluator pool. */
export interface EvaluatorSetup {
  model: string;
  weights?: string;
  input: [number, number];
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  workers: number;
  backend: string;
  /** GPU ids the workers are pinned to (worker i: `gpus[i % n]`); default: CUDA_VISIBLE_DEVICES's list. */
  gpus?: string[];
  /** 1-channel adapter (`conv1x1`, `repeat`, `conv1x1-frozen`); default conv1x1. */
  adapter?: 'conv1x1' | 'repeat' | 'conv1x1-frozen';
  dataset: ImageDataset;
  /** Worker processes started ahead (`startEvaluatorWorkers` of ./workers.ts); the pool takes them when they fit. */
  started?: EarlyWorkers;
}


/** Opens the evaluator pool of libs/models (worker processes; 0 workers = in this process). */
export async function openEvaluator(setup: EvaluatorSetup): Promise<Evaluator> {
  const d = setup.dataset;
  let pool: EvaluatorPool;
  try {
    pool = await createEvaluatorPool({
      workers: setup.workers,
      ...(setup.gpus ? { gpus: setup.gpus } : {}),
      backend: setup.backend as 'auto' | 'tensorflow' | 'wasm' | 'cpu',
      model: {
        kind: 'zoo',
        options: {
          model: setup.model,
          inputShape: [d.train.shape[1], d.train.shape[2], d.train.shape[3]] as never,
          classes: d.classNames.length,
          // The zoo name loads the zoo's official weights (cached); a folder or URL overrides it.
          weights: setup.weights ?? setup.model,
          seed: setup.seed,
          ...(setup.adapter ? { adapter: setup.adapter } : {}),
        },
      },
      splits: { train: d.train, val: d.val, test: d.test },
      training: { epochs: setup.epochs, batchSize: setup.batch, learningRate: setup.lr, seed: setup.seed },
      ...(setup.started ? { started: setup.started } : {}),
    });
  } catch (cause) {
    throw new SearchSetupError('model', (cause as Error).message, { cause });
  }
  try {
    // Workers that cannot build the model (weights missing, bad model) fail the search's setup,
    // not every genome one by one.
    await pool.ready();
  } catch (cause) {
    await pool.close().catch(() => undefined);
    throw new SearchSetupError('model', (cause as Error).message, { cause });
  }
  const info = pool.workerInfo();
  return {
    evaluate: (mask, options) => {
      const o = options ?? {};
      // Every search evaluation keeps its best weights in its worker (only the best fitness), so the best genome's model is saved without training it again.
      return pool.evaluate(mask, { signal: o.signal, ...(o.prune ? { prune: o.prune } : {}), retain: o.saveModel === undefined, onEpoch: o.onEpoch, onBatch: o.onBatch, onStart: o.onStart ? ({ worker, device }) => o.onStart!({ worker, device }) : undefined,
        ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.saveModel ? { saveModel: o.saveModel } : {}),
      });
    },
    saveRetained: async (mask, seed, saveModel) => {
      const r = await pool.saveRetained(mask, seed, saveModel);
      return r ? { testAccuracy: r.testAccuracy } : undefined;
    },
    backend: info.find((w) => w.backend)?.backend ?? setup.backend,
    devices: info.map((w) => w.device),
    close: () => pool.close(),
  };
}

/** The backend doctor's report (backends, GPU libraries). */
export async function backendDoctor(): Promise<DoctorReport> {
  return await doctor();
}

/** The backend doctor's report as text. */
export function formatBackendDoctor(report: DoctorReport): string {
  return formatDoctorReport(report);
}
