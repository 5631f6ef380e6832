/**
 * The audio-to-image pipeline: WAV/FLAC/Ogg Vorbis/MP3 -> mono float32 -> resample -> (trim + fixed length) ->
 * power spectrogram -> mel (or linear STFT) -> dB (-> MFCC) -> normalised image.
 */
import { fixLength, trailingSoundEnd, type PadMode } from './duration.js';
import { decodeAudio, readAudioBytes } from './decode.js';
import { AudioDecodeError, AudioOptionError } from './errors.js';
import { applyFilterBank, melFilterBank, mfccFromDb, powerToDb } from './mel.js';
import { resample } from './resample.js';
import { checkFrameParams, powerSpectrogram } from './spectrum.js';
import type { FeatureCache } from './cache.js';

/** Which time-frequency picture to compute. */
export type FeatureKind = 'logmel' | 'mfcc' | 'stft';

/** Options of the feature pipeline. Defaults are librosa's (`load` + `melspectrogram` + `power_to_db`). */
export interface FeatureOptions {
  /** Target sample rate in Hz, or `'native'` to keep the file's. Default 22050 (librosa's). */
  sampleRate?: number | 'native';
  /** Fixed clip length D in seconds (trim trailing silence, then pad or cut); null = as long as the file. Default null. */
  durationSeconds?: number | null;
  /** How a clip shorter than D is filled: `'zero'` or `'repeat'`. Default `'zero'`. */
  pad?: PadMode;
  /** Trim trailing silence before fixing the length. Default true when `durationSeconds` is set, else false. */
  trimSilence?: boolean;
  /** Threshold for trailing silence, dB below the loudest frame (librosa.effects.trim's top_db). Default 60. */
  trimTopDb?: number;
  /** FFT size (power of two). Default 2048. */
  nFft?: number;
  /** Hop between frames in samples. Default 512. */
  hopLength?: number;
  /** Mel bands. Default 128. */
  nMels?: number;
  /** Lowest mel band edge in Hz. Default 0. */
  fMin?: number;
  /** Highest mel band edge in Hz; null = sampleRate / 2. Default null. */
  fMax?: number | null;
  /** power_to_db's top_db: dynamic range kept in dB (also the image normalisation range). Default 80. */
  topDb?: number;
  /** `'logmel'` (default), `'mfcc'` (DCT of the dB mel, librosa.feature.mfcc) or `'stft'` (dB linear power). */
  kind?: FeatureKind;
  /** MFCC coefficients when kind is `'mfcc'`. Default 20. */
  nMfcc?: number;
}

/** Every option resolved to a concrete value (what the cache keys on and `X.json` records). */
export interface ResolvedFeatureOptions {
  /** See {@link FeatureOptions.sampleRate}. */
  sampleRate: number | 'native';
  /** See {@link FeatureOptions.durationSeconds}. */
  durationSeconds: number | null;
  /** See {@link FeatureOptions.pad}. */
  pad: PadMode;
  /** See {@link FeatureOptions.trimSilence}. */
  trimSilence: boolean;
  /** See {@link FeatureOptions.trimTopDb}. */
  trimTopDb: number;
  /** See {@link FeatureOptions.nFft}. */
  nFft: number;
  /** See {@link FeatureOptions.hopLength}. */
  hopLength: number;
  /** See {@link FeatureOptions.nMels}. */
  nMels: number;
  /** See {@link FeatureOptions.fMin}. */
  fMin: number;
  /** See {@link FeatureOptions.fMax}. */
  fMax: number | null;
  /** See {@link FeatureOptions.topDb}. */
  topDb: number;
  /** See {@link FeatureOptions.kind}. */
  kind: FeatureKind;
  /** See {@link FeatureOptions.nMfcc}. */
  nMfcc: number;
}

/** A 2-D feature in dB (or MFCC), row-major [rows, frames], plus where it came from. */
export interface FeatureMatrix {
  /** Row-major [rows, frames] float32: dB exactly as power_to_db returns it (MFCC values for kind mfcc). */
  data: Float32Array;
  /** [rows, frames]: rows = nMels (logmel), nFft/2 + 1 (stft) or nMfcc (mfcc). */
  shape: [number, number];
  /** Rate the features were computed at, Hz. */
  sampleRate: number;
  /** Duration of the source file in seconds (before trim/pad). */
  durationSeconds: number;
  /** Native rate of the source file, Hz. */
  sourceSampleRate: number;
  /** Samples that entered the STFT (after resample, trim and pad). */
  samples: number;
}

const KINDS: FeatureKind[] = ['logmel', 'mfcc', 'stft'];

