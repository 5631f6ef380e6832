/** Adapter over @slt/datasets. */
import * as datasetsLib from '@slt/datasets';
import { SearchSetupError } from '../errors.js';
import type { ImageDataset } from './types.js';

const datasets = datasetsLib as Record<string, any>;

/** What the runner asks of a data set. */
export interface DatasetSetup {
  path: string;
  kind?: string;
  input: [number, number];
  seed: number;
}

/** Loads a data set as typed arrays (images already at the model's input size). */
export async function loadDatasetPort(setup: DatasetSetup): Promise<ImageDataset> {
  const load = datasets.loadDataset;
  if (typeof load !== 'function') throw new SearchSetupError('dataset', '@slt/datasets does not export loadDataset() yet');
  try {
    return (await load(setup.path, {
      kind: setup.kind,
      seed: setup.seed,
      image: { height: setup.input[0], width: setup.input[1] },
      size: setup.input,
    })) as ImageDataset;
  } catch (cause) {
    throw new SearchSetupError('dataset', `${setup.path}: ${(cause as Error).message}`, { cause });
  }
}
