/**
 * Audio files of any supported format -> mono float32. The format is recognised by content (magic
 * bytes), not by extension: WAV (our own reader, see wav.ts), FLAC, Ogg Vorbis and MP3 (MPEG
 * layer I/II/III) through the wasm-audio-decoders family (libFLAC, libvorbis, mpg123 compiled to
 * WebAssembly). Errors name the file and say why in printable text.
 */
import { lstat, open, readFile, readlink, stat } from 'node:fs/promises';
import { AudioDecodeError } from './errors.js';
import { describeLeadingBytes, printableBytes } from './printable.js';
import { decodeWav, readWavInfo } from './wav.js';

/** The formats {@link decodeAudio} reads. */
export type AudioFormat = 'wav' | 'flac' | 'ogg-vorbis' | 'mp3';

/** Every format {@link decodeAudio} reads. */
export const AUDIO_FORMATS: readonly AudioFormat[] = ['wav', 'flac', 'ogg-vorbis', 'mp3'];

/** File extensions (lower case, with the dot) of the supported formats, for folder layouts. */
export const AUDIO_EXTENSIONS: readonly string[] = ['.wav', '.wave', '.flac', '.ogg', '.oga', '.mp3'];

/** Facts of an audio file, as `slt data inspect` reports them. */
export interface AudioInfo {
  /** The file (or buffer label) described. */
  file: string;
  /** The format found in its content. */
  format: AudioFormat;
  /** Samples per second of one channel. */
  sampleRate: number;
  /** Channel count of the stream (decoding mixes them to mono). */
  channels: number;
  /** Sample frames (samples per channel). */
  frames: number;
  /** frames / sampleRate. */
  durationSeconds: number;
}

/** A decoded audio file: mono float32 samples (mean of the channels) plus its facts. */
export interface DecodedAudio extends AudioInfo {
  /** Mono samples, float32, nominally in [-1, 1]. */
  samples: Float32Array;
}

function ascii(buf: Uint8Array, at: number, n: number): string {
  return buf.length >= at + n ? String.fromCharCode(...buf.subarray(at, at + n)) : '';
}

/** Bytes taken by a leading ID3v2 tag (0 when there is none). */
function id3Size(buf: Uint8Array): number {
  if (buf.length < 10 || ascii(buf, 0, 3) !== 'ID3') return 0;
  const size = ((buf[6]! & 0x7f) << 21) | ((buf[7]! & 0x7f) << 14) | ((buf[8]! & 0x7f) << 7) | (buf[9]! & 0x7f);
  return 10 + size + (buf[5]! & 0x10 ? 10 : 0);
}

