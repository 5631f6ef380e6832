/**
 * Errors of reading, downloading and checking weights that the base list in `../errors.ts` lacks.
 * All extend {@link WeightsError} (so `ModelsError`), carry their context and the `cause`.
 */
import { WeightsError } from '../errors.js';

/** A weights file (Keras HDF5) that is missing, truncated, corrupt or not in the Keras layout. */
export class InvalidWeightsFileError extends WeightsError {
  constructor(
    /** The file's path (or the URL it came from). */
    readonly file: string,
    /** What is wrong. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`bad weights file ${file}: ${reason}`, file, options);
  }
}

/** A weight holding NaN or Inf values (a model trained from it would be at chance). */
export class NonFiniteWeightError extends WeightsError {
  constructor(
    source: string,
    /** The layer's name. */
    readonly layer: string,
    /** The weight's short name. */
    readonly weight: string,
    /** How many values are NaN or +-Inf. */
    readonly count: number,
    /** Flat index of the first one. */
    readonly firstIndex: number,
  ) {
    super(`weight ${layer}/${weight} in ${source} has ${count} NaN or Inf value(s) (first at flat index ${firstIndex}): the file is corrupt`, source);
  }
}

/** A download that failed for good (after the retries), or whose bytes failed a check. */
export class DownloadError extends WeightsError {
  constructor(
    /** The URL. */
    readonly url: string,
    /** What went wrong. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`download of ${url} failed: ${reason}`, url, options);
  }
}

/** None of the places a zoo model's weights may come from had them (cache empty, downloads failed). */
export class ModelWeightsUnavailableError extends WeightsError {
  constructor(
    /** The zoo name. */
    readonly model: string,
    /** The cache folder looked at. */
    readonly cacheDir: string,
    /** Each URL tried and why it failed. */
    readonly attempts: readonly { url: string; reason: string }[],
    /** The official URLs (what to download by hand). */
    readonly urls: readonly string[],
    options?: { cause?: unknown },
  ) {
    const tried = attempts.length ? ` Tried: ${attempts.map((a) => `${a.url} (${a.reason})`).join('; ')}.` : '';
    const get = urls.length
      ? ` Get them: download ${urls[0]} and run 'slt cache add FILE' (works offline), or pass --weights FILE.h5|URL.`
      : " This model has no official weights URL: pass --weights FILE.h5|DIR|URL, or 'slt cache add FILE.h5'.";
    super(`no weights for model '${model}' in the cache ${cacheDir}.${tried}${get}`, model, options);
  }
}