/** Fills in defaults and checks every option; errors name the option and the valid range. */
export function resolveFeatureOptions(options: FeatureOptions = {}): ResolvedFeatureOptions {
  const sampleRate = options.sampleRate ?? 22050;
  if (sampleRate !== 'native' && (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384000)) {
    throw new AudioOptionError('sampleRate', sampleRate, "an integer in Hz between 1000 and 384000, or 'native'");
  }
  const durationSeconds = options.durationSeconds ?? null;
  if (durationSeconds !== null && !(Number.isFinite(durationSeconds) && durationSeconds > 0 && durationSeconds <= 3600)) {
    throw new AudioOptionError('durationSeconds', durationSeconds, 'a number of seconds in (0, 3600], or null for no limit');
  }
  const pad = options.pad ?? 'zero';
  if (pad !== 'zero' && pad !== 'repeat') throw new AudioOptionError('pad', pad, "'zero' or 'repeat'");
  const kind = options.kind ?? 'logmel';
  if (!KINDS.includes(kind)) throw new AudioOptionError('kind', kind, KINDS.map((k) => `'${k}'`).join(', '));
  const r: ResolvedFeatureOptions = {
    sampleRate,
    durationSeconds,
    pad,
    trimSilence: options.trimSilence ?? durationSeconds !== null,
    trimTopDb: options.trimTopDb ?? 60,
    nFft: options.nFft ?? 2048,
    hopLength: options.hopLength ?? 512,
    nMels: options.nMels ?? 128,
    fMin: options.fMin ?? 0,
    fMax: options.fMax ?? null,
    topDb: options.topDb ?? 80,
    kind,
    nMfcc: options.nMfcc ?? 20,
  };
  checkFrameParams(r.nFft, r.hopLength);
  if (!(r.trimTopDb > 0)) throw new AudioOptionError('trimTopDb', r.trimTopDb, 'a positive number of dB');
  if (!(r.topDb > 0 && r.topDb <= 400)) throw new AudioOptionError('topDb', r.topDb, 'a number of dB in (0, 400]');
  if (!Number.isInteger(r.nMels) || r.nMels < 1 || r.nMels > 1024) throw new AudioOptionError('nMels', r.nMels, 'an integer between 1 and 1024');
  if (kind === 'mfcc' && (!Number.isInteger(r.nMfcc) || r.nMfcc < 1 || r.nMfcc > r.nMels)) {
    throw new AudioOptionError('nMfcc', r.nMfcc, `an integer between 1 and nMels (${r.nMels})`);
  }
  return r;
}

/**
 * Features of mono samples already in memory.
 * @param samples mono float32 at `sourceRate`.
 * @param sourceRate their sample rate in Hz.
 */
export function computeFeatures(samples: Float32Array, sourceRate: number, options: FeatureOptions = {}): FeatureMatrix {
  const o = resolveFeatureOptions(options);
  if (samples.length === 0) throw new AudioOptionError('samples', 0, 'a signal of at least one sample');
  if (!Number.isInteger(sourceRate) || sourceRate < 1) throw new AudioOptionError('sourceRate', sourceRate, 'a positive integer in Hz');
  const sr = o.sampleRate === 'native' ? sourceRate : o.sampleRate;
  let y = resample(samples, sourceRate, sr);
  if (o.durationSeconds !== null) {
    if (o.trimSilence) y = y.subarray(0, trailingSoundEnd(y, o.trimTopDb, o.nFft, o.hopLength));
    y = fixLength(y, Math.max(1, Math.round(o.durationSeconds * sr)), o.pad);
  }
  const power = powerSpectrogram(y, o.nFft, o.hopLength);
  let rows: number;
  let data: Float32Array;
  if (o.kind === 'stft') {
    rows = power.rows;
    data = powerToDb(power.data, { ref: 'max', topDb: o.topDb });
  } else {
    if (o.fMax !== null && !(o.fMax > 0 && o.fMax <= sr / 2)) {
      throw new AudioOptionError('fMax', o.fMax, `a frequency in Hz in (0, ${sr / 2}] (half the sample rate ${sr})`);
    }
    const bank = melFilterBank({ sampleRate: sr, nFft: o.nFft, nMels: o.nMels, fMin: o.fMin, fMax: o.fMax ?? sr / 2 });
    const mel = applyFilterBank(bank, power);
    if (o.kind === 'logmel') {
      rows = mel.rows;
      data = powerToDb(mel.data, { ref: 'max', topDb: o.topDb });
    } else {
      // librosa.feature.mfcc: power_to_db with ref=1.0 (not max), then DCT-II ortho.
      const db = powerToDb(mel.data, { ref: 1, topDb: o.topDb });
      const m = mfccFromDb({ data: db, rows: mel.rows, cols: mel.cols }, o.nMfcc);
      rows = m.rows;
      data = m.data;
    }
  }
  return {
    data,
    shape: [rows, power.cols],
    sampleRate: sr,
    durationSeconds: samples.length / sourceRate,
    sourceSampleRate: sourceRate,
    samples: y.length,
  };
}

