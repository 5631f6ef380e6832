/** Adapter over @slt/datasets. */
import path from 'node:path';
import { loadDataset, type DatasetKind } from '@slt/datasets';
import { SearchSetupError } from '../errors.js';
import type { ImageDataset } from './types.js';

/** What the runner asks of a data set. */
export interface DatasetSetup {
  path: string;
  kind?: string;
  input: [number, number];
  seed: number;
  /** Feature cache of audio sets (default `./.slt/cache/features`). */
  cacheDir?: string;
}

/** Loads a data set as typed arrays, images at the model's input size. */
export async function loadDatasetPort(setup: DatasetSetup): Promise<ImageDataset> {
  try {
    return await loadDataset({
      path: setup.path,
      ...(setup.kind ? { kind: setup.kind as DatasetKind } : {}),
      seed: setup.seed,
      imageSize: setup.input,
      cacheDir: setup.cacheDir ?? path.resolve('.slt', 'cache', 'features'),
    });
  } catch (cause) {
    throw new SearchSetupError('dataset', `${setup.path}: ${(cause as Error).message}`, { cause });
  }
}
