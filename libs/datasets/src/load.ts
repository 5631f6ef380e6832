/**
 * `loadDataset`: path -> catalog -> seeded stratified split -> one Float32Array per split.
 */
import { basename, resolve } from 'node:path';
import { audioInfo, audioWriter, checkAudioOptions, type DatasetAudioOptions } from './audio.js';
import { checkKind, detectKind } from './detect.js';
import { DatasetError, DatasetFileError, DatasetOptionError, messageOf } from './errors.js';
import { readFileNamed } from './files.js';
import { decodeImage } from './image.js';
import { FASHION_MNIST_CLASSES, type Catalog } from './layouts/catalog.js';
import { catalogFolders } from './layouts/folders.js';
import { catalogIdx, type IdxCatalog } from './layouts/idx-layout.js';
import { catalogUrbanSound } from './layouts/urbansound.js';
import {
  carveValidation, checkFractions, checkLimit, checkSeed, DEFAULT_FRACTIONS, limitSplit, stratifiedSplit, type SplitIndices,
} from './split.js';
import type { DatasetKind, ImageDataset, ImageSplit, LoadProgress } from './types.js';
import { checkShapeOptions, idxWriter, imageWriter, type ItemWriter } from './writers.js';

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** The data set's folder. */
  path: string;
  /** Its layout; detected from the folder when omitted (see `detectKind`). */
  kind?: DatasetKind;
  /** Seed of the split (integer in [0, 2^32)); the same seed gives the same split. */
  seed: number;
  /**
   * [train, val, test] fractions summing to 1 (default [0.7, 0.15, 0.15]). With a fixed test split
   * (IDX t10k files, UrbanSound8K fold) only val / (train + val) is used, to carve val from the rest.
   */
  fractions?: [number, number, number];
  /** Output [height, width]; default: the source's size (IDX), the first image's (folders), or the audio image's. */
  imageSize?: [number, number];
  /** Output channels, 1 (grey) or 3 (RGB, grey repeated); default 1, or 3 for colour image folders. */
  channels?: 1 | 3;
  /** UrbanSound8K: the fold (1..10) used as the test split; default 1 as in the paper. */
  testFold?: number;
  /** IDX: class names for labels 0..K-1; default the 10 Fashion-MNIST names. */
  classNames?: string[];
  /** Audio sets: how clips become images (see {@link DatasetAudioOptions}). */
  audio?: DatasetAudioOptions;
  /** Folder of the on-disk feature cache for audio sets; no cache when omitted. */
  cacheDir?: string;
  /**
   * Use only a seeded, stratified subset of the training split: an integer N >= 1 (examples) or a
   * fraction in (0, 1). The split itself is made first (so val and test do not change), then the
   * subset is drawn per class; examples left out are never decoded. Default: the whole split.
   */
  trainLimit?: number;
  /** The same for the validation split (default whole). */
  valLimit?: number;
  /** The same for the test split (default whole). */
  testLimit?: number;
  /**
   * Leave out audio/PNG/JPEG files that cannot be read (checked before splitting: WAV headers,
   * full image decodes) and list them in `split.skipped`, instead of failing on the first one.
   * Default false. IDX files are single files and always fail as a whole.
   */
  skipUnreadable?: boolean;
  /** Called after each decoded example. */
  onProgress?: (progress: LoadProgress) => void;
}

/** Reads the catalog of a folder of a given (or detected) kind. */
export async function readCatalog(
  path: string,
  options: { kind?: DatasetKind; testFold?: number; classNames?: string[] } = {},
): Promise<Catalog> {
  const root = resolve(path);
  const kind = options.kind === undefined ? await detectKind(root) : checkKind(options.kind);
  const name = basename(root);
  if (kind === 'idx') {
    const names = options.classNames ?? [...FASHION_MNIST_CLASSES];
    if (!Array.isArray(names) || names.length < 2 || names.some((n) => typeof n !== 'string' || n === '')) {
      throw new DatasetOptionError('classNames', options.classNames, 'at least 2 non-empty class names');
    }
    return catalogIdx(root, name, names);
  }
  if (kind === 'urbansound8k') return catalogUrbanSound(root, name, options.testFold ?? 1);
  return catalogFolders(root, name);
}

function splitOf(cat: Catalog, seed: number, fractions: [number, number, number]): SplitIndices {
  const labels = cat.items.map((it) => it.label);
  if (cat.testSource === undefined) return stratifiedSplit(labels, cat.classNames, seed, fractions, cat.root);
  const pool: number[] = [];
  const test: number[] = [];
  cat.items.forEach((it, i) => (it.fixedTest ? test : pool).push(i));
  const { train, val } = carveValidation(labels, cat.classNames, pool, seed, fractions, cat.root);
  return { train, val, test };
}

async function writerFor(cat: Catalog, used: number[], o: LoadDatasetOptions): Promise<ItemWriter> {
  if (cat.media === 'idx') return idxWriter(cat as IdxCatalog, o);
  const items = used.map((i) => cat.items[i]!);
  if (cat.media === 'image') return imageWriter({ ...cat, items }, o);
  return audioWriter(cat, items, { ...o.audio, imageSize: o.imageSize, channels: o.channels, cacheDir: o.cacheDir });
}

