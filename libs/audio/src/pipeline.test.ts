import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AudioOptionError,
  audioFileToImage,
  computeFeatures,
  encodeWav,
  hzToMel,
  fixLength,
  logMelFromFile,
  mfccFromDb,
  powerSpectrogram,
  resample,
  trailingSoundEnd,
} from './index.js';
import { sharedData } from './testing/golden.js';

const george = resolve(sharedData, 'fsdd-480/0/0_george_0.wav');
const tone = (freq: number, sr: number, n: number, amp = 0.5) =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr));
const rms = (x: Float32Array, from = 0, to = x.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
};

describe('resample (band-limited)', () => {
  it('keeps an in-band tone: frequency and level', () => {
    const y = resample(tone(1000, 8000, 8000), 8000, 22050);
    expect(y.length).toBe(22050);
    const ref = tone(1000, 22050, 22050);
    // away from the edges the resampled tone matches the ideal one closely
    let err = 0;
    for (let i = 1000; i < 21000; i++) err = Math.max(err, Math.abs(y[i] - ref[i]));
    expect(err).toBeLessThan(2e-3);
  });
  it('removes content above the new Nyquist instead of aliasing it (> 50 dB down)', () => {
    const y = resample(tone(6000, 16000, 16000), 16000, 8000); // 6 kHz cannot exist at 8 kHz
    expect(y.length).toBe(8000);
    expect(20 * Math.log10(rms(y, 500, 7500) / (0.5 / Math.SQRT2))).toBeLessThan(-50);
    const keep = resample(tone(3000, 16000, 16000), 16000, 8000); // 3 kHz passes
    expect(rms(keep, 500, 7500)).toBeGreaterThan(0.35);
  });
  it('rejects non-integer or absurd rates, naming the option', () => {
    expect(() => resample(new Float32Array(4), 8000.5, 22050)).toThrow(/option fromRate: got 8000.5/);
    expect(() => resample(new Float32Array(4), 8000, 0)).toThrow(AudioOptionError);
  });
});

describe('fixed duration', () => {
  it('finds the end of sound before trailing silence', () => {
    const y = new Float32Array(22050 * 2);
    y.set(tone(440, 22050, 22050));
    const end = trailingSoundEnd(y, 60);
    expect(end).toBeGreaterThanOrEqual(22050);
    expect(end).toBeLessThanOrEqual(22050 + 1536);
    // all zeros: every frame equals the (floored) reference, so librosa keeps it whole, and so do we
    expect(trailingSoundEnd(new Float32Array(5000))).toBe(5000);
  });
  it('pads with zeros or repeats, and cuts long clips', () => {
    const y = Float32Array.from([1, 2, 3]);
    expect(Array.from(fixLength(y, 8, 'zero'))).toEqual([1, 2, 3, 0, 0, 0, 0, 0]);
    expect(Array.from(fixLength(y, 8, 'repeat'))).toEqual([1, 2, 3, 1, 2, 3, 1, 2]);
    expect(Array.from(fixLength(y, 2))).toEqual([1, 2]);
    expect(() => fixLength(y, 4, 'mirror' as never)).toThrow(/option pad: got "mirror", expected 'zero' or 'repeat'/);
  });
  it("gives the paper's 128x311 at 3.6 s / 44.1 kHz and UrbanSound8K's 128x173 at 4 s / 22050 Hz", async () => {
    const a = await audioFileToImage(george, { sampleRate: 44100, durationSeconds: 3.6, pad: 'repeat' });
    expect(a.shape).toEqual([128, 311, 1]);
    expect(a.sampleRate).toBe(44100);
    expect(a.durationSeconds).toBeCloseTo(2384 / 8000, 10);
    const b = await audioFileToImage(george, { durationSeconds: 4, channels: 3 });
    expect(b.shape).toEqual([128, 173, 3]);
    expect(b.data.length).toBe(128 * 173 * 3);
  });
  it('repeat-padding fills the tail with the sound, zero-padding with the floor', async () => {
    const zero = await logMelFromFile(george, { sampleRate: 8000, durationSeconds: 3 });
    const rep = await logMelFromFile(george, { sampleRate: 8000, durationSeconds: 3, pad: 'repeat' });
    const [rows, cols] = zero.shape;
    const lastColMax = (m: Float32Array) => Math.max(...Array.from({ length: rows }, (_, r) => m[r * cols + cols - 2]));
    expect(lastColMax(zero.data)).toBeCloseTo(-80, 3);
    expect(lastColMax(rep.data)).toBeGreaterThan(-40);
  });
});

