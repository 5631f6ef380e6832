/**
 * `slt cache add FILE.h5|DIR`, `slt cache fetch MODEL`, `slt cache ls`, `slt cache demo`: the local
 * asset cache (`$SLT_CACHE_DIR` or `~/.cache/slt`). Weights sit where libs/models looks for them
 * (`<cache>/models/<zoo name>/` holding keras.applications `.h5` files and/or a tfjs
 * `model.json + shards`, so a search without `--weights` finds them); data sets sit in
 * `<cache>/data/<name>/`. `demo` makes sure the quick demo's assets are there
 * (MobileNetV1-0.25 from the tfjs-models URL, a 900-image subset of Fashion-MNIST t10k from the
 * official download location) and prints their paths; offline it says to use `slt cache add`.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from '@slt/datasets';
import {
  MODEL_INFO,
  MODEL_NAMES,
  addWeightsFile,
  cachedWeights,
  checkWeights,
  defaultCacheDir,
  isH5Name,
  loadWeights,
  zooModelOfFile,
  type DownloadProgress,
  type WeightsFormat,
} from '@slt/models';
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
  /** Weights format (models only). */
  format?: WeightsFormat;
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

/** Files of a complete tfjs folder: model.json and its shards. */
function tfjsFiles(jsonPath: string): number {
  const manifest = (JSON.parse(readFileSync(jsonPath, 'utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest;
  return 1 + manifest.flatMap((g) => g.paths).length;
}

/** Every model's cached weights (one entry per `.h5` file or tfjs folder) and every data set in the cache. */
export function listCache(root = cacheRoot()): CacheEntry[] {
  const out: CacheEntry[] = [];
  const models = path.join(root, 'models');
  if (existsSync(models)) {
    for (const name of readdirSync(models).sort()) {
      if (name.includes('.tmp') || !statSync(path.join(models, name)).isDirectory()) continue;
      for (const c of cachedWeights(name, models)) {
        const where = c.format === 'tfjs' ? path.dirname(c.path) : c.path;
        const size = { bytes: c.bytes, files: c.format === 'tfjs' ? tfjsFiles(c.path) : 1 };
        out.push({ kind: 'model', name, format: c.format, path: where, ...size });
      }
    }
  }
  const data = path.join(root, 'data');
  if (existsSync(data)) {
    for (const name of readdirSync(data).sort()) {
      const p = path.join(data, name);
      if (!statSync(p).isDirectory() || name.includes('.tmp') || !isIdxFolder(p)) continue;
      out.push({ kind: 'data', name, path: p, ...sizeOf(p) });
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

function findAssets(dir: string, depth: number, into: { model: [string, string][]; data: string[]; h5: [string, string][] }): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isFile() || !isH5Name(e.name)) continue;
    const name = zooModelOfFile(e.name);
    if (name) into.h5.push([name, path.join(dir, e.name)]);
  }
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
 * Fills the cache from a Keras `.h5` file (checked against its zoo model: named by the file, by
 * `model`, or found by its layers and shapes), or from a folder: every keras.applications `.h5`
 * file named as published (e.g. `mobilenet_2_5_224_tf_no_top.h5`), every weights folder named
 * after a zoo model or its official URL (e.g. `models/mobilenet_v1_0.25_224`, model.json with all
 * shards) and every IDX data set folder, up to two levels down. Works offline.
 * @throws CacheError naming `target` when it is missing or holds nothing the cache knows; the
 *         models lib's errors (bad file, wrong shapes) for a `.h5` file
 */
export async function addToCache(target: string, root = cacheRoot(), options: { model?: string } = {}): Promise<CacheEntry[]> {
  const abs = path.resolve(target);
  if (!existsSync(abs)) throw new CacheError(`cache add ${target}: no such file or folder`);
  const models = path.join(root, 'models');
  if (statSync(abs).isFile()) {
    if (options.model !== undefined && !MODEL_NAMES.includes(options.model)) {
      throw new CacheError(`cache add --model '${options.model}': unknown model (valid: ${MODEL_NAMES.join(', ')})`);
    }
    const c = await addWeightsFile(abs, { cacheDir: models, model: options.model });
    return [{ kind: 'model', name: c.model, format: c.format, path: c.path, bytes: c.bytes, files: 1 }];
  }
  const found = { model: [] as [string, string][], data: [] as string[], h5: [] as [string, string][] };
  findAssets(abs, 2, found);
  if (found.model.length === 0 && found.data.length === 0 && found.h5.length === 0) {
    throw new CacheError(
      `cache add ${target}: found no keras.applications .h5 file (named as published, e.g. mobilenet_2_5_224_tf_no_top.h5; add another name alone: slt cache add FILE.h5 --model NAME), no weights folder (model.json with all its shards, named after a zoo model such as mobilenet_v1_0.25_224) and no IDX data set folder (images-idx3-ubyte + labels-idx1-ubyte) in it or two levels below`,
    );
  }
  const added: CacheEntry[] = [];
  for (const [name, file] of found.h5) {
    const c = await addWeightsFile(file, { cacheDir: models, model: name });
    added.push({ kind: 'model', name, format: 'keras-h5', path: c.path, bytes: c.bytes, files: 1 });
  }
  for (const [name, src] of found.model) {
    const dest = path.join(models, name);
    // The folder may also hold .h5 files: replace only the tfjs files.
    const tmp = `${dest}.${process.pid}.tfjs.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    cpSync(src, tmp, { recursive: true });
    mkdirSync(dest, { recursive: true });
    rmSync(path.join(dest, 'model.json'), { force: true });
    for (const f of readdirSync(tmp)) renameSync(path.join(tmp, f), path.join(dest, f));
    rmSync(tmp, { recursive: true, force: true });
    added.push({ kind: 'model', name, format: 'tfjs', path: dest, ...sizeOf(src) });
  }
  for (const src of found.data) {
    const dest = path.join(root, 'data', path.basename(src));
    copyAtomic(src, dest);
    added.push({ kind: 'data', name: path.basename(src), path: dest, ...sizeOf(dest) });
  }
  return added;
}

/**
 * A progress bar for downloads on a terminal (`\r`-redrawn, at most 10 times a second); undefined
 * when `stream` is not a TTY (then nothing is drawn).
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, width = 30): ((p: DownloadProgress) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let last = 0;
  let lastUrl = '';
  return (p) => {
    const now = Date.now();
    const done = p.total !== undefined && p.received >= p.total;
    if (!done && p.url === lastUrl && now - last < 100) return;
    last = now;
    lastUrl = p.url;
    const name = p.url.split('/').pop() ?? p.url;
    const frac = p.total ? Math.min(1, p.received / p.total) : 0;
    const bar = p.total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${String(Math.floor(frac * 100)).padStart(3)}%` : '[downloading]';
    const sizes = p.total ? `${human(p.received)} / ${human(p.total)}` : human(p.received);
    stream.write(`\r${name}  ${bar}  ${sizes}\u001b[K${done ? '\n' : ''}`);
  };
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

function human(b: number): string {
  return b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`;
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
  if (cachedWeights(DEMO_MODEL, path.join(root, 'models')).length === 0) {
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

const line = (e: CacheEntry): string => `${e.kind.padEnd(5)}  ${e.name.padEnd(20)}  ${(e.format ?? '').padEnd(8)}  ${human(e.bytes).padStart(9)}  ${e.path}`;

/** Registers `slt cache`. */
export function registerCache(program: Command): void {
  const cache = program.command('cache').description(`Local cache of weights and data sets (${'$SLT_CACHE_DIR'} or ~/.cache/slt)`);
  cache
    .command('add <path>')
    .description('Check a keras.applications .h5 file and copy it into the cache, or copy the .h5 files, weights folders (model.json + shards) and IDX data sets found in a folder (offline)')
    .option('--model <name>', `the zoo model of a .h5 file not named as published (${MODEL_NAMES.join(', ')}); default: from its name, else found by its layers`)
    .option('--json', 'the added entries as JSON')
    .action(async (target: string, opts: { json?: boolean; model?: string }) => {
      const added = await addToCache(target, cacheRoot(), { model: opts.model });
      if (opts.json) process.stdout.write(`${JSON.stringify(added)}\n`);
      else process.stdout.write(`${added.map(line).join('\n')}\n`);
    });
  cache
    .command('fetch <model>')
    .description("Download a zoo model's official weights into the cache (resumable, checked) unless it holds them; --weights fetches another .h5 or tfjs URL")
    .option('--weights <url>', 'a .h5 or model.json URL (or local path) instead of the official files')
    .option('--timeout <ms>', 'abort a request idle this long, then retry', '30000')
    .option('--retries <n>', 'retries of a failed download (each resumes)', '3')
    .option('--json', 'the checked weights as JSON')
    .action(async (model: string, opts: { weights?: string; timeout: string; retries: string; json?: boolean }) => {
      const timeoutMs = Number(opts.timeout);
      const retries = Number(opts.retries);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new CacheError(`--timeout '${opts.timeout}': expected a whole number of milliseconds >= 1`);
      if (!Number.isInteger(retries) || retries < 0) throw new CacheError(`--retries '${opts.retries}': expected an integer >= 0`);
      const checked = await checkWeights(model, opts.weights, { cacheDir: path.join(cacheRoot(), 'models'), timeoutMs, retries, onProgress: progressBar() });
      if (opts.json) process.stdout.write(`${JSON.stringify(checked)}\n`);
      else process.stdout.write(`${checked.model}  ${checked.format}  ${checked.fromCache ? 'cached' : 'downloaded'}  ${checked.layers} layers, ${checked.values.toLocaleString('en-US')} values  ${checked.spec}\n`);
    });
  cache
    .command('ls')
    .description('List the cached weights (per model: .h5 files, tfjs folders) and data sets')
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
