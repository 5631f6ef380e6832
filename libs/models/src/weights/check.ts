/**
 * Preflight of a model's weights: resolve (downloading into the cache if needed), read, match every
 * weight of the backbone by layer name with shapes checked, and reject NaN/Inf, without training and
 * without writing anything but the cache. Callers run it before they create a search folder.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeBackbone } from '../task/genome-info.js';
import { getModelInfo } from '../zoo/table.js';
import { NonFiniteWeightError } from './errors.js';
import { type LoadWeightsOptions, readResolved, resolveWeights } from './load.js';
import { type WeightsFormat, readRecord } from './cache.js';
import { hashFile } from './download.js';
import { type WeightSet, matchWeights } from './weight-set.js';

/** Options of {@link checkWeights}: those of `loadWeights` (cache folder, offline, timeout, retries, progress). */
export type CheckWeightsOptions = LoadWeightsOptions;

/** What {@link checkWeights} found. */
export interface CheckedWeights {
  /** The zoo name. */
  model: string;
  /** The weights' format. */
  format: WeightsFormat;
  /** Local `.h5` file or `model.json`: pass it on as the weights spec (workers read it, fetch nothing). */
  spec: string;
  /** What was resolved: the path or URL given, or the zoo name. */
  source: string;
  /** The URL they were downloaded from, if any. */
  url?: string;
  /** True when the cache already held them. */
  fromCache: boolean;
  /** sha256 (hex) of the `.h5` file, or of model.json followed by its shards in manifest order (tfjs). */
  sha256: string;
  /** Backbone layers that receive weights. */
  layers: number;
  /** Number of weight values written into the backbone. */
  values: number;
  /** Layers of the file that the backbone does not have (a top, e.g. `conv_preds`), ignored. */
  ignoredLayers: string[];
}

/**
 * sha256 (hex) of weights on disk: an `.h5` file (its cache record when it has one, checked by
 * `resolveWeights`), or a tfjs `model.json` followed by its shards in manifest order.
 */
export async function weightsSha256(file: string): Promise<string> {
  if (!/\.json$/i.test(file)) {
    let record;
    try {
      record = readRecord(file);
    } catch {
      record = undefined;
    }
    return record?.sha256 ?? (await hashFile(file)).sha256;
  }
  const h = createHash('sha256');
  const bytes = await readFile(file);
  h.update(bytes);
  const manifest = (JSON.parse(bytes.toString('utf8')) as { weightsManifest?: { paths?: string[] }[] }).weightsManifest ?? [];
  for (const group of manifest) for (const p of group.paths ?? []) h.update(await readFile(path.join(path.dirname(file), p)));
  return h.digest('hex');
}

/** Throws {@link NonFiniteWeightError} on the first weight holding NaN or Inf. */
export function checkFinite(ws: WeightSet, layers?: ReadonlySet<string>): void {
  for (const [layer, list] of ws.layers) {
    if (layers && !layers.has(layer)) continue;
    for (const w of list) {
      let count = 0;
      let first = -1;
      const v = w.values;
      for (let i = 0; i < v.length; i++) {
        if (!Number.isFinite(v[i]!)) {
          if (first < 0) first = i;
          count++;
        }
      }
      if (count > 0) throw new NonFiniteWeightError(ws.source, layer, w.name, count, first);
    }
  }
}

/**
 * Resolves and fully validates the pretrained weights of zoo model `model`.
 * @param model zoo name (see MODEL_NAMES)
 * @param weights a Keras `.h5` path or URL, a tfjs folder / model.json / URL; default: the zoo's
 *        (the cache first, then the official URLs)
 * @throws a WeightsError subclass naming the file/URL, layer, weight and shapes; when the weights
 *         cannot be had, the message says how to get them (`slt cache add FILE`, the official URL)
 */
export async function checkWeights(model: string, weights?: string, options: CheckWeightsOptions = {}): Promise<CheckedWeights> {
  const info = getModelInfo(model);
  const resolved = await resolveWeights(weights ?? model, options);
  const ws = await readResolved(resolved);
  // The backbone's weight names and shapes, from its description (built once per process).
  const layers = describeBackbone(info.name).layers;
  const plan = matchWeights(layers, ws);
  const used = new Set(layers.map((l) => l.name));
  const matched = new Set(plan.map(([, s]) => s));
  const matchedLayers = new Set([...ws.layers].filter(([, list]) => list.some((w) => matched.has(w))).map(([k]) => k));
  checkFinite(ws, matchedLayers);
  const ignoredLayers = [...ws.layers.keys()].filter((k) => !matchedLayers.has(k));
  return {
    model,
    format: resolved.format,
    spec: resolved.path,
    source: weights ?? model,
    ...(resolved.url ? { url: resolved.url } : {}),
    fromCache: resolved.fromCache,
    sha256: await weightsSha256(resolved.path),
    layers: used.size,
    values: plan.reduce((s, [, w]) => s + w.values.length, 0),
    ignoredLayers,
  };
}
