/**
 * Where weights come from: a zoo name (the cache first, then the zoo's official URLs in table
 * order), a Keras `.h5` path or URL, a TensorFlow.js folder / model.json path / URL, or a file://
 * URL. {@link resolveWeights} brings them onto local disk (downloads land in the cache, checked);
 * {@link loadWeights} also reads them into a {@link WeightSet}.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidModelJsonError, UnknownModelError, WeightsError, WeightsUnavailableError } from '../errors.js';
import { MODEL_INFO, MODEL_NAMES, getModelInfo } from '../zoo/table.js';
import { type WeightsFormat, cachedWeights, defaultCacheDir, isH5Name, recordFile, urlCacheName, urlFileName, verifyCachedFile } from './cache.js';
import { type DownloadOptions, downloadFile } from './download.js';
import { DownloadError, ModelWeightsUnavailableError } from './errors.js';
import { readKerasH5 } from './h5.js';
import { ensureTfjsCached, readTfjs, tfjsComplete } from './tfjs.js';
import type { WeightSet } from './weight-set.js';

/** Options of {@link loadWeights} and {@link resolveWeights}. */
export interface LoadWeightsOptions {
  /**
   * Directory holding one cached folder per model (`<cacheDir>/<name>/`).
   * Default: `$SLT_CACHE_DIR/models` if the variable is set, else `~/.cache/slt/models`.
   */
  cacheDir?: string;
  /** Name of the cache folder for a URL source (default: the zoo name, else `<url name>-<hash>`). */
  cacheName?: string;
  /** Download even if a complete cached copy exists (default false). */
  refresh?: boolean;
  /** Never download: the cache and local files only (default false). */
  offline?: boolean;
  /** Per-request idle timeout of a download, ms (default 30000). */
  timeoutMs?: number;
  /** Retries of a failed download, resuming with HTTP Range (default 3). */
  retries?: number;
  /** Pause before the first retry, ms (doubled each time; default 500). */
  retryDelayMs?: number;
  /** Called as download bytes arrive. */
  onProgress?: DownloadOptions['onProgress'];
  /** `fetch` to use for http(s) (default: the global fetch). */
  fetch?: typeof fetch;
}

/** Weights brought onto local disk by {@link resolveWeights}. */
export interface ResolvedWeights {
  /** Their format. */
  format: WeightsFormat;
  /** The local `.h5` file or `model.json`: pass it on as a weights spec (nothing is fetched again). */
  path: string;
  /** What was asked for (path, URL or zoo name). */
  source: string;
  /** The URL they came from, when downloaded (now or when cached). */
  url?: string;
  /** True when the cache already held them. */
  fromCache: boolean;
}

const isHttp = (s: string): boolean => /^https?:\/\//i.test(s);

function downloadOptions(o: LoadWeightsOptions): DownloadOptions {
  return { timeoutMs: o.timeoutMs, retries: o.retries, retryDelayMs: o.retryDelayMs, onProgress: o.onProgress, fetch: o.fetch };
}

/** Downloads an `.h5` URL into `<cacheDir>/<name>/<file name>` (unless cached and intact). */
async function fetchH5(url: string, name: string, o: LoadWeightsOptions, md5?: string): Promise<ResolvedWeights> {
  const file = path.join(o.cacheDir ?? defaultCacheDir(), name, urlFileName(url));
  if (!o.refresh && existsSync(file)) {
    await verifyCachedFile(file);
    return { format: 'keras-h5', path: file, source: url, url, fromCache: true };
  }
  if (o.offline) throw new WeightsUnavailableError(url, path.dirname(file));
  const got = await downloadFile(url, file, { ...downloadOptions(o), md5 });
  await recordFile(file, url, got);
  return { format: 'keras-h5', path: file, source: url, url, fromCache: false };
}

