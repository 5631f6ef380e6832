/**
 * TensorFlow.js layers-format weights: `model.json` (its `weightsManifest`) + binary shards, read
 * from a local folder, or downloaded once into a cache folder (shards first, model.json last: its
 * presence marks a complete copy). Every shard group must hold exactly the bytes its manifest
 * entries need: a missing, short or longer shard is an error naming it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InvalidModelJsonError, MissingShardError, WeightsUnavailableError } from '../errors.js';
import { atomicWrite } from './cache.js';
import { type DownloadOptions, downloadFile } from './download.js';
import { DownloadError } from './errors.js';
import { type StoredWeight, type WeightSet, splitWeightName } from './weight-set.js';

interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a manifest entry takes in its shard group (quantised entries use their quantised dtype). */
function entryBytes(e: tf.io.WeightsManifestEntry, source: string): number {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const dtype = e.quantization?.dtype ?? e.dtype;
  const size = DTYPE_BYTES[dtype];
  if (size === undefined) throw new InvalidModelJsonError(source, `weight '${e.name}' has dtype '${dtype}', which cannot be read`);
  return n * size;
}

/** Parses a model.json's weightsManifest. */
export function parseModelJson(text: string, source: string): ManifestGroup[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidModelJsonError(source, 'not valid JSON', { cause });
  }
  const manifest = (json as { weightsManifest?: unknown })?.weightsManifest;
  const okEntry = (w: unknown): boolean => typeof (w as { name?: unknown })?.name === 'string' && Array.isArray((w as { shape?: unknown }).shape);
  if (!Array.isArray(manifest) || manifest.some((g) => !Array.isArray(g?.paths) || !Array.isArray(g?.weights) || !g.weights.every(okEntry))) {
    throw new InvalidModelJsonError(source, 'no weightsManifest (a list of {paths, weights: [{name, shape, dtype}]}) in it: is it a TensorFlow.js layers model?');
  }
  return manifest as ManifestGroup[];
}

/** Reads a local model.json and all its shards into a {@link WeightSet}. */
export async function readTfjs(jsonPath: string, source: string): Promise<WeightSet> {
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (cause) {
    throw new InvalidModelJsonError(source, `cannot read ${jsonPath}`, { cause });
  }
  const groups = parseModelJson(text, source);
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
    const need = group.weights.reduce((s, e) => s + entryBytes(e, source), 0);
    const have = buffers.reduce((s, b) => s + b.byteLength, 0);
    if (have !== need) {
      const what = have < need ? 'short' : 'longer than its manifest';
      throw new MissingShardError(source, group.paths.join(', '), `${dir}: ${have} bytes, the manifest's ${group.weights.length} weights need ${need} (${what})`);
    }
    decodeGroup(group, concat(buffers), source, layers);
  }
  return { source, layers, format: 'tfjs' };
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
    throw new MissingShardError(source, group.paths.join(', '), `shards that do not decode for their manifest entries (${group.weights.length} weights)`, { cause });
  }
  try {
    for (const spec of group.weights) {
      const t = named[spec.name]!;
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

/** True when `dir/model.json` parses and every shard it names exists. */
export async function tfjsComplete(jsonPath: string, source: string): Promise<boolean> {
  if (!existsSync(jsonPath)) return false;
  try {
    const groups = parseModelJson(await readFile(jsonPath, 'utf8'), source);
    return groups.flatMap((g) => g.paths).every((p) => existsSync(path.join(path.dirname(jsonPath), p)));
  } catch {
    return false;
  }
}

/**
 * Makes sure `dir` holds `url`'s model.json and all its shards (downloading what is missing with
 * {@link downloadFile}: resumable, retried); returns the local model.json.
 */
export async function ensureTfjsCached(url: string, dir: string, options: DownloadOptions & { refresh?: boolean } = {}): Promise<string> {
  const jsonPath = path.join(dir, 'model.json');
  if (!options.refresh && (await tfjsComplete(jsonPath, url))) return jsonPath;
  const doFetch = options.fetch ?? globalThis.fetch;
  let jsonBytes: Uint8Array;
  try {
    const res = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${url}`);
    jsonBytes = new Uint8Array(await res.arrayBuffer());
  } catch (cause) {
    throw new WeightsUnavailableError(url, dir, { cause });
  }
  const groups = parseModelJson(new TextDecoder().decode(jsonBytes), url);
  for (const shard of groups.flatMap((g) => g.paths)) {
    const target = path.join(dir, shard);
    if (!options.refresh && existsSync(target)) continue;
    const shardUrl = new URL(shard, url).toString();
    try {
      await downloadFile(shardUrl, target, { ...options, bytes: undefined, md5: undefined, sha256: undefined });
    } catch (cause) {
      if (cause instanceof DownloadError) throw new MissingShardError(url, shard, shardUrl, { cause });
      throw cause;
    }
  }
  await atomicWrite(jsonPath, jsonBytes);
  return jsonPath;
}