/** True at an MPEG audio frame header (sync, a valid version, layer, bitrate and rate). */
function isMpegFrame(buf: Uint8Array, at: number): boolean {
  if (buf.length < at + 4 || buf[at] !== 0xff || (buf[at + 1]! & 0xe0) !== 0xe0) return false;
  const version = (buf[at + 1]! >> 3) & 3;
  const layer = (buf[at + 1]! >> 1) & 3;
  const bitrate = buf[at + 2]! >> 4;
  const rate = (buf[at + 2]! >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 15 && rate !== 3;
}

/** The codec of the first Ogg page's first packet. */
function oggCodec(buf: Uint8Array): string {
  if (buf.length < 28) return 'truncated';
  const start = 27 + buf[26]!;
  if (buf[start] === 0x01 && ascii(buf, start + 1, 6) === 'vorbis') return 'vorbis';
  if (ascii(buf, start, 8) === 'OpusHead') return 'Opus';
  if (ascii(buf, start + 1, 4) === 'FLAC') return 'FLAC';
  if (ascii(buf, start, 8) === 'Speex   ') return 'Speex';
  if (ascii(buf, start + 1, 6) === 'theora') return 'Theora (video)';
  return 'unknown';
}

/** Known formats this lib does not decode, to name them in the error. */
function unsupportedName(buf: Uint8Array): string | undefined {
  if (ascii(buf, 4, 4) === 'ftyp') return 'an MP4/M4A (AAC or ALAC) file';
  if (ascii(buf, 0, 4) === 'FORM' && /^AIF[FC]$/.test(ascii(buf, 8, 4))) return 'an AIFF file';
  if (buf[0] === 0xff && (buf[1]! & 0xf6) === 0xf0) return 'an AAC (ADTS) stream';
  if (ascii(buf, 0, 4) === 'MThd') return 'a MIDI file (notes, not sound)';
  if (ascii(buf, 0, 5) === '#!AMR') return 'an AMR file';
  if (ascii(buf, 0, 4) === '.snd') return 'a Sun/NeXT .au file';
  if (ascii(buf, 0, 4) === 'wvpk') return 'a WavPack file';
  if (buf.length >= 4 && buf[0] === 0x1a && buf[1] === 0x45 && buf[2] === 0xdf && buf[3] === 0xa3) return 'a Matroska/WebM file';
  return undefined;
}

const SUPPORTED = 'WAV, FLAC, Ogg Vorbis or MP3';

/**
 * The format of a file's bytes, or an error naming the file and what its content is instead.
 * @param label name used in error messages (usually the path).
 */
export function sniffAudioFormat(bytes: Uint8Array, label = '<buffer>'): AudioFormat {
  if (bytes.length === 0) throw new AudioDecodeError(label, 'file is empty (0 bytes)');
  const head = ascii(bytes, 0, 4);
  if (head === 'RIFF' || head === 'RIFX' || head === 'RF64') return 'wav';
  if (head === 'fLaC') return 'flac';
  if (head === 'OggS') {
    const codec = oggCodec(bytes);
    if (codec === 'vorbis') return 'ogg-vorbis';
    if (codec === 'truncated') throw new AudioDecodeError(label, `truncated Ogg file: ${bytes.length} bytes, not even one page header`);
    throw new AudioDecodeError(label, `Ogg ${codec === 'unknown' ? 'stream of an unknown codec' : codec} is not supported (Ogg Vorbis only; supported: ${SUPPORTED})`);
  }
  const skip = id3Size(bytes);
  if (skip > 0) {
    if (ascii(bytes, skip, 4) === 'fLaC') return 'flac';
    if (isMpegFrame(bytes, skip)) return 'mp3';
    if (skip >= bytes.length) throw new AudioDecodeError(label, `truncated: an ID3 tag of ${skip} bytes and no audio after it`);
  }
  if (isMpegFrame(bytes, 0)) return 'mp3';
  const known = unsupportedName(bytes);
  if (known) throw new AudioDecodeError(label, `${known} is not supported (supported: ${SUPPORTED})`);
  throw new AudioDecodeError(label, `not a ${SUPPORTED} file (unknown content; it starts with bytes ${describeLeadingBytes(bytes)})`);
}

/** The decoders print their own errors on the console; keep those out of the terminal (they come back in `errors`). */
async function quietly<T>(fn: () => Promise<T> | T): Promise<T> {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /^(mpg123-decoder|@wasm-audio-decoders)/.test(args[0])) return;
    original(...args);
  };
  try {
    return await fn();
  } finally {
    console.error = original;
  }
}

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

interface Decoder {
  ready: Promise<void>;
  free(): void;
}

async function runDecoder(label: string, name: string, make: () => Decoder, run: (d: Decoder) => Promise<Decoded> | Decoded): Promise<Decoded> {
  let decoder: Decoder | undefined;
  try {
    decoder = make();
    await decoder.ready;
    return await quietly(() => run(decoder!));
  } catch (err) {
    throw new AudioDecodeError(label, `${name} decoder failed: ${printable(err instanceof Error ? err.message : String(err))}`, { cause: err });
  } finally {
    decoder?.free();
  }
}

function printable(s: string): string {
  return printableBytes(Buffer.from(s, 'utf8'), 0, 300);
}

