/**
 * The weights cache: `<cacheDir>/<zoo name>/` holds a model's Keras `.h5` file(s) (each with a
 * `<file>.json` record of its URL, size, sha256 and md5, written the first time and checked on
 * every later use) and/or a TensorFlow.js folder (`model.json` + shards). Weights of a URL that is
 * not a zoo model's go to `<cacheDir>/<url name>-<hash>/`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '@slt/util';
import { z } from 'zod';
import { MODEL_INFO, MODEL_NAMES } from '../zoo/table.js';
import { hashFile } from './download.js';
import { InvalidWeightsFileError } from './errors.js';

/** The default cache directory: `$SLT_CACHE_DIR/models` if the variable is set, else `~/.cache/slt/models`. */
export function defaultCacheDir(): string {
  const root = process.env.SLT_CACHE_DIR;
  return root ? path.join(root, 'models') : path.join(os.homedir(), '.cache', 'slt', 'models');
}

/** Weights formats the models lib reads. */
export type WeightsFormat = 'keras-h5' | 'tfjs';

/** One set of weights held by the cache. */
export interface CachedWeights {
  /** Zoo name (the cache folder's name). */
  model: string;
  /** Its format. */
  format: WeightsFormat;
  /** The `.h5` file, or the tfjs folder's `model.json`. */
  path: string;
  /** Bytes on disk (all shards for tfjs). */
  bytes: number;
  /** The URL it was downloaded from, if recorded. */
  url?: string;
  /** Recorded sha256 of an `.h5` file. */
  sha256?: string;
}

const FileRecord = z.object({
  file: z.string(),
  url: z.string().optional(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  recorded: z.string(),
});
/** The record beside a cached file (`<file>.json`). */
export type FileRecord = z.infer<typeof FileRecord>;

/** True for a Keras HDF5 weights file name (`.h5` / `.hdf5`). */
export function isH5Name(name: string): boolean {
  return /\.(h5|hdf5)$/i.test(name);
}

/** Writes `bytes` to `file` through a temp file in the same folder and a rename (@slt/util), creating the folder. */
export async function atomicWrite(file: string, bytes: Uint8Array | string): Promise<void> {
  await writeFileAtomic(file, bytes, { mkdir: true, fsync: false });
}

/** Records size and hashes of a cached file in `<file>.json` (the first time it is cached). */
export async function recordFile(file: string, url?: string, hashes?: { sha256: string; md5: string; bytes: number }): Promise<FileRecord> {
  const h = hashes ?? (await hashFile(file));
  const record: FileRecord = { file: path.basename(file), ...(url ? { url } : {}), bytes: h.bytes, sha256: h.sha256, md5: h.md5, recorded: new Date().toISOString() };
  await atomicWrite(`${file}.json`, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** The record of a cached file, or undefined when it has none (a bad record is an error). */
export function readRecord(file: string): FileRecord | undefined {
  const p = `${file}.json`;
  if (!existsSync(p)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(p, 'utf8'));
  } catch (cause) {
    throw new InvalidWeightsFileError(p, 'the cache record is not valid JSON: delete it and the file, then fetch or add the weights again', { cause });
  }
  const parsed = FileRecord.safeParse(json);
  if (!parsed.success) throw new InvalidWeightsFileError(p, `the cache record is malformed (${parsed.error.issues[0]?.message}): delete it and the file, then add them again`);
  return parsed.data;
}

/**
 * Checks a cached file against its record (size, then sha256); records it when it has none yet.
 * @throws InvalidWeightsFileError naming the file when it changed since it was cached
 */
export async function verifyCachedFile(file: string): Promise<FileRecord> {
  const record = readRecord(file);
  if (!record) return recordFile(file);
  const size = statSync(file).size;
  const again = `delete ${file} and its .json record, then fetch it again or run 'slt cache add FILE'`;
  if (size !== record.bytes) throw new InvalidWeightsFileError(file, `${size} bytes, but ${record.bytes} were recorded when it was cached (truncated or replaced): ${again}`);
  const h = await hashFile(file);
  if (h.sha256 !== record.sha256) throw new InvalidWeightsFileError(file, `sha256 ${h.sha256} differs from the ${record.sha256} recorded when it was cached (the file changed): ${again}`);
  return record;
}

/** The official file name of a URL (its last path segment). */
export function urlFileName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.split('/').pop() || 'weights');
}

/** Cache folder name of a URL that belongs to no zoo model: `<last folder or file>-<hash>`. */
export function urlCacheName(url: string): string {
  const base = url.replace(/\/model\.json$/i, '').replace(/\.(h5|hdf5)$/i, '').split('/').pop() || 'weights';
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 10);
  return `${base.replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}`;
}

/** The zoo model whose official weights file (or tfjs folder) has this name, if any. */
export function zooModelOfFile(name: string): string | undefined {
  const base = path.basename(name);
  for (const model of MODEL_NAMES) {
    if (base === model) return model;
    for (const f of MODEL_INFO[model].weightsFiles) {
      const official = f.format === 'tfjs' ? f.url.replace(/\/model\.json$/i, '').split('/').pop() : urlFileName(f.url);
      if (base === official) return model;
    }
  }
  return undefined;
}

function tfjsComplete(jsonPath: string): number | undefined {
  try {
    const manifest = (JSON.parse(readFileSync(jsonPath, 'utf8')) as { weightsManifest?: { paths: string[] }[] }).weightsManifest;
    if (!Array.isArray(manifest)) return undefined;
    let bytes = statSync(jsonPath).size;
    for (const p of manifest.flatMap((g) => g.paths)) {
      const shard = path.join(path.dirname(jsonPath), p);
      if (!existsSync(shard)) return undefined;
      bytes += statSync(shard).size;
    }
    return bytes;
  } catch {
    return undefined;
  }
}

/**
 * What the cache holds for zoo model `model`, in the order it is used: `.h5` files first (the
 * official file name before others), then a complete tfjs folder. Nothing is hashed here.
 */
export function cachedWeights(model: string, cacheDir = defaultCacheDir()): CachedWeights[] {
  const dir = path.join(cacheDir, model);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const official = new Set((MODEL_INFO[model]?.weightsFiles ?? []).filter((f) => f.format === 'keras-h5').map((f) => urlFileName(f.url)));
  const out: CachedWeights[] = [];
  const h5 = readdirSync(dir)
    .filter((n) => isH5Name(n) && statSync(path.join(dir, n)).isFile())
    .sort((a, b) => Number(official.has(b)) - Number(official.has(a)) || a.localeCompare(b));
  for (const name of h5) {
    const file = path.join(dir, name);
    let record: FileRecord | undefined;
    try {
      record = readRecord(file);
    } catch {
      record = undefined;
    }
    out.push({ model, format: 'keras-h5', path: file, bytes: statSync(file).size, ...(record?.url ? { url: record.url } : {}), ...(record ? { sha256: record.sha256 } : {}) });
  }
  const json = path.join(dir, 'model.json');
  const bytes = existsSync(json) ? tfjsComplete(json) : undefined;
  if (bytes !== undefined) out.push({ model, format: 'tfjs', path: json, bytes });
  return out;
}

