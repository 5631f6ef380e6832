/**
 * Reads TensorFlow.js layers-format weights (model.json + binary shards) from a directory, a
 * model.json path, a file:// URL or an http(s):// URL (downloaded once into a local cache) into a
 * {@link WeightSet} of plain typed arrays.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  InvalidModelJsonError,
  MissingShardError,
  NoWeightsUrlError,
  UnknownModelError,
  WeightsUnavailableError,
} from '../errors.js';
import { MODEL_INFO, MODEL_NAMES, getModelInfo } from '../zoo/table.js';
import { type StoredWeight, type WeightSet, splitWeightName } from './weight-set.js';

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions {
  /**
   * Directory holding one cached folder per model (`<cacheDir>/<name>/model.json + shards`).
   * Default: `$SLT_CACHE_DIR/models` if the variable is set, else `~/.cache/slt/models`.
   */
  cacheDir?: string;
  /** Name of the cache folder for a URL source (default: the zoo name, else a hash of the URL). */
  cacheName?: string;
  /** Download even if a complete cached copy exists (default false). */
  refresh?: boolean;
  /** `fetch` to use for http(s) (default: the global fetch). */
  fetch?: typeof fetch;
}

interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** The default cache directory (see {@link LoadWeightsOptions.cacheDir}). */
export function defaultCacheDir(): string {
  const root = process.env.SLT_CACHE_DIR;
  return root ? path.join(root, 'models') : path.join(os.homedir(), '.cache', 'slt', 'models');
}

/** True when `s` looks like a URL with a scheme we read (http, https, file). */
function isUrl(s: string): boolean {
  return /^(https?|file):\/\//i.test(s);
}

/**
 * Loads pretrained weights. `source` is a zoo name (its official URL; throws
 * {@link NoWeightsUrlError} when it has none), a directory with `model.json`, a path to a
 * `model.json`, a `file://` URL or an `http(s)://` URL of a `model.json`.
 */
export async function loadWeights(source: string, options: LoadWeightsOptions = {}): Promise<WeightSet> {
  let cacheName = options.cacheName;
  if (Object.prototype.hasOwnProperty.call(MODEL_INFO, source)) {
    const info = getModelInfo(source);
    if (!info.weightsUrl) throw new NoWeightsUrlError(source);
    cacheName ??= info.name;
    source = info.weightsUrl;
  }
  if (/^https?:\/\//i.test(source)) {
    const dir = await ensureCached(source, cacheName ?? urlCacheName(source), options);
    return readLocal(path.join(dir, 'model.json'), source);
  }
  const local = source.startsWith('file://') ? fileURLToPath(source) : source;
  if (!isUrl(source) && !existsSync(local)) {
    // A bare word is meant as a zoo name: say which names exist.
    if (!/[\\/.]/.test(source)) throw new UnknownModelError(source, MODEL_NAMES);
    throw new InvalidModelJsonError(source, 'no such file or directory (expected a directory with model.json, a model.json path, a file:// or http(s):// URL, or a zoo name)');
  }
  let jsonPath = local;
  try {
    if ((await stat(local)).isDirectory()) jsonPath = path.join(local, 'model.json');
  } catch (cause) {
    throw new InvalidModelJsonError(source, 'cannot be read', { cause });
  }
  return readLocal(jsonPath, source);
}

function urlCacheName(url: string): string {
  const base = url.replace(/\/model\.json$/i, '').split('/').pop() || 'model';
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 10);
  return `${base.replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}`;
}

async function parseModelJson(text: string, source: string): Promise<ManifestGroup[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidModelJsonError(source, 'not valid JSON', { cause });
  }
  const manifest = (json as { weightsManifest?: unknown })?.weightsManifest;
  if (!Array.isArray(manifest) || manifest.some((g) => !Array.isArray(g?.paths) || !Array.isArray(g?.weights))) {
    throw new InvalidModelJsonError(source, 'no weightsManifest (a list of {paths, weights}) in it: is it a TensorFlow.js layers model?');
  }
  return manifest as ManifestGroup[];
}

async function readLocal(jsonPath: string, source: string): Promise<WeightSet> {
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (cause) {
    throw new InvalidModelJsonError(source, `cannot read ${jsonPath}`, { cause });
  }
  const groups = await parseModelJson(text, source);
  const dir = path.dirname(jsonPath);
  const layers = new Map<string, StoredWeight[]>();
  for (const group of groups) {
    const buffers: Uint8Array[] = [];
    for (const shard of group.paths) {
      const file = path.join(dir, shard);
      try {
        buffers.push(await readFile(file));
      } catch (cause) {
        throw new MissingShardError(source, shard, file, { cause });
      }
    }
    decodeGroup(group, concat(buffers), source, layers);
  }
  return { source, layers };
}

function concat(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out.buffer;
}

function decodeGroup(group: ManifestGroup, buffer: ArrayBuffer, source: string, into: Map<string, StoredWeight[]>): void {
  let named: tf.NamedTensorMap;
  try {
    named = tf.io.decodeWeights(buffer, group.weights);
  } catch (cause) {
    const shard = group.paths.join(', ');
    throw new MissingShardError(source, shard, `shards too short for their manifest entries (${group.weights.length} weights)`, { cause });
  }
  try {
    for (const spec of group.weights) {
      const t = named[spec.name];
      const [layer, weight] = splitWeightName(spec.name);
      const values = t.dtype === 'float32' ? (t.dataSync() as Float32Array).slice() : Float32Array.from(t.dataSync() as ArrayLike<number>);
      const list = into.get(layer) ?? [];
      list.push({ name: weight, shape: [...t.shape], values });
      into.set(layer, list);
    }
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** Makes sure `<cacheDir>/<name>/` holds model.json and all its shards; downloads what is missing. */
async function ensureCached(url: string, name: string, options: LoadWeightsOptions): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const dir = path.join(cacheDir, name);
  const jsonPath = path.join(dir, 'model.json');
  if (!options.refresh && (await isComplete(jsonPath, url))) return dir;
  const doFetch = options.fetch ?? globalThis.fetch;
  const get = async (u: string): Promise<Uint8Array> => {
    const res = await doFetch(u);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${u}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  let jsonBytes: Uint8Array;
  try {
    jsonBytes = await get(url);
  } catch (cause) {
    throw new WeightsUnavailableError(url, dir, { cause });
  }
  const groups = await parseModelJson(new TextDecoder().decode(jsonBytes), url);
  await mkdir(dir, { recursive: true });
  for (const shard of groups.flatMap((g) => g.paths)) {
    const target = path.join(dir, shard);
    if (!options.refresh && existsSync(target)) continue;
    const shardUrl = new URL(shard, url).toString();
    let bytes: Uint8Array;
    try {
      bytes = await get(shardUrl);
    } catch (cause) {
      throw new MissingShardError(url, shard, shardUrl, { cause });
    }
    await atomicWrite(target, bytes);
  }
  // model.json last: its presence marks a complete copy.
  await atomicWrite(jsonPath, jsonBytes);
  return dir;
}

async function isComplete(jsonPath: string, source: string): Promise<boolean> {
  if (!existsSync(jsonPath)) return false;
  try {
    const groups = await parseModelJson(await readFile(jsonPath, 'utf8'), source);
    return groups.flatMap((g) => g.paths).every((p) => existsSync(path.join(path.dirname(jsonPath), p)));
  } catch {
    return false;
  }
}

async function atomicWrite(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
