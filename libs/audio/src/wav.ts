/**
 * WAV (RIFF/WAVE) reading: PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, any
 * channel count mixed to mono, unknown chunks (LIST, fact, cue, ...) skipped with their pad byte.
 * Integer samples are scaled as libsndfile does (and so as librosa/soundfile see them):
 * 8-bit unsigned (u - 128) / 128, n-bit signed s / 2^(n-1).
 */
import { open, readFile } from 'node:fs/promises';
import { WavDecodeError } from './errors.js';
import { printableBytes } from './printable.js';

/** Header facts of a WAV file, as `slt data inspect` reports them. */
export interface WavInfo {
  /** The file (or buffer label) described. */
  file: string;
  /** Samples per second of one channel. */
  sampleRate: number;
  /** Channel count (the decoder mixes them to mono). */
  channels: number;
  /** Bits of one stored sample (8, 16, 24, 32 or 64). */
  bitsPerSample: number;
  /** `pcm` (integer samples) or `float` (IEEE float). */
  format: 'pcm' | 'float';
  /** The fmt chunk's format tag: 1 (PCM), 3 (IEEE float) or 0xFFFE (WAVE_FORMAT_EXTENSIBLE). */
  formatTag: number;
  /** Sample frames (samples per channel) in the data chunk. */
  frames: number;
  /** frames / sampleRate. */
  durationSeconds: number;
  /** Ids of every chunk seen, in file order (e.g. `['fmt ', 'LIST', 'data']`). */
  chunks: string[];
}

/** A decoded WAV file: mono float32 samples plus its header facts. */
export interface DecodedWav extends WavInfo {
  /** Mono samples (mean of the channels), float32, nominally in [-1, 1]. */
  samples: Float32Array;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Tail of the KSDATAFORMAT_SUBTYPE_* GUIDs (bytes 2..15 as stored). */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

interface Layout {
  info: WavInfo;
  dataOffset: number;
  dataBytes: number;
  blockAlign: number;
}

/** A chunk id as printable text (non-printable bytes written `\xNN`, so errors stay printable). */
function fourcc(buf: Uint8Array, at: number): string {
  return printableBytes(buf, at, 4);
}

function parseFmt(file: string, view: DataView, at: number, size: number) {
  if (size < 16) throw new WavDecodeError(file, `fmt chunk is ${size} bytes, at least 16 expected`);
  const formatTag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  let code = formatTag;
  if (formatTag === FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavDecodeError(file, `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, 40 expected`);
    code = view.getUint16(at + 24, true);
    for (let i = 0; i < GUID_TAIL.length; i++) {
      if (view.getUint8(at + 26 + i) !== GUID_TAIL[i]) {
        throw new WavDecodeError(file, 'WAVE_FORMAT_EXTENSIBLE sub-format GUID is not PCM or IEEE float');
      }
    }
  }
  let format: 'pcm' | 'float';
  if (code === FORMAT_PCM) {
    if (![8, 16, 24, 32].includes(bitsPerSample)) {
      throw new WavDecodeError(file, `PCM with ${bitsPerSample} bits per sample is not supported (8, 16, 24 or 32)`);
    }
    format = 'pcm';
  } else if (code === FORMAT_FLOAT) {
    if (bitsPerSample !== 32 && bitsPerSample !== 64) {
      throw new WavDecodeError(file, `IEEE float with ${bitsPerSample} bits per sample is not supported (32 or 64)`);
    }
    format = 'float';
  } else {
    throw new WavDecodeError(
      file,
      `format tag 0x${code.toString(16)} is not supported (PCM 0x1, IEEE float 0x3, or WAVE_FORMAT_EXTENSIBLE of those; compressed WAV is not)`,
    );
  }
  if (channels < 1) throw new WavDecodeError(file, 'fmt chunk declares 0 channels');
  if (sampleRate < 1) throw new WavDecodeError(file, 'fmt chunk declares sample rate 0');
  const expectAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectAlign) {
    throw new WavDecodeError(
      file,
      `fmt block align ${blockAlign} does not match ${channels} channel(s) x ${bitsPerSample} bits (${expectAlign})`,
    );
  }
  return { formatTag, channels, sampleRate, blockAlign, bitsPerSample, format };
}

/**
 * Walks the RIFF chunks of `buf`. With `partial` (only a prefix of the file is in `buf`,
 * `fileSize` is the real size) it stops once the data chunk header is found.
 */
