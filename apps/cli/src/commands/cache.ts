/**
 * `slt cache add DIR`, `slt cache ls`, `slt cache demo`: the local asset cache
 * (`$SLT_CACHE_DIR` or `~/.cache/slt`). Weights sit where libs/models looks for them
 * (`<cache>/models/<zoo name>/model.json + shards`, so a search without `--weights` finds them);
 * data sets sit in `<cache>/data/<name>/`. `demo` makes sure the quick demo's assets are there
 * (MobileNetV1-0.25 from the tfjs-models URL, a 900-image subset of Fashion-MNIST t10k from the
 * official download location) and prints their paths; offline it says to use `slt cache add`.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from '@slt/datasets';
import { MODEL_INFO, defaultCacheDir, loadWeights } from '@slt/models';
import { CliError } from '../errors.js';

/** The zoo model and data set of the quick demo. */
export const DEMO_MODEL = 'mobilenet_v1_0.25';
/** Cache name of the demo's data set (90 images per class). */
export const DEMO_DATA = 'fashion-mnist-900';
/** Official Fashion-MNIST download location (t10k files are used). */
export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
const PER_CLASS = 90;

/** An error of the cache command (exit code 1; names the folder or URL). */
export class CacheError extends CliError {}

/** The cache's root: the parent of libs/models' weights cache. */
export function cacheRoot(): string {
  return path.dirname(defaultCacheDir());
}

/** One entry of the cache. */
export interface CacheEntry {
  kind: 'model' | 'data';
  name: string;
  path: string;
  bytes: number;
  files: number;
}

function sizeOf(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const s = sizeOf(p);
      bytes += s.bytes;
      files += s.files;
    } else if (e.isFile()) {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

/** True when `dir` holds a model.json whose every shard exists. */
function isCompleteModel(dir: string): boolean {
  const json = path.join(dir, 'model.json');
  if (!existsSync(json)) return false;
  try {
    const manifest = (JSON.parse(readFileSync(json, 'utf8')) as { weightsManifest?: { paths: string[] }[] }).weightsManifest;
    return Array.isArray(manifest) && manifest.flatMap((g) => g.paths).every((p) => existsSync(path.join(dir, p)));
  } catch {
    return false;
  }
}

const IDX_RE = /^(?:(?:train|t10k)[-_.])?(?:images[-_.]idx3|labels[-_.]idx1)[-_.]ubyte(?:\.gz)?$/i;
const isIdxFolder = (dir: string): boolean => readdirSync(dir).some((f) => IDX_RE.test(f));

/** Every model and data set in the cache. */
export function listCache(root = cacheRoot()): CacheEntry[] {
  const out: CacheEntry[] = [];
  for (const kind of ['model', 'data'] as const) {
    const dir = path.join(root, kind === 'model' ? 'models' : 'data');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (!statSync(p).isDirectory() || name.includes('.tmp')) continue;
      if (kind === 'model' ? !isCompleteModel(p) : !isIdxFolder(p)) continue;
      out.push({ kind, name, path: p, ...sizeOf(p) });
    }
  }
  return out;
}

/** Zoo name of a weights folder named like its official URL (`mobilenet_v1_0.25_224` -> `mobilenet_v1_0.25`). */
function zooNameOf(folder: string): string | undefined {
  const base = path.basename(folder);
  for (const [name, info] of Object.entries(MODEL_INFO)) {
    const urlDir = info.weightsUrl?.replace(/\/model\.json$/i, '').split('/').pop();
    if (base === name || base === urlDir) return name;
  }
  return undefined;
}

/** Copies `src` to `dest` through a temp folder beside it and a rename (nothing half-written). */
function copyAtomic(src: string, dest: string): void {
  mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(src, tmp, { recursive: true });
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
}

function findAssets(dir: string, depth: number, into: { model: [string, string][]; data: string[] }): void {
  if (isCompleteModel(dir)) {
    const name = zooNameOf(dir);
    if (name) into.model.push([name, dir]);
    return;
  }
  if (isIdxFolder(dir)) {
    into.data.push(dir);
    return;
  }
  if (depth <= 0) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && !e.name.startsWith('.')) findAssets(path.join(dir, e.name), depth - 1, into);
}

/**
 * Fills the cache from a folder: every weights folder named after a zoo model or its official URL
 * (e.g. `models/mobilenet_v1_0.25_224`, model.json with all shards) and every IDX data set folder,
 * up to two levels down.
 * @throws CacheError naming `dir` when it is missing or holds nothing the cache knows.
 */
export function addToCache(dir: string, root = cacheRoot()): CacheEntry[] {
  const abs = path.resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new CacheError(`cache add ${dir}: no such folder`);
  const found = { model: [] as [string, string][], data: [] as string[] };
  findAssets(abs, 2, found);
  if (found.model.length === 0 && found.data.length === 0) {
    throw new CacheError(
      `cache add ${dir}: found no weights folder (model.json with all its shards, named after a zoo model such as mobilenet_v1_0.25_224) and no IDX data set folder (images-idx3-ubyte + labels-idx1-ubyte) in it or two levels below`,
    );
  }
  const added: CacheEntry[] = [];
  for (const [name, src] of found.model) {
    const dest = path.join(root, 'models', name);
    copyAtomic(src, dest);
    added.push({ kind: 'model', name, path: dest, ...sizeOf(dest) });
  }
  for (const src of found.data) {
    const dest = path.join(root, 'data', path.basename(src));
    copyAtomic(src, dest);
    added.push({ kind: 'data', name: path.basename(src), path: dest, ...sizeOf(dest) });
  }
  return added;
}

