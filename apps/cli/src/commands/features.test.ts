import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const data = resolve(repoRoot, '../shared/data');
const george = resolve(data, 'fsdd-480/0/0_george_0.wav');
const f32 = (buf: Buffer) => Float32Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));

async function slt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slt-cli-features-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('slt features', () => {
  it('reads FLAC (same image as the WAV) and MP3; an unknown file is refused in printable text', async () => {
    const formats = resolve(repoRoot, 'libs/audio/src/testing/formats');
    const wav = await slt('features', george, '--sr', 'native', '--json');
    const flac = await slt('features', join(formats, '0_george_0.flac'), '--sr', 'native', '--json');
    expect(flac.code).toBe(0);
    expect(JSON.parse(flac.out).valueRange).toEqual(JSON.parse(wav.out).valueRange);
    const mp3 = await slt('features', join(formats, '0_george_0.mp3'), '--json');
    expect(mp3.code).toBe(0);
    expect(JSON.parse(mp3.out)).toMatchObject({ shape: [128, 1 + Math.floor(Math.ceil((2384 * 22050) / 8000) / 512), 1], sourceSampleRate: 8000 });
    const bad = join(dir, 'noise.ogg');
    await writeFile(bad, Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00, 0x07, 0xff, 0xfe]));
    const r = await slt('features', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}: not a WAV, FLAC, Ogg Vorbis or MP3 file (unknown content; it starts with bytes 1b 5b 32 4a 00 07 ff fe ("\\x1b[2J\\x00\\x07\\xff\\xfe"))`);
    expect(r.err).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it("--sr native --out X.f32 writes librosa's power_to_db array and X.json", async () => {
    const out = join(dir, 'g.f32');
    const r = await slt('features', george, '--sr', 'native', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('logmel image 128x5x1');
    expect(r.out).toMatch(/values -80\.0000 \.\. 0\.0000 dB/);
    const got = f32(await readFile(out));
    const want = f32(await readFile(resolve(data, 'librosa-golden/fsdd_0_george_0.native.db.f32')));
    expect(got.length).toBe(want.length);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(0.01);
    const meta = JSON.parse(await readFile(join(dir, 'g.json'), 'utf8'));
    expect(meta.shape).toEqual([128, 5]);
    expect(meta.params).toMatchObject({ sampleRate: 'native', nFft: 2048, hopLength: 512, nMels: 128, topDb: 80 });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  it('defaults are librosa (22050 Hz); --duration/--channels shape the image; --json reports it', async () => {
    const r = await slt('features', george, '--duration', '4', '--channels', '3', '--json');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.shape).toEqual([128, 173, 3]);
    expect(rep.sampleRate).toBe(22050);
    expect(rep.imageRange.min).toBeGreaterThanOrEqual(0);
    expect(rep.imageRange.max).toBeLessThanOrEqual(1);
  });
  it('--out X.png writes a PNG', async () => {
    const out = join(dir, 'g.png');
    const r = await slt('features', george, '--out', out);
    expect(r.code).toBe(0);
    const png = await readFile(out);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });
  it('bad input exits 1 naming the flag or file', async () => {
    const bad = [
      [['--sr', 'fast'], /--sr "fast": expected an integer rate in Hz or 'native'/],
      [['--sr', '10'], /--sr: got 10, expected an integer in Hz between 1000 and 384000/],
      [['--duration', '-2'], /--duration: got -2/],
      [['--kind', 'cqt'], /--kind: got "cqt", expected 'logmel', 'mfcc', 'stft'/],
      [['--out', join(dir, 'x.txt')], /--out ".*x.txt": expected a path ending in .f32 or .png/],
    ] as const;
    for (const [args, pattern] of bad) {
      const r = await slt('features', george, ...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(pattern);
    }
    const missing = await slt('features', join(dir, 'none.wav'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`${join(dir, 'none.wav')}: does not exist`);
  });
});
