import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureCache, logMelFromFile, audioFileToImage, resolveFeatureOptions, writeFeatureF32, writeFeaturePng } from './index.js';
import { readF32, sharedData } from './testing/golden.js';

const src = resolve(sharedData, 'fsdd-480/3/3_jackson_1.wav');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slt-audio-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function walk(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await walk(join(d, e.name))));
    else out.push(join(d, e.name));
  }
  return out;
}

describe('FeatureCache', () => {
  it('a second pass hits the cache and returns the same array; no temp files remain', async () => {
    const cache = new FeatureCache(join(dir, 'c1'));
    const cold = await logMelFromFile(src, { cache, durationSeconds: 1 });
    expect(cache.stats).toEqual({ hits: 0, misses: 1, writes: 1 });
    const warm = await logMelFromFile(src, { cache, durationSeconds: 1 });
    expect(cache.stats).toEqual({ hits: 1, misses: 1, writes: 1 });
    expect(warm.shape).toEqual(cold.shape);
    expect(Buffer.from(warm.data.buffer).equals(Buffer.from(cold.data.buffer))).toBe(true);
    expect(warm.sampleRate).toBe(22050);
    // a fresh instance over the same folder also hits (it is on disk)
    const again = new FeatureCache(join(dir, 'c1'));
    await audioFileToImage(src, { cache: again, durationSeconds: 1, channels: 3 });
    expect(again.stats.hits).toBe(1);
    const files = await walk(join(dir, 'c1'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/[0-9a-f]{64}\.f32$/);
  });
  it('another option or another file content is a miss', async () => {
    const cache = new FeatureCache(join(dir, 'c2'));
    await logMelFromFile(src, { cache });
    await logMelFromFile(src, { cache, nMels: 64 });
    const copy = join(dir, 'copy.wav');
    await copyFile(src, copy);
    await logMelFromFile(copy, { cache }); // same content, other path: hit
    const bytes = await readFile(src);
    bytes[bytes.length - 1] ^= 0x01;
    const changed = join(dir, 'changed.wav');
    await writeFile(changed, bytes);
    await logMelFromFile(changed, { cache });
    expect(cache.stats).toEqual({ hits: 1, misses: 3, writes: 3 });
  });
  it('a damaged entry is a miss and gets rewritten', async () => {
    const cache = new FeatureCache(join(dir, 'c3'));
    const first = await logMelFromFile(src, { cache });
    const [entry] = await walk(join(dir, 'c3'));
    const buf = await readFile(entry);
    await writeFile(entry, buf.subarray(0, buf.length - 7));
    const second = await logMelFromFile(src, { cache });
    expect(cache.stats).toEqual({ hits: 0, misses: 2, writes: 2 });
    expect(second.data).toEqual(first.data);
    expect((await readFile(entry)).length).toBe(buf.length);
  });
  it('survives its folder being removed, and names the path when the folder is unusable', async () => {
    const cache = new FeatureCache(join(dir, 'c5'));
    await logMelFromFile(src, { cache });
    await rm(join(dir, 'c5'), { recursive: true });
    await logMelFromFile(src, { cache, nMels: 40 });
    expect(cache.stats.writes).toBe(2);
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file, not a folder');
    const bad = new FeatureCache(join(blocker, 'cache'));
    await expect(logMelFromFile(src, { cache: bad })).rejects.toThrow(/feature cache .*blocker.*cannot read entry \(ENOTDIR\)/);
  });
  it('keys differ by content and options, and reject bad keys', () => {
    const cache = new FeatureCache(join(dir, 'c4'));
    const o = resolveFeatureOptions({});
    const k1 = cache.keyFor(Buffer.from('a'), o);
    expect(k1).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.keyFor(Buffer.from('b'), o)).not.toBe(k1);
    expect(cache.keyFor(Buffer.from('a'), resolveFeatureOptions({ hopLength: 256 }))).not.toBe(k1);
    return expect(cache.get('../../etc/passwd')).rejects.toThrow(/invalid key/);
  });
});

describe('outputs', () => {
  it('writes dB as little-endian float32 [rows, frames] with a JSON side-car', async () => {
    const m = await logMelFromFile(src);
    const out = join(dir, 'x.f32');
    const written = await writeFeatureF32(out, m, { sr: 22050 });
    expect(written.json).toBe(join(dir, 'x.json'));
    expect(readF32(out)).toEqual(m.data);
    const meta = JSON.parse(await readFile(written.json, 'utf8'));
    expect(meta.shape).toEqual(m.shape);
    expect(meta.params).toEqual({ sr: 22050 });
    await expect(writeFeatureF32(join(dir, 'x.bin'), m, {})).rejects.toThrow(/option out: got ".*x.bin", expected a path ending in .f32/);
  });
  it('writes a grey PNG of the feature (low bands at the bottom)', async () => {
    const m = await logMelFromFile(src);
    const out = await writeFeaturePng(join(dir, 'x.png'), m);
    const png = PNG.sync.read(await readFile(out));
    expect([png.height, png.width]).toEqual(m.shape);
    // brightest cell of the feature is white in the picture, at the flipped row
    let best = 0;
    for (let i = 1; i < m.data.length; i++) if (m.data[i] > m.data[best]) best = i;
    const r = Math.floor(best / m.shape[1]);
    const c = best % m.shape[1];
    const y = m.shape[0] - 1 - r;
    expect(png.data[(y * png.width + c) * 4]).toBe(255);
  });
});