/** Options of the file-level functions: the feature options plus an optional on-disk cache. */
export interface FileFeatureOptions extends FeatureOptions {
  /** Feature cache: a hit (same file content, same options) skips decoding entirely. */
  cache?: FeatureCache;
}

/**
 * The dB feature of an audio file (WAV, FLAC, Ogg Vorbis or MP3; log-mel by default, exactly as librosa's power_to_db returns it),
 * row-major [rows, frames]. With `cache`, a second call for the same content and options decodes nothing.
 */
export async function logMelFromFile(path: string, options: FileFeatureOptions = {}): Promise<FeatureMatrix> {
  const { cache, ...rest } = options;
  const resolved = resolveFeatureOptions(rest);
  const bytes = await readAudioBytes(path);
  const key = cache ? cache.keyFor(bytes, resolved) : '';
  if (cache) {
    const hit = await cache.get(key);
    if (hit) return hit;
  }
  const audio = await decodeAudio(bytes, path);
  if (audio.samples.length === 0) throw new AudioDecodeError(path, `no audio: ${audio.format === 'wav' ? 'the data chunk' : 'the file'} holds 0 sample frames`);
  const m = computeFeatures(audio.samples, audio.sampleRate, resolved);
  if (cache) await cache.set(key, m);
  return m;
}

/** A model-ready image of a sound: [height, width, channels] float32 in [0, 1], row-major HWC. */
export interface AudioImage {
  /** Row-major HWC float32 in [0, 1]. */
  data: Float32Array;
  /** [rows (mel bands), frames, channels]. */
  shape: [number, number, number];
  /** Rate the features were computed at, Hz. */
  sampleRate: number;
  /** Duration of the source file in seconds (before trim/pad). */
  durationSeconds: number;
}

/** Options of {@link audioFileToImage}: the file options plus the image channels. */
export interface ImageOptions extends FileFeatureOptions {
  /** 1 (grey) or 3 (the grey plane repeated, for ImageNet backbones). Default 1. */
  channels?: 1 | 3;
}

/** Options of {@link featureToImage}. */
export interface FeatureImageOptions {
  /** The kind the matrix was computed as; `'mfcc'` is min-max scaled, the others by topDb. Default `'logmel'`. */
  kind?: FeatureKind;
  /** dB range mapped to [0, 1] (the power_to_db top_db used). Default 80. */
  topDb?: number;
  /** 1 or 3 channels. Default 1. */
  channels?: 1 | 3;
}

/**
 * Normalises a feature to an image: dB features as (db + topDb) / topDb clipped to [0, 1]
 * (docs/CONTRACTS.md); MFCC min-max scaled per clip.
 */
export function featureToImage(m: FeatureMatrix, options: FeatureImageOptions = {}): AudioImage {
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new AudioOptionError('channels', channels, '1 or 3');
  const kind = options.kind ?? 'logmel';
  const topDb = options.topDb ?? 80;
  const [rows, cols] = m.shape;
  const n = rows * cols;
  const out = new Float32Array(n * channels);
  let lo = 0;
  let span = 1;
  if (kind === 'mfcc') {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (m.data[i] < min) min = m.data[i];
      if (m.data[i] > max) max = m.data[i];
    }
    lo = min;
    span = max > min ? max - min : 1;
  } else {
    lo = -topDb;
    span = topDb;
  }
  for (let i = 0; i < n; i++) {
    const v = Math.min(1, Math.max(0, (m.data[i] - lo) / span));
    if (channels === 1) out[i] = v;
    else out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = v;
  }
  return { data: out, shape: [rows, cols, channels], sampleRate: m.sampleRate, durationSeconds: m.durationSeconds };
}

/** An audio file as a normalised model image [rows, frames, channels] (see {@link featureToImage}). */
export async function audioFileToImage(path: string, options: ImageOptions = {}): Promise<AudioImage> {
  const { channels, ...rest } = options;
  const m = await logMelFromFile(path, rest);
  const resolved = resolveFeatureOptions(rest);
  return featureToImage(m, { kind: resolved.kind, topDb: resolved.topDb, channels });
}
