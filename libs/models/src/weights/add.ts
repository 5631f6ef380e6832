/**
 * Adding a Keras `.h5` file to the weights cache by hand (offline): it is checked against the zoo
 * model it belongs to (named by the file, by `model`, or found by its layers and shapes), copied to
 * `<cacheDir>/<model>/<file name>` through a temp file and a rename, and recorded (size, sha256).
 */
import path from 'node:path';
import { copyFileAtomic } from '@slt/util';
import { WeightsError } from '../errors.js';
import { MODEL_NAMES } from '../zoo/table.js';
import { type CachedWeights, defaultCacheDir, recordFile, zooModelOfFile } from './cache.js';
import { checkWeights } from './check.js';
import { InvalidWeightsFileError } from './errors.js';

/** Options of {@link addWeightsFile}. */
export interface AddWeightsOptions {
  /** The zoo model the file belongs to (default: from its name, else found by its layers and shapes). */
  model?: string;
  /** The weights cache (default: `defaultCacheDir()`). */
  cacheDir?: string;
}

/** The zoo model whose backbone the file's weights fit, trying every model (first match). */
async function modelByContent(file: string, cacheDir: string): Promise<string | undefined> {
  for (const model of MODEL_NAMES) {
    try {
      await checkWeights(model, file, { offline: true, cacheDir });
      return model;
    } catch (err) {
      if (err instanceof InvalidWeightsFileError) throw err;
      if (!(err instanceof WeightsError)) throw err;
    }
  }
  return undefined;
}

/**
 * Checks `file` (a Keras `.h5`) and copies it into the cache.
 * @throws InvalidWeightsFileError naming the file when it is unreadable or fits no zoo model; the
 *         errors of `checkWeights` (shape, missing layer, NaN) when it does not fit `model`
 */
export async function addWeightsFile(file: string, options: AddWeightsOptions = {}): Promise<CachedWeights> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const abs = path.resolve(file);
  const model = options.model ?? zooModelOfFile(abs) ?? (await modelByContent(abs, cacheDir));
  if (!model) {
    throw new InvalidWeightsFileError(file, `its weights fit no zoo model (${MODEL_NAMES.join(', ')}): name the model (slt cache add FILE --model NAME) or check the file`);
  }
  const checked = await checkWeights(model, abs, { offline: true, cacheDir });
  const dest = path.join(cacheDir, model, path.basename(abs));
  if (path.resolve(dest) !== abs) {
    await copyFileAtomic(abs, dest, { mkdir: true, fsync: false });
  }
  const record = await recordFile(dest);
  return { model, format: checked.format, path: dest, bytes: record.bytes, sha256: record.sha256 };
}