/** Entries the layout cannot use: an error naming them, or (skipUnreadable) skipped entries. */
function unusableOf(cat: Catalog, skip: boolean): { item: string; error: string }[] {
  const bad = cat.unusable ?? [];
  if (bad.length === 0 || skip) return bad.map((u) => ({ item: u.id, error: u.error }));
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more: ${bad.slice(1, 6).map((u) => u.id).join(', ')}${bad.length > 6 ? ', ...' : ''})` : '';
  throw new DatasetFileError(bad[0]!.file, `${bad[0]!.error}${more}; remove or fix it, or use skipUnreadable to leave such entries out`);
}

/** The catalog without the files that cannot be read, and those files with the reason. */
async function dropUnreadable(cat: Catalog): Promise<{ catalog: Catalog; skipped: { item: string; error: string }[] }> {
  if (cat.media === 'idx') return { catalog: cat, skipped: [] };
  const skipped: { item: string; error: string }[] = [];
  const items = [];
  for (const it of cat.items) {
    try {
      if (cat.media === 'audio') await audioInfo(it.file!);
      else decodeImage(await readFileNamed(it.file!), it.file!);
      items.push(it);
    } catch (err) {
      const msg = messageOf(err);
      skipped.push({ item: it.id, error: msg.startsWith(`${it.file}: `) ? msg.slice(it.file!.length + 2) : msg });
    }
  }
  return { catalog: { ...cat, items }, skipped };
}

function countsOf(labels: Int32Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const l of labels) c[l]!++;
  return c;
}

/**
 * Loads a data set: reads the layout, splits it (stratified, seeded; or the source's test split
 * plus a stratified val carved from the rest) and decodes every example into one Float32Array per
 * split, images in [0, 1]. Errors name the file or option at fault.
 */
export async function loadDataset(options: LoadDatasetOptions): Promise<ImageDataset>;
/** The same, with the folder given first: `loadDataset(path, { seed, ... })`. */
export async function loadDataset(path: string, options: Omit<LoadDatasetOptions, 'path'>): Promise<ImageDataset>;
export async function loadDataset(
  pathOrOptions: string | LoadDatasetOptions,
  rest?: Omit<LoadDatasetOptions, 'path'>,
): Promise<ImageDataset> {
  const options: LoadDatasetOptions =
    typeof pathOrOptions === 'string' ? { ...(rest as LoadDatasetOptions), path: pathOrOptions } : pathOrOptions;
  if (!options || typeof options.path !== 'string' || options.path === '') {
    throw new DatasetOptionError('path', options?.path, 'the path of a data set folder');
  }
  const seed = checkSeed(options.seed);
  const fractions = checkFractions(options.fractions ?? DEFAULT_FRACTIONS);
  checkShapeOptions(options);
  if (options.audio !== undefined) checkAudioOptions(options.audio);
  const limits = {
    train: checkLimit('trainLimit', options.trainLimit),
    val: checkLimit('valLimit', options.valLimit),
    test: checkLimit('testLimit', options.testLimit),
  };
  const read = await readCatalog(options.path, options);
  const unusable = unusableOf(read, options.skipUnreadable === true);
  const { catalog: cat, skipped: unreadable } = options.skipUnreadable ? await dropUnreadable(read) : { catalog: read, skipped: [] };
  const skipped = [...unusable, ...unreadable];
  const whole = splitOf(cat, seed, fractions);
  const labels = cat.items.map((it) => it.label);
  const limit = (name: 'train' | 'val' | 'test', salt: number) =>
    limits[name] === undefined ? whole[name] : limitSplit(whole[name], labels, cat.classNames, limits[name]!, seed, salt, `${name}Limit`);
  const idx: SplitIndices = { train: limit('train', 0), val: limit('val', 1), test: limit('test', 2) };
  if (idx.train.length === 0) throw new DatasetError(`${cat.root}: the train split is empty`);
  const writer = await writerFor(cat, [...idx.train, ...idx.val, ...idx.test], options);
  const [h, w, c] = writer.shape;
  const per = h * w * c;
  const total = idx.train.length + idx.val.length + idx.test.length;
  let done = 0;
  const build = async (indices: number[]): Promise<ImageSplit> => {
    let images: Float32Array;
    try {
      images = new Float32Array(indices.length * per);
    } catch (err) {
      const gib = ((indices.length * per * 4) / 2 ** 30).toFixed(1);
      throw new DatasetError(
        `${cat.root}: a split of ${indices.length} images of ${h}x${w}x${c} needs ${gib} GiB and cannot be allocated; use a smaller imageSize or channels 1`,
        { cause: err },
      );
    }
    const labels = new Int32Array(indices.length);
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j]!;
      const item = cat.items[i]!;
      await writer.write(item, i, images, j * per);
      labels[j] = item.label;
      options.onProgress?.({ done: ++done, total, phase: 'decode' });
    }
    return { images, labels, shape: [indices.length, h, w, c] };
  };
  const train = await build(idx.train);
  const val = await build(idx.val);
  const test = await build(idx.test);
  const k = cat.classNames.length;
  const ids = (list: number[]) => list.map((i) => cat.items[i]!.id);
  return {
    name: cat.name,
    kind: cat.kind,
    classNames: cat.classNames,
    train,
    val,
    test,
    split: {
      seed,
      fractions,
      strategy: cat.testSource === undefined ? 'stratified' : 'fixed-test',
      ...(cat.testSource !== undefined ? { testSource: cat.testSource } : {}),
      items: { train: ids(idx.train), val: ids(idx.val), test: ids(idx.test) },
      ...(options.skipUnreadable ? { skipped } : {}),
      ...(Object.values(limits).some((v) => v !== undefined)
        ? {
            limits: Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
            available: { train: whole.train.length, val: whole.val.length, test: whole.test.length },
          }
        : {}),
    },
    counts: { train: countsOf(train.labels, k), val: countsOf(val.labels, k), test: countsOf(test.labels, k) },
    settings: { ...writer.settings, media: cat.media },
  };
}
