/**
 * WAV writing, mainly to make test inputs of every supported encoding (and for users who want
 * to save a processed clip). Integer samples: round(x * 2^(n-1)) clipped; 8-bit stored unsigned.
 */
import { AudioOptionError } from './errors.js';

/** How {@link encodeWav} stores samples. */
export interface EncodeWavOptions {
  /** `pcm` (integer) or `float` (IEEE float). Default `pcm`. */
  format?: 'pcm' | 'float';
  /** Bits per sample: 8, 16, 24 or 32 for PCM; 32 or 64 for float. Default 16 (PCM) or 32 (float). */
  bitsPerSample?: number;
  /** Write a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk instead of the plain one. Default false. */
  extensible?: boolean;
  /** Extra chunks written before the fmt chunk (e.g. `{ id: 'LIST', data }`); odd sizes get a pad byte. */
  chunksBefore?: { id: string; data: Uint8Array }[];
  /** Extra chunks written after the data chunk. */
  chunksAfter?: { id: string; data: Uint8Array }[];
}

/**
 * Encodes channels of float samples (all the same length) as a WAV file.
 * @param channels one Float32Array per channel.
 * @param sampleRate samples per second.
 */
export function encodeWav(channels: Float32Array[], sampleRate: number, options: EncodeWavOptions = {}): Uint8Array {
  const format = options.format ?? 'pcm';
  const bits = options.bitsPerSample ?? (format === 'pcm' ? 16 : 32);
  if (format === 'pcm' && ![8, 16, 24, 32].includes(bits)) throw new AudioOptionError('bitsPerSample', bits, '8, 16, 24 or 32 for PCM');
  if (format === 'float' && bits !== 32 && bits !== 64) throw new AudioOptionError('bitsPerSample', bits, '32 or 64 for float');
  if (channels.length < 1) throw new AudioOptionError('channels', channels.length, 'at least one channel');
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new AudioOptionError('sampleRate', sampleRate, 'a positive integer');
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) throw new AudioOptionError('channels', channels.map((c) => c.length), 'equal lengths');
  const nch = channels.length;
  const bytesPer = bits / 8;
  const blockAlign = nch * bytesPer;
  const dataBytes = frames * blockAlign;
  const fmtSize = options.extensible ? 40 : 16;
  const extra = (list?: { id: string; data: Uint8Array }[]) =>
    (list ?? []).reduce((s, c) => s + 8 + c.data.length + (c.data.length & 1), 0);
  const total = 12 + extra(options.chunksBefore) + 8 + fmtSize + 8 + dataBytes + (dataBytes & 1) + extra(options.chunksAfter);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  const id = (s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
    at += 4;
  };
  const u32 = (v: number) => {
    view.setUint32(at, v, true);
    at += 4;
  };
  const u16 = (v: number) => {
    view.setUint16(at, v, true);
    at += 2;
  };
  const chunks = (list?: { id: string; data: Uint8Array }[]) => {
    for (const c of list ?? []) {
      id(c.id);
      u32(c.data.length);
      out.set(c.data, at);
      at += c.data.length + (c.data.length & 1);
    }
  };
  id('RIFF');
  u32(total - 8);
  id('WAVE');
  chunks(options.chunksBefore);
  id('fmt ');
  u32(fmtSize);
  const code = format === 'pcm' ? 1 : 3;
  u16(options.extensible ? 0xfffe : code);
  u16(nch);
  u32(sampleRate);
  u32(sampleRate * blockAlign);
  u16(blockAlign);
  u16(bits);
  if (options.extensible) {
    u16(22);
    u16(bits);
    u32(0);
    u16(code);
    for (const b of [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]) out[at++] = b;
  }
  id('data');
  u32(dataBytes);
  const scale = 2 ** (bits - 1);
  const toInt = (x: number) => Math.max(-scale, Math.min(scale - 1, Math.round(x * scale)));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const x = channels[c][i];
      if (format === 'float') {
        if (bits === 32) view.setFloat32(at, x, true);
        else view.setFloat64(at, x, true);
      } else if (bits === 8) view.setUint8(at, toInt(x) + 128);
      else if (bits === 16) view.setInt16(at, toInt(x), true);
      else if (bits === 32) view.setInt32(at, toInt(x), true);
      else {
        const v = toInt(x);
        view.setUint8(at, v & 0xff);
        view.setUint8(at + 1, (v >> 8) & 0xff);
        view.setUint8(at + 2, (v >> 16) & 0xff);
      }
      at += bytesPer;
    }
  }
  at += dataBytes & 1;
  chunks(options.chunksAfter);
  return out;
}
