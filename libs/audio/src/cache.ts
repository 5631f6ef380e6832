/**
 * On-disk feature cache. An entry is keyed by sha256(file content) + the resolved feature options
 * + a format version, so a second pass over the same files decodes nothing, and a changed file or
 * option is a miss. Entries are written atomically (temp file + rename); a damaged entry is a miss.
 *
 * Entry layout: 'SLTF' | u32 LE header length | JSON header | zero pad to 4 | float32 LE data.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@slt/util';
import { FeatureCacheError } from './errors.js';
import type { FeatureMatrix, ResolvedFeatureOptions } from './features.js';

const MAGIC = 'SLTF';
const LITTLE_ENDIAN = endianness() === 'LE';
/** Bump when the pipeline's numbers change, so old entries stop matching. */
const PIPELINE_VERSION = 1;

/** Counters of one {@link FeatureCache} instance. */
export interface FeatureCacheStats {
  /** Lookups answered from disk. */
  hits: number;
  /** Lookups not found (or damaged). */
  misses: number;
  /** Entries written. */
  writes: number;
}

function canonical(o: ResolvedFeatureOptions): string {
  const keys = Object.keys(o).sort() as (keyof ResolvedFeatureOptions)[];
  return JSON.stringify(keys.map((k) => [k, o[k]]));
}

/** A folder of cached feature matrices. */
export class FeatureCache {
  /** The cache folder. */
  readonly dir: string;
  /** Hit / miss / write counters since construction. */
  readonly stats: FeatureCacheStats = { hits: 0, misses: 0, writes: 0 };
  private ready: Promise<void> | undefined;
  private readonly shards = new Set<string>();

  /** @param dir the cache folder (created on first write). */
  constructor(dir: string) {
    if (typeof dir !== 'string' || dir.length === 0) throw new FeatureCacheError(String(dir), 'cache folder must be a non-empty path');
    this.dir = dir;
  }

  /** The entry key for a file's bytes and resolved options (hex sha256). */
  keyFor(content: Uint8Array, options: ResolvedFeatureOptions): string {
    const contentHash = createHash('sha256').update(content).digest('hex');
    return createHash('sha256').update(`v${PIPELINE_VERSION}|${contentHash}|${canonical(options)}`).digest('hex');
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new FeatureCacheError(this.dir, `invalid key '${key}' (64 hex digits expected)`);
    return join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  /** The cached matrix for `key`, or undefined (missing or damaged). */
  async get(key: string): Promise<FeatureMatrix | undefined> {
    const path = this.pathOf(key);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.stats.misses++;
        return undefined;
      }
      throw new FeatureCacheError(path, `cannot read entry (${(err as NodeJS.ErrnoException).code})`, { cause: err });
    }
    const m = decodeEntry(buf);
    if (!m) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return m;
  }

  /** Stores `m` under `key` atomically (re-creating the folder if it was removed meanwhile). */
  async set(key: string, m: FeatureMatrix): Promise<void> {
    const path = this.pathOf(key);
    const bytes = encodeEntry(m);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.write(key, path, bytes);
        break;
      } catch (err) {
        this.ready = undefined;
        this.shards.clear();
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && attempt === 0) continue;
        throw new FeatureCacheError(path, `cannot write entry (${code ?? String(err)})`, { cause: err });
      }
    }
    this.stats.writes++;
  }

  private async write(key: string, path: string, bytes: Uint8Array): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.ready;
    const shard = key.slice(0, 2);
    if (!this.shards.has(shard)) {
      await mkdir(join(this.dir, shard), { recursive: true });
      this.shards.add(shard);
    }
    // No fsync: a torn entry after a power loss fails its size check and is a miss.
    await writeFileAtomic(path, bytes, { fsync: false });
  }
}

function encodeEntry(m: FeatureMatrix): Uint8Array {
  const { data, ...meta } = m;
  const header = Buffer.from(JSON.stringify({ ...meta, length: data.length }), 'utf8');
  const headerPadded = (header.length + 3) & ~3;
  const out = Buffer.alloc(8 + headerPadded + data.length * 4);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.length * 4), 8 + headerPadded);
  } else {
    const body = new DataView(out.buffer, out.byteOffset + 8 + headerPadded, data.length * 4);
    for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i], true);
  }
  return out;
}

function decodeEntry(buf: Buffer): FeatureMatrix | undefined {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) return undefined;
  const hlen = buf.readUInt32LE(4);
  if (8 + hlen > buf.length) return undefined;
  let meta: Omit<FeatureMatrix, 'data'> & { length: number };
  try {
    meta = JSON.parse(buf.toString('utf8', 8, 8 + hlen));
  } catch {
    return undefined;
  }
  const start = 8 + ((hlen + 3) & ~3);
  if (!Array.isArray(meta.shape) || meta.shape[0] * meta.shape[1] !== meta.length || buf.length !== start + meta.length * 4) {
    return undefined;
  }
  let data: Float32Array;
  if (LITTLE_ENDIAN) {
    data = new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + meta.length * 4));
  } else {
    data = new Float32Array(meta.length);
    const view = new DataView(buf.buffer, buf.byteOffset + start, meta.length * 4);
    for (let i = 0; i < meta.length; i++) data[i] = view.getFloat32(i * 4, true);
  }
  const { length: _length, ...rest } = meta;
  return { ...rest, data };
}