function parseLayout(file: string, buf: Uint8Array, fileSize: number, partial: boolean): Layout | 'need-more' {
  if (fileSize < 12) throw new WavDecodeError(file, `file is ${fileSize} bytes, too short for a RIFF/WAVE header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const riff = fourcc(buf, 0);
  if (riff === 'RIFX' || riff === 'RF64') throw new WavDecodeError(file, `${riff} files are not supported (RIFF only)`);
  if (riff !== 'RIFF' || fourcc(buf, 8) !== 'WAVE') {
    throw new WavDecodeError(file, `not a WAV file (header is '${riff}'/'${fourcc(buf, 8)}', expected 'RIFF'/'WAVE')`);
  }
  const chunks: string[] = [];
  let fmt: ReturnType<typeof parseFmt> | undefined;
  let data: { offset: number; bytes: number } | undefined;
  let at = 12;
  while (at + 8 <= fileSize) {
    if (at + 8 > buf.length) return 'need-more';
    const id = fourcc(buf, at);
    const size = view.getUint32(at + 4, true);
    chunks.push(id);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + size > fileSize) throw new WavDecodeError(file, `truncated: fmt chunk needs ${size} bytes, file ends first`);
      if (body + size > buf.length) return 'need-more';
      fmt = parseFmt(file, view, body, size);
    } else if (id === 'data') {
      if (data) throw new WavDecodeError(file, 'more than one data chunk');
      if (body + size > fileSize) {
        throw new WavDecodeError(
          file,
          `truncated: data chunk declares ${size} bytes but only ${fileSize - body} remain in the file`,
        );
      }
      data = { offset: body, bytes: size };
      if (partial && fmt) break;
    } else if (body + size > fileSize) {
      // A damaged trailing metadata chunk after complete audio is tolerated; before it, not.
      if (data && fmt) break;
      throw new WavDecodeError(file, `truncated: chunk '${id}' declares ${size} bytes but only ${fileSize - body} remain`);
    }
    at = body + size + (size & 1);
  }
  if (!fmt) throw new WavDecodeError(file, 'no fmt chunk');
  if (!data) throw new WavDecodeError(file, 'no data chunk');
  if (data.bytes % fmt.blockAlign !== 0) {
    throw new WavDecodeError(
      file,
      `corrupt: data chunk of ${data.bytes} bytes is not a whole number of ${fmt.blockAlign}-byte sample frames`,
    );
  }
  const frames = data.bytes / fmt.blockAlign;
  return {
    info: {
      file,
      sampleRate: fmt.sampleRate,
      channels: fmt.channels,
      bitsPerSample: fmt.bitsPerSample,
      format: fmt.format,
      formatTag: fmt.formatTag,
      frames,
      durationSeconds: frames / fmt.sampleRate,
      chunks,
    },
    dataOffset: data.offset,
    dataBytes: data.bytes,
    blockAlign: fmt.blockAlign,
  };
}

function sampleReader(view: DataView, info: WavInfo): (at: number) => number {
  const { format, bitsPerSample: bits } = info;
  if (format === 'float') {
    return bits === 32 ? (at) => view.getFloat32(at, true) : (at) => view.getFloat64(at, true);
  }
  switch (bits) {
    case 8:
      return (at) => (view.getUint8(at) - 128) / 128;
    case 16:
      return (at) => view.getInt16(at, true) / 32768;
    case 24:
      return (at) => ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608);
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}

/**
 * Decodes a whole WAV file held in memory to mono float32.
 * @param bytes the file's bytes.
 * @param label name used in error messages (usually the path).
 */
export function decodeWav(bytes: Uint8Array, label = '<buffer>'): DecodedWav {
  const layout = parseLayout(label, bytes, bytes.length, false);
  if (layout === 'need-more') throw new WavDecodeError(label, 'internal: incomplete buffer');
  const { info, dataOffset, blockAlign } = layout;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = sampleReader(view, info);
  const n = info.frames;
  const ch = info.channels;
  const step = info.bitsPerSample / 8;
  const samples = new Float32Array(n);
  if (ch === 1) {
    for (let i = 0, at = dataOffset; i < n; i++, at += blockAlign) samples[i] = read(at);
  } else {
    for (let i = 0, at = dataOffset; i < n; i++, at += blockAlign) {
      let sum = 0;
      for (let c = 0; c < ch; c++) sum += read(at + c * step);
      samples[i] = sum / ch;
    }
  }
  if (info.format === 'float') {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(samples[i])) {
        throw new WavDecodeError(label, `corrupt: sample frame ${i} is ${samples[i]} (float samples must be finite)`);
      }
    }
  }
  return { ...info, samples };
}

/** Reads and decodes a WAV file to mono float32; errors name the file. */
export async function decodeWavFile(path: string): Promise<DecodedWav> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new WavDecodeError(path, `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      cause: err,
    });
  }
  return decodeWav(bytes, path);
}

/**
 * Reads only the header of a WAV file (the first 64 KiB, more if chunks before the data need it)
 * and returns its sample rate, channels, sample format, frames and duration.
 */
export async function readWavInfo(path: string): Promise<WavInfo> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new WavDecodeError(path, `cannot open file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      cause: err,
    });
  }
  try {
    const size = (await fh.stat()).size;
    let want = Math.min(size, 65536);
    for (;;) {
      const buf = Buffer.alloc(want);
      const { bytesRead } = await fh.read(buf, 0, want, 0);
      const layout = parseLayout(path, buf.subarray(0, bytesRead), size, bytesRead < size);
      if (layout !== 'need-more') return layout.info;
      if (want >= size) throw new WavDecodeError(path, 'internal: header walk needs more than the file');
      want = Math.min(size, want * 4);
    }
  } finally {
    await fh.close();
  }
}