function idxBytes(magic: number, dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

async function download(url: string): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${url}`);
  return new Uint8Array(await res.arrayBuffer());
}

const offlineHint = (what: string, root: string, cause: unknown): CacheError =>
  new CacheError(
    `cannot fetch the quick demo's ${what} (${(cause as Error)?.message ?? String(cause)}) and the cache ${root} has no copy. Offline? Fill the cache from a folder holding them: slt cache add DIR (e.g. slt cache add ../shared/data)`,
    { cause },
  );

/** Downloads Fashion-MNIST t10k and keeps the first {@link PER_CLASS} images of each class as IDX files in `dest`. */
async function fetchDemoData(dest: string, baseUrl: string): Promise<void> {
  const files = { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' };
  const images = parseIdx(gunzipSync(await download(new URL(files.images, baseUrl).toString())), files.images, IDX_IMAGES_MAGIC);
  const labels = parseIdx(gunzipSync(await download(new URL(files.labels, baseUrl).toString())), files.labels, IDX_LABELS_MAGIC);
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) throw new Error(`${files.labels}: ${labels.dims[0]} labels for ${n} images`);
  const counts = new Map<number, number>();
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = labels.data[i];
    if ((counts.get(c) ?? 0) >= PER_CLASS) continue;
    counts.set(c, (counts.get(c) ?? 0) + 1);
    keep.push(i);
  }
  const img = new Uint8Array(keep.length * h * w);
  keep.forEach((src, j) => img.set(images.data.subarray(src * h * w, (src + 1) * h * w), j * h * w));
  const lab = Uint8Array.from(keep.map((i) => labels.data[i]));
  const tmp = `${dest}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(path.join(tmp, 'images-idx3-ubyte'), idxBytes(IDX_IMAGES_MAGIC, [keep.length, h, w], img));
  writeFileSync(path.join(tmp, 'labels-idx1-ubyte'), idxBytes(IDX_LABELS_MAGIC, [keep.length], lab));
  writeFileSync(path.join(tmp, 'SOURCE.txt'), `first ${PER_CLASS} images per class of ${new URL(files.images, baseUrl)} (sha256 of labels ${createHash('sha256').update(lab).digest('hex').slice(0, 16)})\n`);
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
}

/** Paths of the quick demo's assets in the cache. */
export interface DemoAssets {
  model: string;
  weights: string;
  data: string;
}

/**
 * Makes sure the quick demo's weights and data set are cached, fetching what is missing from the
 * official URLs (`SLT_DEMO_WEIGHTS_URL` / `SLT_DEMO_DATA_URL` override them).
 * @throws CacheError saying to use `slt cache add DIR` when a fetch fails.
 */
export async function ensureDemoAssets(root = cacheRoot(), log: (line: string) => void = () => undefined): Promise<DemoAssets> {
  const weights = path.join(root, 'models', DEMO_MODEL);
  if (!isCompleteModel(weights)) {
    const url = process.env.SLT_DEMO_WEIGHTS_URL ?? MODEL_INFO[DEMO_MODEL].weightsUrl!;
    log(`fetching ${url}`);
    try {
      await loadWeights(url, { cacheDir: path.join(root, 'models'), cacheName: DEMO_MODEL });
    } catch (cause) {
      throw offlineHint(`weights ${url}`, root, cause);
    }
  }
  const data = path.join(root, 'data', DEMO_DATA);
  if (!existsSync(data) || !isIdxFolder(data)) {
    const base = process.env.SLT_DEMO_DATA_URL ?? FASHION_MNIST_URL;
    log(`fetching Fashion-MNIST t10k from ${base}`);
    try {
      await fetchDemoData(data, base);
    } catch (cause) {
      throw offlineHint(`data set (Fashion-MNIST from ${base})`, root, cause);
    }
  }
  return { model: DEMO_MODEL, weights, data };
}

const human = (b: number): string => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const line = (e: CacheEntry): string => `${e.kind.padEnd(5)}  ${e.name.padEnd(24)}  ${human(e.bytes).padStart(9)}  ${e.path}`;

/** Registers `slt cache`. */
export function registerCache(program: Command): void {
  const cache = program.command('cache').description(`Local cache of weights and data sets (${'$SLT_CACHE_DIR'} or ~/.cache/slt)`);
  cache
    .command('add <dir>')
    .description('Copy weights folders (model.json + shards) and IDX data sets found in DIR into the cache')
    .option('--json', 'the added entries as JSON')
    .action((dir: string, opts: { json?: boolean }) => {
      const added = addToCache(dir);
      if (opts.json) process.stdout.write(`${JSON.stringify(added)}\n`);
      else process.stdout.write(`${added.map(line).join('\n')}\n`);
    });
  cache
    .command('ls')
    .description('List the cached weights and data sets')
    .option('--json', 'as JSON')
    .action((opts: { json?: boolean }) => {
      const entries = listCache();
      if (opts.json) process.stdout.write(`${JSON.stringify({ root: cacheRoot(), entries })}\n`);
      else process.stdout.write(`cache ${cacheRoot()}\n${entries.length ? entries.map(line).join('\n') : '(empty)'}\n`);
    });
  cache
    .command('demo')
    .description("Make sure the quick demo's assets are cached (fetching them on first use); print their paths")
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => {
      const assets = await ensureDemoAssets(cacheRoot(), (l) => process.stderr.write(`slt: ${l}\n`));
      if (opts.json) process.stdout.write(`${JSON.stringify(assets)}\n`);
      else process.stdout.write(`model   ${assets.model}\nweights ${assets.weights}\ndata    ${assets.data}\n`);
    });
}
