import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, decodeWavFile, encodeWav, logMelFromFile, readWavInfo, WavDecodeError, AudioError } from './index.js';
import { golden, maxAbsDiff, sharedData } from './testing/golden.js';

const george = resolve(sharedData, 'fsdd-480/0/0_george_0.wav');
let dir: string;
let y: Float32Array; // librosa's float32 waveform of the real file (int16 / 32768)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slt-audio-wav-'));
  y = golden('fsdd_0_george_0.native.y.f32');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A hand-built RIFF file: header + given chunks (ids and raw bodies; odd bodies get a pad byte). */
function riff(chunks: [string, Uint8Array][], declaredSizes: Record<number, number> = {}): Uint8Array {
  const parts: number[] = [...Buffer.from('WAVE')];
  chunks.forEach(([id, body], i) => {
    const size = declaredSizes[i] ?? body.length;
    parts.push(...Buffer.from(id), size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff, ...body);
    if (body.length & 1) parts.push(0);
  });
  const out = Buffer.alloc(8 + parts.length);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(parts.length, 4);
  Buffer.from(parts).copy(out, 8);
  return out;
}

function fmt(tag: number, channels: number, rate: number, bits: number): Uint8Array {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

describe('real files', () => {
  it('decodes an FSDD recording bit-identically to soundfile/librosa', async () => {
    const w = await decodeWavFile(george);
    expect(w.sampleRate).toBe(8000);
    expect(w.channels).toBe(1);
    expect(maxAbsDiff(w.samples, y)).toBe(0);
  });
  it('readWavInfo reports the header without decoding', async () => {
    const info = await readWavInfo(george);
    expect(info).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16, format: 'pcm', formatTag: 1, frames: 2384 });
    expect(info.durationSeconds).toBeCloseTo(2384 / 8000, 12);
    expect(info.chunks).toContain('data');
  });
});

