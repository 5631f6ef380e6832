import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetFileError, DatasetLayoutError } from './errors.js';
import { inspectDataset } from './inspect.js';
import { FASHION_MNIST_CLASSES } from './layouts/catalog.js';
import { loadDataset } from './load.js';
import { FASHION_900, idxBytes, readFashion900, tempDir } from './testing/fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let raw: Awaited<ReturnType<typeof readFashion900>>;
beforeAll(async () => {
  tmp = await tempDir();
  raw = await readFashion900();
});
afterAll(() => tmp.cleanup());

/** A folder with the given files (name -> bytes). */
async function folder(name: string, files: Record<string, Uint8Array>): Promise<string> {
  const dir = join(tmp.dir, name);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  for (const [f, b] of Object.entries(files)) await writeFile(join(dir, f), b);
  return dir;
}

describe('Fashion-MNIST IDX (real 900-image subset)', () => {
  it('loads a stratified split whose pixels and labels are the file records named in the split', async () => {
    const progress: { done: number; total: number }[] = [];
    const ds = await loadDataset({ path: FASHION_900, seed: 42, onProgress: (p) => progress.push(p) });
    expect(progress).toHaveLength(raw.n);
    expect(progress.at(-1)).toMatchObject({ done: raw.n, total: raw.n });
    expect(ds.kind).toBe('idx');
    expect(ds.name).toBe('fashion-mnist-900');
    expect(ds.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    const n = ds.train.shape[0] + ds.val.shape[0] + ds.test.shape[0];
    expect(n).toBe(raw.n);
    expect(ds.train.shape.slice(1)).toEqual([28, 28, 1]);
    expect(ds.train.images.length).toBe(ds.train.shape[0] * 784);
    // 90 per class: test and val get round(90 * 0.15) each
    expect(ds.counts.test).toEqual(new Array(10).fill(Math.round(90 * 0.15)));
    expect(ds.counts.val).toEqual(new Array(10).fill(Math.round(90 * 0.15)));
    expect(ds.split.strategy).toBe('stratified');
    expect(ds.split.seed).toBe(42);
    const seen = new Set<string>();
    for (const part of ['train', 'val', 'test'] as const) {
      const split = ds[part];
      ds.split.items[part].forEach((id, j) => {
        seen.add(id);
        const r = Number(id.split('#')[1]);
        expect(split.labels[j]).toBe(raw.labels[r]);
        if (j % 37 === 0) {
          const got = Array.from(split.images.subarray(j * 784, (j + 1) * 784));
          const want = Array.from(raw.images.subarray(r * 784, (r + 1) * 784), (v) => Math.fround(v / 255));
          expect(got).toEqual(want);
        }
      });
    }
    expect(seen.size).toBe(raw.n);
    const again = await loadDataset(FASHION_900, { seed: 42 });
    expect(again.split.items).toEqual(ds.split.items);
    const other = await loadDataset({ path: FASHION_900, seed: 43 });
    expect(other.split.items.test).not.toEqual(ds.split.items.test);
  });

  it('resizes to imageSize and repeats grey into 3 channels', async () => {
    const ds = await loadDataset({ path: FASHION_900, seed: 1, imageSize: [32, 40], channels: 3, fractions: [0.8, 0.1, 0.1] });
    expect(ds.train.shape.slice(1)).toEqual([32, 40, 3]);
    const img = ds.test.images;
    let max = 0;
    let unequal = 0;
    for (let i = 0; i < img.length; i += 3) {
      if (img[i + 1] !== img[i] || img[i + 2] !== img[i]) unequal++;
      max = Math.max(max, img[i]!);
    }
    expect(unequal).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.5);
  });

  it('reads the official train/t10k layout, gzipped, with the t10k files as test', async () => {
    // every third record goes to t10k, so both files hold all classes
    const pick = (test: boolean) => Array.from({ length: raw.n }, (_, i) => i).filter((i) => (i % 3 === 0) === test);
    const [trainIdx, testIdx] = [pick(false), pick(true)];
    const imagesOf = (ix: number[]) => Uint8Array.from(ix.flatMap((i) => Array.from(raw.images.subarray(i * 784, (i + 1) * 784))));
    const labelsOf = (ix: number[]) => Uint8Array.from(ix.map((i) => raw.labels[i]!));
    const cut = trainIdx.length;
    const dir = await folder('official', {
      'train-images-idx3-ubyte.gz': gzipSync(idxBytes([cut, 28, 28], imagesOf(trainIdx))),
      'train-labels-idx1-ubyte.gz': gzipSync(idxBytes([cut], labelsOf(trainIdx))),
      't10k-images-idx3-ubyte.gz': gzipSync(idxBytes([raw.n - cut, 28, 28], imagesOf(testIdx))),
      't10k-labels-idx1-ubyte': idxBytes([raw.n - cut], labelsOf(testIdx)),
    });
    const ds = await loadDataset({ path: dir, seed: 5 });
    expect(ds.split.strategy).toBe('fixed-test');
    expect(ds.split.testSource).toBe('t10k-images-idx3-ubyte.gz');
    expect(ds.test.shape[0]).toBe(raw.n - cut);
    expect(ds.split.items.test.every((id) => id.startsWith('t10k-images'))).toBe(true);
    expect(ds.train.shape[0] + ds.val.shape[0]).toBe(cut);
    const last = ds.split.items.test.indexOf(`t10k-images-idx3-ubyte.gz#${raw.n - cut - 1}`);
    expect(ds.test.labels[last]).toBe(raw.labels[testIdx.at(-1)!]);
    const r = testIdx.at(-1)!;
    expect(Array.from(ds.test.images.subarray(last * 784, (last + 1) * 784))).toEqual(
      Array.from(raw.images.subarray(r * 784, (r + 1) * 784), (v) => Math.fround(v / 255)),
    );
  });
});