/** Mean of the channels; an error when nothing came out or the decoder reported errors. */
function toMono(label: string, name: string, out: Decoded): Float32Array {
  if (out.errors.length > 0) {
    const first = printable(out.errors[0]!.message);
    const more = out.errors.length > 1 ? ` (and ${out.errors.length - 1} more)` : '';
    throw new AudioDecodeError(label, `corrupt ${name} data: the decoder reported "${first}"${more} after ${out.samplesDecoded} sample frames`);
  }
  if (out.samplesDecoded === 0 || out.channelData.length === 0) {
    throw new AudioDecodeError(label, `no audio: the ${name} stream decodes to 0 sample frames (corrupt, truncated or empty)`);
  }
  const n = out.samplesDecoded;
  const ch = out.channelData;
  if (ch.length === 1) return ch[0]!.slice(0, n);
  const mono = new Float32Array(n);
  for (const c of ch) for (let i = 0; i < n; i++) mono[i]! += c[i]!;
  for (let i = 0; i < n; i++) mono[i]! /= ch.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(mono[i]!)) throw new AudioDecodeError(label, `corrupt ${name} data: sample frame ${i} is ${mono[i]}`);
  }
  return mono;
}

/**
 * The FLAC decoder scales n-bit integers by 1 / (2^(n-1) - 1); libsndfile (and so WAV here, and
 * librosa/soundfile) by 1 / 2^(n-1). Rescale to the latter, so a FLAC file decodes to exactly the
 * samples of the WAV it was made from: up to 16 bits the integer is recovered exactly (rounding),
 * above that float32 cannot hold it and only the scale is corrected.
 */
function rescaleFlac(out: Decoded & { bitDepth?: number }): void {
  const bits = out.bitDepth ?? 16;
  if (!Number.isInteger(bits) || bits < 4 || bits > 32) return;
  const given = 2 ** (bits - 1) - 1;
  const wanted = 2 ** (bits - 1);
  for (const ch of out.channelData) {
    if (bits <= 16) for (let i = 0; i < ch.length; i++) ch[i] = Math.round(ch[i]! * given) / wanted;
    else for (let i = 0; i < ch.length; i++) ch[i] = (ch[i]! * given) / wanted;
  }
}

/** FLAC STREAMINFO: channels and total sample frames (0 = unknown), after an optional ID3 tag. */
function flacStreamInfo(bytes: Uint8Array): { channels: number; total: number } | undefined {
  const at = id3Size(bytes) + 4;
  if (bytes.length < at + 4 + 34 || (bytes[at]! & 0x7f) !== 0) return undefined;
  const b = bytes.subarray(at + 4, at + 4 + 34);
  const channels = ((b[12]! >> 1) & 7) + 1;
  const total = (b[13]! & 0x0f) * 2 ** 32 + ((b[14]! << 24) >>> 0) + (b[15]! << 16) + (b[16]! << 8) + b[17]!;
  return { channels, total };
}

/** Channels of the first MPEG frame (its mode bits: 3 = mono). */
function mpegChannels(bytes: Uint8Array): number {
  let at = id3Size(bytes);
  while (at + 4 <= bytes.length && !isMpegFrame(bytes, at)) at++;
  return at + 4 <= bytes.length && bytes[at + 3]! >> 6 === 3 ? 1 : 2;
}

/**
 * Decodes a whole audio file held in memory to mono float32 (WAV, FLAC, Ogg Vorbis, MP3; found by content).
 * MP3 is decoded gapless: the encoder delay and padding recorded in a LAME/Xing header are removed.
 * @param bytes the file's bytes.
 * @param label name used in error messages (usually the path).
 */
