/**
 * The paper's two audio settings end to end through the real `slt` bin: `--audio-preset
 * hospital-alarm` (44.1 kHz, 3.6 s, repeat pad -> 128x311x3) and `--audio-preset urbansound8k`
 * (22.05 kHz, 4 s -> 128x173x3, here over FLAC and MP3 copies of the clips), each a tiny seeded
 * search on a stratified 10-clip subset of fsdd-480 (`--train-limit`), 1 generation of 4, 1 epoch.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, readFileStore, readRecords, sharedData, slt, tempDir, lineOf, linesOf } from './helpers.js';

const fsdd = path.join(sharedData, 'fsdd-480');
const tinyFlags = (data: string, preset: string, out: string) => [
  '--model', 'mobilenet_v1_0.25', '--weights', path.join(sharedData, 'models/mobilenet_v1_0.25_224'),
  '--data', data, '--audio-preset', preset, '--population', '4', '--generations', '1', '--epochs', '1', '--batch', '10',
  '--seed', '3', '--workers', '0', '--backend', 'wasm', '--train-limit', '10', '--val-limit', '10', '--test-limit', '10',
  '--json', '--out', out,
];

const tools = ['sox', 'ffmpeg'].every((t) => spawnSync(t, [t === 'sox' ? '--version' : '-version'], { stdio: 'ignore' }).status === 0);
if (!tools) console.warn('audio-presets e2e: sox/ffmpeg not installed (apt-get install -y sox ffmpeg libsox-fmt-all): the urbansound8k run uses WAV copies instead of FLAC/MP3');

/** fsdd-480's first 3 clips of each digit, even ones as FLAC and odd ones as MP3 (WAV without sox/ffmpeg). */
async function compressedCopy(dir: string): Promise<string> {
  for (const d of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
    await mkdir(path.join(dir, d), { recursive: true });
    const files = (await readdir(path.join(fsdd, d))).sort().slice(0, 3);
    for (const [k, f] of files.entries()) {
      const src = path.join(fsdd, d, f);
      if (!tools) await copyFile(src, path.join(dir, d, f));
      else if (k % 2 === 0) execFileSync('sox', [src, path.join(dir, d, f.replace(/\.wav$/, '.flac'))]);
      else execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', src, '-c:a', 'libmp3lame', '-b:a', '64k', path.join(dir, d, f.replace(/\.wav$/, '.mp3'))]);
    }
  }
  return dir;
}

describe('the paper audio presets in a tiny search (real bin)', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await tempDir('audio-presets');
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  for (const c of [
    { preset: 'hospital-alarm', rate: 44100, duration: 3.6, pad: 'repeat', shape: [128, 311, 3] },
    { preset: 'urbansound8k', rate: 22050, duration: 4, pad: 'zero', shape: [128, 173, 3] },
  ]) {
    it(`--audio-preset ${c.preset}: ${c.shape.join('x')} images, recorded in the journal and the MLflow params`, async () => {
      const data = c.preset === 'hospital-alarm' ? fsdd : await compressedCopy(path.join(cwd, 'clips'));
      const out = await slt(['search', ...tinyFlags(data, c.preset, c.preset)], cwd);
      expect(out.exitCode, out.all?.slice(-3000)).toBe(0);
      const lines = jsonLines(out.stdout);
      const search = lineOf(lines, 'search');
      expect(search.dataset.shape).toEqual(c.shape);
      expect(search.dataset.counts).toEqual({ train: 10, val: 10, test: 10 });
      const evals = linesOf(lines, 'evaluation');
      expect(evals.length).toBeGreaterThan(0);
      for (const e of evals) expect(e.error).toBeUndefined();
      expect(lines.at(-1)).toMatchObject({ type: 'result', status: 'finished' });

      const started = readRecords(path.join(cwd, c.preset, 'journal.jsonl')).find((r) => r.type === 'search.started')!;
      expect(started.config).toMatchObject({
        audioPreset: c.preset, sampleRate: c.rate, duration: c.duration, pad: c.pad, trim: true, nFft: 2048, hop: 512, nMels: 128,
        channels: 3, input: c.shape.slice(0, 2), trainLimit: 10, valLimit: 10, testLimit: 10,
      });
      const parent = readFileStore(path.join(cwd, 'mlruns')).find((r) => r.tags['slt.search_id'] === search.searchId && r.tags['slt.kind'] === 'search')!;
      expect(parent.params).toMatchObject({
        audio_preset: c.preset, audio_sample_rate: String(c.rate), audio_duration: String(c.duration), audio_pad: c.pad,
        audio_n_mels: '128', channels: '3', train_limit: '10', input_size: `${c.shape[0]}x${c.shape[1]}`,
      });
    });
  }

  it('a bad audio option stops before anything is written, naming the flag value and the valid range', async () => {
    const out = await slt(['search', '--data', fsdd, '--audio-preset', 'hospital-alarm', '--n-fft', '1000', '--train-limit', '0', '--out', 'bad'], cwd);
    expect(out.exitCode).toBe(2);
    expect(out.all).toMatch(/nFft: expected a power of two in 16\.\.65536 \(got 1000\)/);
    expect(out.all).toMatch(/trainLimit: expected an integer number of training examples >= 1, or a fraction in \(0, 1\) \(got 0\)/);
    expect(readRecords(path.join(cwd, 'bad', 'journal.jsonl'))).toEqual([]);
  });
});
