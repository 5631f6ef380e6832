/** Adapter over @slt/models (zoo description, evaluator pool) and @slt/backend. */
import * as backendLib from '@slt/backend';
import * as modelsLib from '@slt/models';
import { SearchSetupError } from '../errors.js';
import type { EvaluationResult } from '../journal/records.js';
import type { Evaluator, ImageDataset, ModelDescription } from './types.js';

const models = modelsLib as Record<string, any>;
const backend = backendLib as Record<string, any>;

/** Zoo names, when @slt/models exports them. */
export function modelNames(): string[] {
  const names = models.MODEL_NAMES ?? (models.MODEL_INFO ? Object.keys(models.MODEL_INFO) : undefined) ?? (models.ZOO ? Object.keys(models.ZOO) : undefined);
  return Array.isArray(names) ? [...names] : [];
}

/** Layer names of a backbone in genome order, for mask.json and the TUI. */
export async function describeModel(name: string, input: [number, number], channels: number, classes: number): Promise<ModelDescription> {
  try {
    if (typeof models.describeModel === 'function') {
      const d = await models.describeModel(name, { input: [...input, channels], inputShape: [...input, channels], classes });
      const layerNames: string[] = d.layerNames ?? d.layers?.map((l: any) => (typeof l === 'string' ? l : l.name));
      return { genomeLength: d.genomeLength ?? layerNames.length, layerNames };
    }
    if (typeof models.buildBackbone === 'function') {
      const m = models.buildBackbone(name, [...input, channels]);
      const layerNames: string[] = m.layers.map((l: { name: string }) => l.name);
      m.dispose?.();
      return { genomeLength: layerNames.length, layerNames };
    }
  } catch (cause) {
    throw new SearchSetupError('model', (cause as Error).message, { cause });
  }
  throw new SearchSetupError('model', '@slt/models exports neither describeModel() nor buildBackbone() yet');
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
  dataset: ImageDataset;
  /** How a worker can load the same data set itself. */
  datasetSpec: { path: string; kind?: string; input: [number, number]; seed: number };
}

/** Opens the evaluator pool of libs/models. */
export async function openEvaluator(setup: EvaluatorSetup): Promise<Evaluator> {
  const create = models.createEvaluatorPool;
  if (typeof create !== 'function') throw new SearchSetupError('model', '@slt/models does not export createEvaluatorPool() yet');
  let pool: any;
  try {
    pool = await create({
      model: setup.model,
      weights: setup.weights,
      input: setup.input,
      inputSize: setup.input,
      epochs: setup.epochs,
      batchSize: setup.batch,
      learningRate: setup.lr,
      seed: setup.seed,
      workers: setup.workers,
      backend: setup.backend === 'auto' ? undefined : setup.backend,
      dataset: setup.dataset,
      datasetSpec: setup.datasetSpec,
    });
  } catch (cause) {
    throw new SearchSetupError('model', (cause as Error).message, { cause });
  }
  return {
    evaluate: (mask, options) => pool.evaluate(mask, options) as Promise<EvaluationResult>,
    close: async () => {
      await (pool.close ?? pool.dispose)?.call(pool);
    },
  };
}

/** The backend doctor's report (JSON-able), if @slt/backend exports one. */
export async function backendDoctor(): Promise<unknown> {
  const fn = backend.doctor ?? backend.runDoctor;
  if (typeof fn !== 'function') return { error: '@slt/backend does not export doctor() yet' };
  return await fn();
}

/** Formats the backend doctor's report as text, if @slt/backend has a formatter. */
export function formatBackendDoctor(report: unknown): string | undefined {
  const fn = backend.formatDoctor ?? backend.formatDoctorReport;
  return typeof fn === 'function' ? String(fn(report)) : undefined;
}