export async function decodeAudio(bytes: Uint8Array, label = '<buffer>'): Promise<DecodedAudio> {
  const format = sniffAudioFormat(bytes, label);
  let samples: Float32Array;
  let sampleRate: number;
  let channels: number;
  if (format === 'wav') {
    const w = decodeWav(bytes, label);
    return { file: label, format, sampleRate: w.sampleRate, channels: w.channels, frames: w.frames, durationSeconds: w.durationSeconds, samples: w.samples };
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'flac') {
    const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
    const out = await runDecoder(label, 'FLAC', () => new FLACDecoder(), (d) => (d as InstanceType<typeof FLACDecoder>).decodeFile(data));
    const info = flacStreamInfo(bytes);
    if (info && info.total > 0 && out.samplesDecoded < info.total) {
      throw new AudioDecodeError(label, `truncated FLAC: STREAMINFO declares ${info.total} sample frames, only ${out.samplesDecoded} could be decoded`);
    }
    rescaleFlac(out);
    samples = toMono(label, 'FLAC', out);
    ({ sampleRate } = out);
    channels = info?.channels ?? out.channelData.length;
  } else if (format === 'ogg-vorbis') {
    const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
    const out = await runDecoder(label, 'Ogg Vorbis', () => new OggVorbisDecoder(), (d) => (d as InstanceType<typeof OggVorbisDecoder>).decodeFile(data));
    samples = toMono(label, 'Ogg Vorbis', out);
    ({ sampleRate } = out);
    channels = out.channelData.length;
  } else {
    const { MPEGDecoder } = await import('mpg123-decoder');
    const out = await runDecoder(label, 'MP3', () => new MPEGDecoder({ enableGapless: true }), (d) => (d as InstanceType<typeof MPEGDecoder>).decode(data));
    samples = toMono(label, 'MP3', out);
    ({ sampleRate } = out);
    channels = mpegChannels(bytes);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new AudioDecodeError(label, `the ${format} stream declares sample rate ${sampleRate}`);
  return { file: label, format, sampleRate, channels, frames: samples.length, durationSeconds: samples.length / sampleRate, samples };
}

/**
 * Why `path` is not a regular file that can be read (a folder, a FIFO, a socket or device, a
 * dangling symbolic link, missing), or undefined when it is one. Symbolic links are followed.
 * Checked before opening: opening a FIFO would block until a writer appears.
 */
export async function regularFileProblem(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    if (s.isFile()) return undefined;
    if (s.isDirectory()) return 'is a folder, not a file';
    if (s.isFIFO()) return 'is a FIFO (named pipe), not a regular file';
    if (s.isSocket()) return 'is a socket, not a regular file';
    if (s.isCharacterDevice() || s.isBlockDevice()) return 'is a device, not a regular file';
    return 'is not a regular file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const link = await lstat(path).then((l) => l.isSymbolicLink(), () => false);
      if (link) {
        const target = await readlink(path).catch(() => '?');
        return `is a dangling symbolic link (its target ${JSON.stringify(target)} does not exist)`;
      }
      return 'does not exist';
    }
    if (code === 'ELOOP') return 'is a symbolic link loop';
    if (code === 'EACCES') return 'cannot be read (permission denied)';
    return `cannot be read (${code ?? String(err)})`;
  }
}

/** Reads a whole audio file after checking it is a regular file; errors name the file. */
export async function readAudioBytes(path: string): Promise<Buffer> {
  const problem = await regularFileProblem(path);
  if (problem) throw new AudioDecodeError(path, problem);
  try {
    return await readFile(path);
  } catch (err) {
    throw new AudioDecodeError(path, `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}

/** Reads and decodes an audio file (WAV, FLAC, Ogg Vorbis, MP3) to mono float32; errors name the file. */
export async function decodeAudioFile(path: string): Promise<DecodedAudio> {
  return decodeAudio(await readAudioBytes(path), path);
}

/**
 * Facts of an audio file: WAV from its header alone (the first 64 KiB); the compressed formats by
 * decoding the whole file (so a corrupt stream is found here, not in the middle of a search).
 */
export async function readAudioInfo(path: string): Promise<AudioInfo> {
  const problem = await regularFileProblem(path);
  if (problem) throw new AudioDecodeError(path, problem);
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new AudioDecodeError(path, `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  // An ID3 tag can be longer than the head read here; sniff the whole file then.
  if (id3Size(head) < head.length && sniffAudioFormat(head, path) === 'wav') {
    const w = await readWavInfo(path);
    return { file: path, format: 'wav', sampleRate: w.sampleRate, channels: w.channels, frames: w.frames, durationSeconds: w.durationSeconds };
  }
  const { samples: _samples, ...info } = await decodeAudio(await readAudioBytes(path), path);
  return info;
}
