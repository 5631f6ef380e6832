import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { audioFileToImage } from '@slt/audio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectKind } from './detect.js';
import { DatasetFileError } from './errors.js';
import { inspectDataset } from './inspect.js';
import { loadDataset } from './load.js';
import { FSDD_480, tempDir } from './testing/fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.cleanup());

const DIGITS = ['3', '5', '7'];
/** Real FSDD clips of a digit: `{digit}_{speaker}_{take}.wav`, the first `count` in name order. */
async function clips(digit: string, count: number): Promise<string[]> {
  return (await readdir(join(FSDD_480, digit))).sort().slice(0, count);
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

describe('class folders of WAV files (real FSDD subset)', () => {
  it('inspects the whole real fsdd-480: ten classes, their counts, 8 kHz mono, durations', async () => {
    const r = await inspectDataset(FSDD_480);
    expect(r.kind).toBe('folders');
    expect(r.media).toBe('audio');
    const want = await Promise.all(r.classes.map(async (c) => (await readdir(join(FSDD_480, c.name))).filter((f) => f.endsWith('.wav')).length));
    expect(r.classes.map((c) => c.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(r.classes.map((c) => c.count)).toEqual(want);
    expect(r.readable).toBe(r.total);
    expect(r.audio!.sampleRates).toEqual({ '8000': r.total });
    expect(r.audio!.channels).toEqual({ '1': r.total });
    const d = r.audio!.durationSeconds;
    expect(d.min).toBeGreaterThan(0.1);
    expect(d.max).toBeLessThan(2.5);
    expect(d.mean).toBeGreaterThan(d.min);
    expect(r.problems).toEqual([]);
  });

  it('loads log-mel images through the feature cache, each the image of the file its split names', async () => {
    const dir = join(tmp.dir, 'fsdd');
    for (const d of DIGITS) {
      await mkdir(join(dir, d), { recursive: true });
      for (const f of await clips(d, 4)) await copyFile(join(FSDD_480, d, f), join(dir, d, f));
    }
    const cacheDir = join(tmp.dir, 'cache');
    const opts = { path: dir, seed: 11, fractions: [0.5, 0.25, 0.25] as [number, number, number], cacheDir, audio: { sampleRate: 8000 } };
    const ds = await loadDataset(opts);
    expect(ds.kind).toBe('folders');
    expect(ds.classNames).toEqual(DIGITS);
    expect(ds.counts).toEqual({ train: [2, 2, 2], val: [1, 1, 1], test: [1, 1, 1] });
    const [, h, w, c] = ds.train.shape;
    expect([h, c]).toEqual([128, 1]);
    const dur = (ds.settings.audio as { durationSeconds: number }).durationSeconds;
    expect(w).toBe(1 + Math.floor(Math.round(dur * 8000) / 512));
    expect(await countFiles(cacheDir)).toBe(12);
    // one clip per split checked against @slt/audio directly
    for (const part of ['train', 'val', 'test'] as const) {
      const file = ds.split.items[part][0]!;
      const want = await audioFileToImage(join(dir, file), { sampleRate: 8000, durationSeconds: dur });
      expect(Array.from(ds[part].images.subarray(0, h * w))).toEqual(Array.from(want.data));
      expect(ds[part].labels[0]).toBe(DIGITS.indexOf(file.split('/')[0]!));
    }
    const warm = await loadDataset(opts);
    expect(warm.split.items).toEqual(ds.split.items);
    expect(Array.from(warm.train.images)).toEqual(Array.from(ds.train.images));
    expect(await countFiles(cacheDir)).toBe(12);
  });

  it('names the file for a corrupt WAV', async () => {
    const dir = join(tmp.dir, 'fsdd-bad');
    for (const d of DIGITS.slice(0, 2)) {
      await mkdir(join(dir, d), { recursive: true });
      for (const f of await clips(d, 3)) await copyFile(join(FSDD_480, d, f), join(dir, d, f));
    }
    const good = await readFile(join(dir, '3', (await clips('3', 1))[0]!));
    await writeFile(join(dir, '5', 'zz_truncated.wav'), good.subarray(0, 30));
    const audio = { sampleRate: 8000, durationSeconds: 1 };
    const err = await loadDataset({ path: dir, seed: 1, audio }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFileError);
    expect((err as DatasetFileError).file).toBe(join(dir, '5', 'zz_truncated.wav'));
    const ds = await loadDataset({ path: dir, seed: 1, audio, skipUnreadable: true, fractions: [0.34, 0.33, 0.33] });
    expect(ds.split.skipped).toHaveLength(1);
    expect(ds.split.skipped![0]!.item).toBe('5/zz_truncated.wav');
    expect(ds.split.skipped![0]!.error).toMatch(/RIFF|truncated|header/i);
    expect(ds.train.shape[0] + ds.val.shape[0] + ds.test.shape[0]).toBe(6);
  });
});

/** A tiny UrbanSound8K layout from real FSDD clips: 3 classes x 4 clips over folds 1..3. */
async function fakeUrbanSound(name: string, extraRows: string[] = []): Promise<string> {
  const dir = join(tmp.dir, name);
  const classes = ['air_conditioner', 'car_horn', 'children_playing'];
  const rows = ['slice_file_name,fsID,start,end,salience,fold,classID,class'];
  for (const [id, d] of DIGITS.entries()) {
    for (const [k, f] of (await clips(d, 4)).entries()) {
      const fold = k === 0 ? 1 : k === 1 ? 2 : 3;
      await mkdir(join(dir, 'audio', `fold${fold}`), { recursive: true });
      await copyFile(join(FSDD_480, d, f), join(dir, 'audio', `fold${fold}`, f));
      rows.push(`${f},${100 + k},0,1,1,${fold},${id},${classes[id]}`);
    }
  }
  await mkdir(join(dir, 'metadata'), { recursive: true });
  await writeFile(join(dir, 'metadata', 'UrbanSound8K.csv'), [...rows, ...extraRows].join('\n') + '\n');
  return dir;
}

describe('UrbanSound8K layout (fake metadata over real clips)', () => {
  it('uses fold 1 as test, carves val from the other folds, 4 s at 22050 Hz', async () => {
    const dir = await fakeUrbanSound('us8k');
    expect(await detectKind(dir)).toBe('urbansound8k');
    const ds = await loadDataset({ path: dir, seed: 4 });
    expect(ds.classNames).toEqual(['air_conditioner', 'car_horn', 'children_playing']);
    expect(ds.split.strategy).toBe('fixed-test');
    expect(ds.split.testSource).toBe('fold 1');
    expect(ds.split.items.test.every((f) => f.startsWith('audio/fold1/'))).toBe(true);
    expect(ds.counts.test).toEqual([1, 1, 1]);
    expect(ds.counts.val).toEqual([1, 1, 1]);
    expect(ds.test.shape).toEqual([3, 128, 1 + Math.floor((4 * 22050) / 512), 1]);
    const f2 = await loadDataset({ path: dir, seed: 4, testFold: 2, fractions: [0.5, 0.5, 0] });
    expect(f2.split.items.test.every((f) => f.startsWith('audio/fold2/'))).toBe(true);
    await expect(loadDataset({ path: dir, seed: 4, testFold: 7 })).rejects.toThrow(/option testFold: got 7, expected a fold present in/);
    await expect(loadDataset({ path: dir, seed: 4, testFold: 11 })).rejects.toThrow(/expected an integer fold number in 1\.\.10/);
  });

  it('names the CSV line for a bad fold and lists missing or corrupt clips on inspect', async () => {
    const bad = await fakeUrbanSound('us8k-badfold', ['x.wav,1,0,1,1,12,0,air_conditioner']);
    await expect(loadDataset({ path: bad, seed: 1 })).rejects.toThrow(/UrbanSound8K\.csv: line 14: fold "12" is out of range 1\.\.10/);

    const dir = await fakeUrbanSound('us8k-inspect', [
      'gone.wav,1,0,1,1,2,1,car_horn',
      'broken.wav,1,0,1,1,3,2,children_playing',
      'odd.wav,1,0,1,1,zero,2,children_playing',
    ]);
    await writeFile(join(dir, 'audio', 'fold3', 'broken.wav'), Buffer.from('RIFF\x10\x00\x00\x00WAVEjunk'));
    const r = await inspectDataset(dir);
    expect(r.kind).toBe('urbansound8k');
    expect(r.total).toBe(15);
    expect(r.readable).toBe(12);
    expect(r.classes).toEqual([
      { name: 'air_conditioner', count: 4 },
      { name: 'car_horn', count: 5 },
      { name: 'children_playing', count: 5 },
    ]);
    expect(r.groups).toEqual({ fold1: 3, fold2: 4, fold3: 7 });
    expect(r.audio!.sampleRates).toEqual({ '8000': 12 });
    expect(r.problems.map((p) => p.file)).toEqual(['audio/fold2/gone.wav', 'audio/fold3/broken.wav', 'metadata/UrbanSound8K.csv']);
    expect(r.problems[0]!.error).toMatch(/line 14 .* missing/);
    expect(r.problems[2]!.error).toBe('line 16: fold "zero" is out of range 1..10');
  });
});