describe('corrupt IDX input', () => {
  const imgs = () => idxBytes([10, 28, 28], raw.images.subarray(0, 7840));
  const labs = () => idxBytes([10], raw.labels.subarray(0, 10));

  it('names the file for a wrong magic number, a truncated file and a label out of range', async () => {
    const wrongMagic = imgs();
    wrongMagic.writeUInt32BE(0x801, 0);
    let dir = await folder('magic', { 'images-idx3-ubyte': wrongMagic, 'labels-idx1-ubyte': labs() });
    await expect(loadDataset({ path: dir, seed: 1 })).rejects.toThrow(/images-idx3-ubyte: wrong IDX magic number 0x00000801, expected 0x00000803/);

    dir = await folder('truncated', { 'images-idx3-ubyte': imgs().subarray(0, 5000), 'labels-idx1-ubyte': labs() });
    const err = await loadDataset({ path: dir, seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFileError);
    expect((err as DatasetFileError).file).toBe(join(dir, 'images-idx3-ubyte'));
    expect((err as Error).message).toMatch(/truncated IDX file: dims \[10, 28, 28\] need 7856 bytes, the file has 5000/);

    const bad = labs();
    bad[8 + 3] = 12;
    dir = await folder('label', { 'images-idx3-ubyte': imgs(), 'labels-idx1-ubyte': bad });
    await expect(loadDataset({ path: dir, seed: 1 })).rejects.toThrow(/labels-idx1-ubyte: label 12 of record 3 is out of range: valid labels are 0\.\.9/);

    dir = await folder('count', { 'images-idx3-ubyte': imgs(), 'labels-idx1-ubyte': idxBytes([9], raw.labels.subarray(0, 9)) });
    await expect(loadDataset({ path: dir, seed: 1 })).rejects.toThrow(/holds 9 labels but .*images-idx3-ubyte holds 10 images/);

    dir = await folder('gz', { 'images-idx3-ubyte.gz': gzipSync(imgs()).subarray(0, 100), 'labels-idx1-ubyte': labs() });
    await expect(loadDataset({ path: dir, seed: 1 })).rejects.toThrow(/images-idx3-ubyte\.gz: corrupt gzip data/);

    dir = await folder('half', { 'train-images-idx3-ubyte': imgs(), 'train-labels-idx1-ubyte': labs() });
    await expect(loadDataset({ path: dir, seed: 1 })).rejects.toThrow(DatasetLayoutError);
  });

  it('inspect lists every bad IDX file instead of stopping at the first', async () => {
    const wrongMagic = labs();
    wrongMagic.writeUInt32BE(0x803, 0);
    const dir = await folder('inspect-bad', { 'images-idx3-ubyte': imgs().subarray(0, 100), 'labels-idx1-ubyte': wrongMagic });
    const r = await inspectDataset(dir);
    expect(r.kind).toBe('idx');
    expect(r.problems.map((p) => p.file).sort()).toEqual(['images-idx3-ubyte', 'labels-idx1-ubyte']);
    expect(r.problems.find((p) => p.file === 'labels-idx1-ubyte')!.error).toMatch(/wrong IDX magic/);
    expect(r.readable).toBe(0);
  });

  it('inspect reports the real subset: classes, counts and image size', async () => {
    const copy = join(tmp.dir, 'copy');
    await folder('copy', {});
    await copyFile(join(FASHION_900, 'images-idx3-ubyte'), join(copy, 'images-idx3-ubyte'));
    await writeFile(join(copy, 'labels-idx1-ubyte'), await readFile(join(FASHION_900, 'labels-idx1-ubyte')));
    const r = await inspectDataset(copy);
    expect(r.classes.map((c) => c.name)).toEqual([...FASHION_MNIST_CLASSES]);
    const want = new Array(10).fill(0);
    for (const l of raw.labels) want[l]++;
    expect(r.classes.map((c) => c.count)).toEqual(want);
    expect(r.images!.sizes).toEqual({ '28x28': raw.n });
    expect(r.problems).toEqual([]);
  });
});