describe('every encoding decodes to the same samples', () => {
  const cases = [
    { name: 'pcm24', format: 'pcm', bitsPerSample: 24 },
    { name: 'pcm32', format: 'pcm', bitsPerSample: 32 },
    { name: 'float32', format: 'float', bitsPerSample: 32 },
    { name: 'float64', format: 'float', bitsPerSample: 64 },
    { name: 'pcm16-extensible', format: 'pcm', bitsPerSample: 16, extensible: true },
    { name: 'float32-extensible', format: 'float', bitsPerSample: 32, extensible: true },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: exact (int16 values are exact in every wider format)`, async () => {
      const path = join(dir, `${c.name}.wav`);
      await writeFile(path, encodeWav([y], 8000, c));
      const w = await decodeWavFile(path);
      expect(w.bitsPerSample).toBe(c.bitsPerSample);
      expect(w.formatTag).toBe('extensible' in c ? 0xfffe : c.format === 'pcm' ? 1 : 3);
      expect(maxAbsDiff(w.samples, y)).toBe(0);
      expect((await readWavInfo(path)).frames).toBe(y.length);
    });
  }
  it('pcm8 (unsigned): within one 8-bit step, and the byte scale is (u - 128) / 128', async () => {
    const w = decodeWav(encodeWav([y], 8000, { bitsPerSample: 8 }), 'pcm8');
    expect(maxAbsDiff(w.samples, y)).toBeLessThanOrEqual(0.5 / 128 + 1e-9);
    const raw = decodeWav(riff([['fmt ', fmt(1, 1, 8000, 8)], ['data', Uint8Array.from([0, 128, 255])]]), 'raw8');
    expect(Array.from(raw.samples)).toEqual([-1, 0, 127 / 128]);
  });
  it('24-bit and 32-bit extremes, built by hand, scale by 2^(n-1)', () => {
    const d24 = Uint8Array.from([0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00]);
    const w24 = decodeWav(riff([['fmt ', fmt(1, 1, 44100, 24)], ['data', d24]]), 'raw24');
    expect(Array.from(w24.samples)).toEqual([Math.fround(8388607 / 8388608), -1, Math.fround(1 / 8388608)]);
    const d32 = Buffer.alloc(8);
    d32.writeInt32LE(-2147483648, 0);
    d32.writeInt32LE(1 << 30, 4);
    const w32 = decodeWav(riff([['fmt ', fmt(1, 1, 44100, 32)], ['data', d32]]), 'raw32');
    expect(Array.from(w32.samples)).toEqual([-1, 0.5]);
  });
  it('mixes any channel count to mono (mean of channels)', async () => {
    const zero = new Float32Array(y.length);
    const neg = y.map((v) => -v);
    const stereo = decodeWav(encodeWav([y, zero], 8000), 'stereo');
    expect(stereo.channels).toBe(2);
    expect(maxAbsDiff(stereo.samples, y.map((v) => v / 2))).toBe(0);
    const six = decodeWav(encodeWav([y, y, y, neg, y, zero], 8000, { format: 'float', extensible: true }), 'six');
    expect(six.channels).toBe(6);
    expect(maxAbsDiff(six.samples, y.map((v) => (3 * v) / 6))).toBeLessThan(1e-7);
  });
  it('skips LIST, fact and odd-sized chunks (pad byte) before fmt and after data', async () => {
    const odd = Uint8Array.from([1, 2, 3]);
    const bytes = encodeWav([y], 8000, {
      format: 'float',
      chunksBefore: [{ id: 'LIST', data: Buffer.from('INFOISFT\x05\x00\x00\x00slt!\x00') }, { id: 'fact', data: Uint8Array.from([0x50, 9, 0, 0]) }],
      chunksAfter: [{ id: 'junk', data: odd }],
    });
    const path = join(dir, 'chunks.wav');
    await writeFile(path, bytes);
    const w = await decodeWavFile(path);
    expect(w.chunks).toEqual(['LIST', 'fact', 'fmt ', 'data', 'junk']);
    expect(maxAbsDiff(w.samples, y)).toBe(0);
    // an odd-length data chunk followed by another chunk: the pad byte must be skipped
    const oddData = riff([['fmt ', fmt(1, 1, 8000, 8)], ['data', Uint8Array.from([128, 255, 0])], ['LIST', Uint8Array.from([9, 9])]]);
    expect(decodeWav(oddData, 'odd').chunks).toEqual(['fmt ', 'data', 'LIST']);
  });
  it('readWavInfo reads past a metadata chunk larger than its first 64 KiB read', async () => {
    const path = join(dir, 'biglist.wav');
    await writeFile(path, encodeWav([y], 8000, { chunksBefore: [{ id: 'LIST', data: new Uint8Array(200_001) }] }));
    const info = await readWavInfo(path);
    expect(info).toMatchObject({ sampleRate: 8000, frames: y.length, chunks: ['LIST', 'fmt ', 'data'] });
  });
});

describe('bad files get an error naming the file and the fault', () => {
  const bad = async (name: string, bytes: Uint8Array, pattern: RegExp) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const err = await decodeWavFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WavDecodeError);
    expect(err).toBeInstanceOf(AudioError);
    expect((err as WavDecodeError).file).toBe(path);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(pattern);
    return err as WavDecodeError;
  };
  it('truncated data chunk (a real file cut short)', async () => {
    const real = await readFile(george);
    await bad('cut.wav', real.subarray(0, real.length - 101), /truncated: data chunk declares \d+ bytes but only \d+ remain/);
    const info = await readWavInfo(join(dir, 'cut.wav')).catch((e: unknown) => e);
    expect((info as Error).message).toMatch(/truncated/);
  });
  it('not a WAV, too short, RIFX, missing chunks', async () => {
    await bad('text.wav', Buffer.from('hello, this is not a wave file'), /not a WAV file/);
    await bad('tiny.wav', Buffer.from('RIFF'), /too short/);
    const rifx = Buffer.from(encodeWav([y.subarray(0, 10)], 8000));
    rifx.write('RIFX', 0, 'latin1');
    await bad('rifx.wav', rifx, /RIFX files are not supported/);
    await bad('nodata.wav', riff([['fmt ', fmt(1, 1, 8000, 16)]]), /no data chunk/);
    await bad('nofmt.wav', riff([['data', Uint8Array.from([0, 0])]]), /no fmt chunk/);
  });
  it('unsupported or inconsistent formats', async () => {
    await bad('adpcm.wav', riff([['fmt ', fmt(2, 1, 8000, 16)], ['data', Uint8Array.from([0, 0])]]), /format tag 0x2 is not supported/);
    await bad('pcm12.wav', riff([['fmt ', fmt(1, 1, 8000, 12)], ['data', Uint8Array.from([0, 0])]]), /12 bits per sample/);
    const f = Buffer.from(fmt(1, 2, 8000, 16));
    f.writeUInt16LE(3, 12);
    await bad('align.wav', riff([['fmt ', f], ['data', Uint8Array.from([0, 0, 0, 0])]]), /block align 3/);
    await bad('partial.wav', riff([['fmt ', fmt(1, 2, 8000, 16)], ['data', Uint8Array.from([0, 0, 0, 0, 0, 0])]]), /not a whole number/);
  });
  it('NaN or infinite float samples, and an empty data chunk when features are asked for', async () => {
    await bad('nan.wav', encodeWav([Float32Array.from([0.1, NaN, 0.2])], 8000, { format: 'float' }), /corrupt: sample frame 1 is NaN/);
    const empty = join(dir, 'empty.wav');
    await writeFile(empty, encodeWav([new Float32Array(0)], 8000));
    expect((await readWavInfo(empty)).frames).toBe(0);
    await expect(logMelFromFile(empty)).rejects.toThrow(`${empty}: no audio: the data chunk holds 0 sample frames`);
  });
  it('a missing file', async () => {
    const path = join(dir, 'missing.wav');
    await expect(decodeWavFile(path)).rejects.toThrow(`${path}: cannot read file (ENOENT)`);
    await expect(readWavInfo(path)).rejects.toThrow(/ENOENT/);
  });
});