/** The cache first, then each official URL of the zoo model in table order. */
async function resolveZoo(model: string, o: LoadWeightsOptions): Promise<ResolvedWeights> {
  const info = getModelInfo(model);
  const cacheDir = o.cacheDir ?? defaultCacheDir();
  if (!o.refresh) {
    const [hit] = cachedWeights(model, cacheDir);
    if (hit) {
      const record = hit.format === 'keras-h5' ? await verifyCachedFile(hit.path) : undefined;
      return { format: hit.format, path: hit.path, source: model, ...(record?.url ? { url: record.url } : {}), fromCache: true };
    }
  }
  const attempts: { url: string; reason: string }[] = [];
  if (!o.offline) {
    for (const f of info.weightsFiles) {
      try {
        if (f.format === 'keras-h5') return { ...(await fetchH5(f.url, model, o, f.md5)), source: model };
        const json = await ensureTfjsCached(f.url, path.join(cacheDir, model), { ...downloadOptions(o), refresh: o.refresh });
        return { format: 'tfjs', path: json, source: model, url: f.url, fromCache: false };
      } catch (err) {
        if (!(err instanceof WeightsError)) throw err;
        attempts.push({ url: f.url, reason: err instanceof DownloadError ? err.reason : err.message });
      }
    }
  }
  throw new ModelWeightsUnavailableError(model, cacheDir, attempts, info.weightsFiles.map((f) => f.url));
}

/** A local folder: its model.json, else its only `.h5` file. */
function localFolder(dir: string, source: string): ResolvedWeights {
  const json = path.join(dir, 'model.json');
  if (existsSync(json)) return { format: 'tfjs', path: json, source, fromCache: false };
  const h5 = readdirSync(dir).filter(isH5Name);
  if (h5.length === 1) return { format: 'keras-h5', path: path.join(dir, h5[0]!), source, fromCache: false };
  throw new InvalidModelJsonError(
    source,
    h5.length > 1 ? `the folder holds several .h5 files (${h5.join(', ')}): name one` : 'the folder has no model.json and no .h5 file',
  );
}

/**
 * Brings weights onto local disk (see the module comment) without reading them.
 * @throws UnknownModelError for a bare word that is no zoo name; ModelWeightsUnavailableError when
 *         neither the cache nor any official URL has a zoo model's weights; DownloadError,
 *         InvalidModelJsonError, InvalidWeightsFileError naming the file or URL
 */
export async function resolveWeights(source: string, options: LoadWeightsOptions = {}): Promise<ResolvedWeights> {
  if (Object.prototype.hasOwnProperty.call(MODEL_INFO, source)) return resolveZoo(source, options);
  if (isHttp(source)) {
    const name = options.cacheName ?? urlCacheName(source);
    if (isH5Name(new URL(source).pathname)) return fetchH5(source, name, options);
    const dir = path.join(options.cacheDir ?? defaultCacheDir(), name);
    if (options.offline && !(await tfjsComplete(path.join(dir, 'model.json'), source))) throw new WeightsUnavailableError(source, dir);
    const json = await ensureTfjsCached(source, dir, { ...downloadOptions(options), refresh: options.refresh });
    return { format: 'tfjs', path: json, source, url: source, fromCache: false };
  }
  const local = source.startsWith('file://') ? fileURLToPath(source) : source;
  if (!existsSync(local)) {
    // A bare word is meant as a zoo name: say which names exist.
    if (!/[\\/.]/.test(source)) throw new UnknownModelError(source, MODEL_NAMES);
    throw new InvalidModelJsonError(source, 'no such file or directory (expected a Keras .h5 file, a folder with model.json, a model.json path, a file:// or http(s):// URL, or a zoo name)');
  }
  if (statSync(local).isDirectory()) return localFolder(local, source);
  if (path.basename(local) === 'model.json' || /\.json$/i.test(local)) return { format: 'tfjs', path: local, source, fromCache: false };
  return { format: 'keras-h5', path: local, source, fromCache: false };
}

/** Reads resolved weights into a {@link WeightSet} (errors name the `.h5` file, or the tfjs source given). */
export async function readResolved(r: ResolvedWeights): Promise<WeightSet> {
  if (r.format === 'keras-h5') return readKerasH5(r.path);
  return readTfjs(r.path, Object.prototype.hasOwnProperty.call(MODEL_INFO, r.source) ? r.path : r.source);
}

/**
 * Loads pretrained weights: `source` is a zoo name (the cache first, then its official URLs), a
 * Keras `.h5` path or URL, a directory with `model.json` (or one `.h5`), a path to a
 * `model.json`, a `file://` URL or an `http(s)://` URL of a `model.json`.
 */
export async function loadWeights(source: string, options: LoadWeightsOptions = {}): Promise<WeightSet> {
  return readResolved(await resolveWeights(source, options));
}