describe('an UrbanSound8K-like file (44.1 kHz, stereo, 24-bit, 4 s)', () => {
  it('becomes a 128x173 image at 22050 Hz with the tone in the right mel band', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slt-audio-us8k-'));
    try {
      const left = tone(1000, 44100, 4 * 44100, 0.4);
      const right = tone(1000, 44100, 4 * 44100, 0.2);
      const path = join(dir, '7061-6-0-0.wav');
      await writeFile(path, encodeWav([left, right], 44100, { bitsPerSample: 24, chunksBefore: [{ id: 'LIST', data: new Uint8Array(26) }] }));
      const m = await logMelFromFile(path, { durationSeconds: 4 });
      expect(m.shape).toEqual([128, 173]);
      expect(m.sourceSampleRate).toBe(44100);
      const t = 80;
      let best = 0;
      for (let r = 1; r < 128; r++) if (m.data[r * 173 + t] > m.data[best * 173 + t]) best = r;
      // band r spans mel points r..r+2 of 130 evenly spaced up to hzToMel(11025); 1 kHz sits at its centre r+1
      const expected = Math.round(hzToMel(1000) / (hzToMel(11025) / 129)) - 1;
      expect(Math.abs(best - expected)).toBeLessThanOrEqual(1);
      expect(m.data[best * 173 + t]).toBeCloseTo(0, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('images and other kinds', () => {
  it('normalises dB to [0, 1] as (db + 80) / 80; 3 channels repeat the plane', async () => {
    const m = await logMelFromFile(george);
    const img = await audioFileToImage(george, { channels: 3 });
    expect(img.shape).toEqual([m.shape[0], m.shape[1], 3]);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < m.data.length; i++) {
      const v = img.data[3 * i];
      expect(v).toBeCloseTo((m.data[i] + 80) / 80, 6);
      expect(img.data[3 * i + 1]).toBe(v);
      expect(img.data[3 * i + 2]).toBe(v);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeCloseTo(1, 4);
  });
  it('linear STFT image is [1 + nFft/2, frames]; MFCC is [nMfcc, frames] scaled to [0, 1]', async () => {
    const s = await audioFileToImage(george, { kind: 'stft', nFft: 512, hopLength: 128 });
    expect(s.shape).toEqual([257, 1 + Math.floor(6571 / 128), 1]);
    const c = await audioFileToImage(george, { kind: 'mfcc', nMfcc: 13 });
    expect(c.shape).toEqual([13, 13, 1]);
    expect(Math.min(...c.data)).toBe(0);
    expect(Math.max(...c.data)).toBe(1);
  });
  it('MFCC DCT is orthonormal: with nMfcc = nMels it keeps each frame energy', () => {
    const rows = 16;
    const cols = 3;
    const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) * 10);
    const m = mfccFromDb({ data, rows, cols }, rows);
    for (let t = 0; t < cols; t++) {
      let a = 0;
      let b = 0;
      for (let r = 0; r < rows; r++) {
        a += data[r * cols + t] ** 2;
        b += m.data[r * cols + t] ** 2;
      }
      expect(b).toBeCloseTo(a, 2);
    }
  });
  it('a pure tone peaks in the right STFT bin', () => {
    const p = powerSpectrogram(tone(1000, 16000, 4096), 1024, 256);
    const t = 5;
    let best = 0;
    for (let k = 1; k < p.rows; k++) if (p.data[k * p.cols + t] > p.data[best * p.cols + t]) best = k;
    expect(best).toBe(64); // 1000 Hz / (16000 / 1024)
  });
  it('bad options are named with their valid range', () => {
    const y = new Float32Array(100);
    expect(() => computeFeatures(y, 8000, { sampleRate: 50 })).toThrow(/option sampleRate: got 50, expected an integer in Hz between 1000 and 384000, or 'native'/);
    expect(() => computeFeatures(y, 8000, { nFft: 1000 })).toThrow(/option nFft: got 1000, expected a power of two/);
    expect(() => computeFeatures(y, 8000, { durationSeconds: -1 })).toThrow(/option durationSeconds/);
    expect(() => computeFeatures(y, 8000, { kind: 'cqt' as never })).toThrow(/option kind: got "cqt", expected 'logmel', 'mfcc', 'stft'/);
    expect(() => computeFeatures(y, 8000, { kind: 'mfcc', nMfcc: 200 })).toThrow(/option nMfcc/);
    expect(() => computeFeatures(y, 8000, { sampleRate: 'native', fMax: 6000 })).toThrow(/option fMax: got 6000.*4000/);
  });
});
