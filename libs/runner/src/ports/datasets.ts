/** Adapter over @slt/datasets. */
import path from 'node:path';
import { FEATURE_PRESET_NAMES, FEATURE_PRESETS, loadDataset, type DatasetAudioOptions, type DatasetKind } from '@slt/datasets';
import { SearchSetupError } from '../errors.js';
import type { ImageDataset } from './types.js';

export { FEATURE_PRESET_NAMES, FEATURE_PRESETS };

/** What the runner asks of a data set. */
export interface DatasetSetup {
  path: string;
  kind?: string;
  /** Model input [height, width]: every image is made (or resized) to it. */
  input: [number, number];
  seed: number;
  /** Image channels (default: the data set's). */
  channels?: 1 | 3;
  /** Audio feature options (audio sets only; ignored for images). */
  audio?: DatasetAudioOptions;
  /** Split size limits: N examples or a fraction in (0, 1). */
  trainLimit?: number;
  valLimit?: number;
  testLimit?: number;
  /** Leave out unreadable files (listed in the data set's `split.skipped`) instead of failing. */
  skipUnreadable?: boolean;
  /** Feature cache of audio sets (default `./.slt/cache/features`). */
  cacheDir?: string;
}

/** The data settings of a search config (structural: the runner's SearchConfig fits). */
export interface DataSettings {
  data: string;
  dataKind?: string;
  input: [number, number];
  seed: number;
  sampleRate?: number | 'native';
  duration?: number;
  pad?: 'zero' | 'repeat';
  trim?: boolean;
  nFft?: number;
  hop?: number;
  nMels?: number;
  channels?: 1 | 3;
  trainLimit?: number;
  valLimit?: number;
  testLimit?: number;
  skipUnreadable?: boolean;
}

/** The data set request of a config: path, layout, input size, channels, audio options and limits. */
export function datasetSetupOf(c: DataSettings): DatasetSetup {
  const audio: DatasetAudioOptions = {};
  if (c.sampleRate !== undefined) audio.sampleRate = c.sampleRate;
  if (c.duration !== undefined) audio.durationSeconds = c.duration;
  if (c.pad !== undefined) audio.pad = c.pad;
  if (c.trim !== undefined) audio.trimSilence = c.trim;
  if (c.nFft !== undefined) audio.nFft = c.nFft;
  if (c.hop !== undefined) audio.hopLength = c.hop;
  if (c.nMels !== undefined) audio.nMels = c.nMels;
  return {
    path: c.data,
    ...(c.dataKind ? { kind: c.dataKind } : {}),
    input: c.input,
    seed: c.seed,
    ...(c.channels !== undefined ? { channels: c.channels } : {}),
    ...(Object.keys(audio).length > 0 ? { audio } : {}),
    ...(c.trainLimit !== undefined ? { trainLimit: c.trainLimit } : {}),
    ...(c.valLimit !== undefined ? { valLimit: c.valLimit } : {}),
    ...(c.testLimit !== undefined ? { testLimit: c.testLimit } : {}),
    ...(c.skipUnreadable ? { skipUnreadable: true } : {}),
  };
}

/**
 * Loads a data set as typed arrays, images at the model's input size (audio feature images are
 * resized bilinearly when `input` differs from their native [n_mels, frames]; `settings` says so).
 */
export async function loadDatasetPort(setup: DatasetSetup): Promise<ImageDataset> {
  try {
    return await loadDataset({
      path: setup.path,
      ...(setup.kind ? { kind: setup.kind as DatasetKind } : {}),
      seed: setup.seed,
      imageSize: setup.input,
      ...(setup.channels !== undefined ? { channels: setup.channels } : {}),
      ...(setup.audio ? { audio: setup.audio } : {}),
      trainLimit: setup.trainLimit,
      valLimit: setup.valLimit,
      testLimit: setup.testLimit,
      skipUnreadable: setup.skipUnreadable === true,
      cacheDir: setup.cacheDir ?? path.resolve('.slt', 'cache', 'features'),
    });
  } catch (cause) {
    throw new SearchSetupError('dataset', `${setup.path}: ${(cause as Error).message}`, { cause });
  }
}

/** A warning naming the files a data set load left out (`skipUnreadable`), or none. */
export function datasetWarnings(dataset: ImageDataset): string[] {
  const skipped = (dataset.split as { skipped?: { item: string; error: string }[] }).skipped ?? [];
  if (skipped.length === 0) return [];
  const shown = skipped.slice(0, 10).map((s) => `${s.item} (${s.error})`).join('; ');
  return [`data: skipped ${skipped.length} unreadable file(s) of ${dataset.name}: ${shown}${skipped.length > 10 ? `; and ${skipped.length - 10} more` : ''}`];
}
