import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectKind } from './detect.js';
import { DatasetEmptyClassError, DatasetFileError, DatasetLayoutError } from './errors.js';
import { inspectDataset } from './inspect.js';
import { loadDataset } from './load.js';
import { readFashion900, tempDir } from './testing/fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let raw: Awaited<ReturnType<typeof readFashion900>>;
beforeAll(async () => {
  tmp = await tempDir();
  raw = await readFashion900();
});
afterAll(() => tmp.cleanup());

/** RGBA of Fashion-MNIST record r (grey, or tinted red when `tint`). */
function rgbaOf(r: number, tint = false): Buffer {
  const out = Buffer.alloc(784 * 4);
  for (let i = 0; i < 784; i++) {
    const v = raw.images[r * 784 + i]!;
    out[4 * i] = v;
    out[4 * i + 1] = tint ? v >> 1 : v;
    out[4 * i + 2] = tint ? v >> 2 : v;
    out[4 * i + 3] = 255;
  }
  return out;
}

function pngOf(r: number, tint = false): Buffer {
  const png = new PNG({ width: 28, height: 28 });
  png.data = rgbaOf(r, tint);
  return PNG.sync.write(png, { colorType: tint ? 2 : 0 });
}

/** Records of class `label` in the real subset. */
function recordsOf(label: number, count: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < raw.n && out.length < count; r++) if (raw.labels[r] === label) out.push(r);
  return out;
}

/** Class folders of 5 real images each: PNG for classes Bag and Coat, JPEG for Sneaker. */
async function imageSet(name: string): Promise<{ dir: string; records: Map<string, number> }> {
  const dir = join(tmp.dir, name);
  const records = new Map<string, number>();
  for (const [cls, label, fmt] of [
    ['Bag', 8, 'png'],
    ['Coat', 4, 'png'],
    ['Sneaker', 7, 'jpg'],
  ] as const) {
    await mkdir(join(dir, cls), { recursive: true });
    for (const [k, r] of recordsOf(label, 5).entries()) {
      const file = `${cls}/${k}.${fmt}`;
      const bytes = fmt === 'png' ? pngOf(r) : jpeg.encode({ width: 28, height: 28, data: rgbaOf(r) }, 95).data;
      await writeFile(join(dir, file), bytes);
      records.set(file, r);
    }
  }
  return { dir, records };
}

describe('class folders of PNG/JPEG images', () => {
  it('decodes real images into their splits, grey, at the first image size', async () => {
    const { dir, records } = await imageSet('images');
    expect(await detectKind(dir)).toBe('folders');
    const ds = await loadDataset({ path: dir, seed: 9, fractions: [0.6, 0.2, 0.2] });
    expect(ds.classNames).toEqual(['Bag', 'Coat', 'Sneaker']);
    expect(ds.train.shape).toEqual([9, 28, 28, 1]);
    expect(ds.counts).toEqual({ train: [3, 3, 3], val: [1, 1, 1], test: [1, 1, 1] });
    for (const part of ['train', 'val', 'test'] as const) {
      ds.split.items[part].forEach((file, j) => {
        const r = records.get(file)!;
        const got = ds[part].images.subarray(j * 784, (j + 1) * 784);
        let err = 0;
        for (let i = 0; i < 784; i++) err = Math.max(err, Math.abs(got[i]! - raw.images[r * 784 + i]! / 255));
        // PNG is lossless; JPEG at quality 95 stays within a few grey levels
        if (file.endsWith('.png')) expect(err).toBeLessThan(1e-6);
        else expect(err).toBeLessThan(0.2);
        expect(ds.classNames[ds[part].labels[j]!]).toBe(file.split('/')[0]);
      });
    }
  });

  it('brings colour and odd sizes to a common size and channel count', async () => {
    const { dir } = await imageSet('mixed');
    const big = new PNG({ width: 56, height: 42 });
    big.data = Buffer.alloc(56 * 42 * 4, 255);
    await writeFile(join(dir, 'Coat', 'big.png'), PNG.sync.write(big));
    await writeFile(join(dir, 'Bag', 'red.png'), pngOf(recordsOf(8, 6)[5]!, true));
    const ds = await loadDataset({ path: dir, seed: 2, imageSize: [24, 24], channels: 3 });
    expect(ds.train.shape.slice(1)).toEqual([24, 24, 3]);
    const all = [...ds.split.items.train, ...ds.split.items.val, ...ds.split.items.test];
    expect(all).toContain('Coat/big.png');
    const where = (['train', 'val', 'test'] as const).find((p) => ds.split.items[p].includes('Coat/big.png'))!;
    const j = ds.split.items[where].indexOf('Coat/big.png');
    const px = ds[where].images.subarray(j * 24 * 24 * 3, (j + 1) * 24 * 24 * 3);
    expect(Math.min(...px)).toBeCloseTo(1, 6); // white stays white after resize
  });

  it('names the file for a corrupt image and the folder for an empty class; inspect lists them all', async () => {
    const { dir } = await imageSet('broken');
    await writeFile(join(dir, 'Bag', '9.png'), pngOf(1).subarray(0, 60));
    await writeFile(join(dir, 'Coat', 'x.jpg'), Buffer.from('this is not a jpeg'));
    const err = await loadDataset({ path: dir, seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFileError);
    expect((err as Error).message).toMatch(/broken\/(Bag\/9\.png|Coat\/x\.jpg): (corrupt PNG image|not a PNG or JPEG)/);

    await mkdir(join(dir, 'Dress'));
    await writeFile(join(dir, 'Dress', 'notes.txt'), 'no images here');
    await expect(loadDataset({ path: dir, seed: 1 })).rejects.toThrow(DatasetEmptyClassError);
    await expect(loadDataset({ path: dir, seed: 1 })).rejects.toThrow(/class "Dress" \(.*Dress\) holds no audio \(WAV\/FLAC\/OGG\/MP3\), PNG or JPEG file/);

    const r = await inspectDataset(dir);
    expect(r.media).toBe('image');
    expect(r.total).toBe(17);
    expect(r.readable).toBe(15);
    expect(r.problems.map((p) => p.file)).toEqual(['Bag/9.png', 'Coat/x.jpg', 'Dress/']);
    expect(r.problems[0]!.error).toMatch(/corrupt PNG/);
    expect(r.problems[1]!.error).toMatch(/not a PNG or JPEG/);
    expect(r.ignored).toEqual(['Dress/notes.txt']);
    expect(r.images!.sizes).toEqual({ '28x28': 15 });
  });

  it('rejects a set mixing audio and images, and a folder that is no layout', async () => {
    const { dir } = await imageSet('mixmedia');
    await writeFile(join(dir, 'Bag', 'a.wav'), Buffer.alloc(10));
    await expect(loadDataset({ path: dir, seed: 1 })).rejects.toThrow(/mix 1 audio \(WAV\/FLAC\/OGG\/MP3\) file\(s\) and 15 image\(s\)/);
    const empty = join(tmp.dir, 'nothing');
    await mkdir(empty);
    await expect(detectKind(empty)).rejects.toThrow(DatasetLayoutError);
    await expect(loadDataset({ path: join(tmp.dir, 'missing'), seed: 1 })).rejects.toThrow(/missing: does not exist/);
    await expect(loadDataset({ path: dir, seed: 1, kind: 'csv' as never })).rejects.toThrow(
      /option kind: got "csv", expected one of idx, urbansound8k, folders/,
    );
  });
});
