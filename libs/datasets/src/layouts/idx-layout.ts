/**
 * The IDX layout: a folder with the official Fashion-MNIST files (train-* and t10k-*, raw or
 * .gz) or a single images/labels pair (e.g. `images-idx3-ubyte`, `labels-idx1-ubyte`).
 */
import { basename, join } from 'node:path';
import { DatasetLayoutError } from '../errors.js';
import { listDir } from '../files.js';
import { readIdxPair, type IdxPair } from '../idx.js';
import type { Catalog } from './catalog.js';

const IMAGES_RE = /^(?:(train|t10k)[-_.])?images[-_.]idx3[-_.]ubyte(?:\.gz)?$/i;
const LABELS_RE = /^(?:(train|t10k)[-_.])?labels[-_.]idx1[-_.]ubyte(?:\.gz)?$/i;

/** The IDX files found in a folder, by role. */
export interface IdxFiles {
  /** Official layout: train and test pairs; single layout: only `train` is set. */
  train?: { images: string; labels: string };
  test?: { images: string; labels: string };
  single?: { images: string; labels: string };
}

/** Finds IDX files in `root` (undefined when none is there). */
export async function findIdxFiles(root: string): Promise<IdxFiles | undefined> {
  const found: Record<string, { images?: string; labels?: string }> = {};
  for (const e of await listDir(root)) {
    if (!e.isFile) continue;
    const im = IMAGES_RE.exec(e.name);
    const lb = LABELS_RE.exec(e.name);
    const role = ((im ?? lb)?.[1] ?? 'single').toLowerCase();
    if (im) (found[role] ??= {}).images ??= join(root, e.name);
    if (lb) (found[role] ??= {}).labels ??= join(root, e.name);
  }
  if (Object.keys(found).length === 0) return undefined;
  const pair = (role: string) => {
    const p = found[role];
    if (!p) return undefined;
    if (!p.images || !p.labels) {
      const missing = p.images ? 'labels-idx1-ubyte' : 'images-idx3-ubyte';
      const prefix = role === 'single' ? '' : `${role === 't10k' ? 't10k' : 'train'}-`;
      throw new DatasetLayoutError(root, `IDX layout: ${p.images ?? p.labels} has no partner ${prefix}${missing}[.gz]`);
    }
    return { images: p.images, labels: p.labels };
  };
  const files: IdxFiles = { train: pair('train'), test: pair('t10k'), single: pair('single') };
  if ((files.train && !files.test) || (!files.train && files.test)) {
    throw new DatasetLayoutError(
      root,
      `IDX layout: found ${files.train ? 'train-*' : 't10k-*'} files but not their ${files.train ? 't10k-*' : 'train-*'} counterparts (the official layout needs both)`,
    );
  }
  return files;
}

/** A loaded IDX catalog plus the pixel data, indexed by item. */
export interface IdxCatalog extends Catalog {
  pairs: IdxPair[];
  /** For item i: which pair and which record. */
  where: { pair: number; record: number }[];
}

/** Reads the IDX files of `root` with `classNames` (labels must be below its length). */
export async function catalogIdx(root: string, name: string, classNames: string[]): Promise<IdxCatalog> {
  const files = await findIdxFiles(root);
  if (!files) throw new DatasetLayoutError(root, 'no IDX files (images-idx3-ubyte / labels-idx1-ubyte) in this folder');
  const official = files.train && files.test;
  const roles = official ? [files.train!, files.test!] : [files.single!];
  const pairs: IdxPair[] = [];
  for (const r of roles) pairs.push(await readIdxPair(r.images, r.labels, classNames.length));
  if (pairs.length === 2 && (pairs[0]!.height !== pairs[1]!.height || pairs[0]!.width !== pairs[1]!.width)) {
    throw new DatasetLayoutError(
      root,
      `IDX layout: train images are ${pairs[0]!.height}x${pairs[0]!.width} but test images are ${pairs[1]!.height}x${pairs[1]!.width}`,
    );
  }
  const items: Catalog['items'] = [];
  const where: IdxCatalog['where'] = [];
  pairs.forEach((p, pi) => {
    const base = basename(p.imagesFile);
    for (let r = 0; r < p.labels.length; r++) {
      items.push({ id: `${base}#${r}`, label: p.labels[r]!, fixedTest: official ? pi === 1 : undefined });
      where.push({ pair: pi, record: r });
    }
  });
  return {
    kind: 'idx',
    name,
    root,
    media: 'idx',
    classNames,
    items,
    testSource: official ? basename(files.test!.images) : undefined,
    pairs,
    where,
  };
}
