/**
 * `slt features FILE [--sr N|native] [--duration D] [--out X.f32|X.png] [--json] ...`: computes
 * a clip's log-mel (librosa defaults unless told otherwise), prints the image shape and value
 * ranges; `--out X.f32` writes the dB array exactly as librosa's power_to_db returns it
 * (little-endian float32, row-major [n_mels, frames]) plus `X.json`; `--out X.png` a picture.
 * FILE is WAV, FLAC, Ogg Vorbis or MP3 (found by content). Exit 1 on bad input (the message names
 * the flag or file and what is valid).
 */
import type { Command } from 'commander';
import {
  AudioError,
  AudioOptionError,
  FeatureCache,
  featureToImage,
  logMelFromFile,
  resolveFeatureOptions,
  writeFeatureF32,
  writeFeaturePng,
  type FeatureKind,
  type FileFeatureOptions,
} from '@slt/audio';
import { CliError } from '../errors.js';

class FeaturesCommandError extends CliError {}

/** Library option name -> the flag that sets it (for error messages). */
const FLAG_OF: Record<string, string> = {
  sampleRate: '--sr',
  durationSeconds: '--duration',
  pad: '--pad',
  trimTopDb: '--trim-top-db',
  nFft: '--n-fft',
  hopLength: '--hop-length',
  nMels: '--n-mels',
  fMin: '--fmin',
  fMax: '--fmax',
  topDb: '--top-db',
  kind: '--kind',
  nMfcc: '--n-mfcc',
  channels: '--channels',
};

interface RawOptions {
  sr: string;
  duration?: string;
  pad: string;
  trim: boolean;
  trimTopDb?: string;
  nFft?: string;
  hopLength?: string;
  nMels?: string;
  fmin?: string;
  fmax?: string;
  topDb?: string;
  kind: string;
  nMfcc?: string;
  channels: string;
  out?: string;
  cache?: string;
  json?: boolean;
}

function num(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new FeaturesCommandError(`${flag} ${JSON.stringify(value)}: expected a number`);
  return v;
}

function toLibOptions(o: RawOptions): FileFeatureOptions & { channels: 1 | 3 } {
  let sampleRate: number | 'native';
  if (o.sr === 'native') sampleRate = 'native';
  else {
    const v = Number(o.sr);
    if (!Number.isInteger(v)) throw new FeaturesCommandError(`--sr ${JSON.stringify(o.sr)}: expected an integer rate in Hz or 'native'`);
    sampleRate = v;
  }
  const channels = Number(o.channels);
  if (channels !== 1 && channels !== 3) throw new FeaturesCommandError(`--channels ${JSON.stringify(o.channels)}: expected 1 or 3`);
  return {
    sampleRate,
    durationSeconds: num('--duration', o.duration) ?? null,
    pad: o.pad as 'zero' | 'repeat',
    trimSilence: o.duration !== undefined ? o.trim : false,
    trimTopDb: num('--trim-top-db', o.trimTopDb),
    nFft: num('--n-fft', o.nFft),
    hopLength: num('--hop-length', o.hopLength),
    nMels: num('--n-mels', o.nMels),
    fMin: num('--fmin', o.fmin),
    fMax: num('--fmax', o.fmax) ?? null,
    topDb: num('--top-db', o.topDb),
    kind: o.kind as FeatureKind,
    nMfcc: num('--n-mfcc', o.nMfcc),
    channels,
  };
}

function range(a: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

async function run(file: string, raw: RawOptions): Promise<void> {
  if (raw.out !== undefined && !/\.(f32|png)$/i.test(raw.out)) {
    throw new FeaturesCommandError(`--out ${JSON.stringify(raw.out)}: expected a path ending in .f32 or .png`);
  }
  const { channels, ...options } = toLibOptions(raw);
  let resolved;
  try {
    resolved = resolveFeatureOptions(options);
  } catch (err) {
    if (err instanceof AudioOptionError) {
      throw new FeaturesCommandError(`${FLAG_OF[err.option] ?? err.option}: ${err.message.replace(/^option \S+: /, '')}`, { cause: err });
    }
    throw err;
  }
  const cache = raw.cache ? new FeatureCache(raw.cache) : undefined;
  let m;
  try {
    m = await logMelFromFile(file, { ...resolved, cache });
  } catch (err) {
    if (err instanceof AudioOptionError) {
      throw new FeaturesCommandError(`${FLAG_OF[err.option] ?? err.option}: ${err.message.replace(/^option \S+: /, '')}`, { cause: err });
    }
    if (err instanceof AudioError) throw new FeaturesCommandError(err.message, { cause: err });
    throw err;
  }
  const img = featureToImage(m, { kind: resolved.kind, topDb: resolved.topDb, channels });
  const valueRange = range(m.data);
  const imageRange = range(img.data);
  let written: string[] = [];
  if (raw.out) {
    try {
      if (/\.f32$/i.test(raw.out)) {
        const params = { file, ...resolved, channels, librosa: librosaEquivalent(resolved) };
        const w = await writeFeatureF32(raw.out, m, params);
        written = [w.data, w.json];
      } else {
        written = [await writeFeaturePng(raw.out, m)];
      }
    } catch (err) {
      throw new FeaturesCommandError(err instanceof Error ? err.message : String(err), { cause: err });
    }
  }
  const report = {
    file,
    kind: resolved.kind,
    shape: img.shape,
    featureShape: m.shape,
    sampleRate: m.sampleRate,
    sourceSampleRate: m.sourceSampleRate,
    sourceDurationSeconds: m.durationSeconds,
    samples: m.samples,
    valueRange,
    imageRange,
    written,
  };
  if (raw.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const unit = resolved.kind === 'mfcc' ? '' : ' dB';
  const lines = [
    `${file}: ${resolved.kind} image ${img.shape.join('x')} (rows x frames x channels) at ${m.sampleRate} Hz` +
      ` (source ${m.sourceSampleRate} Hz, ${m.durationSeconds.toFixed(3)} s)`,
    `values ${valueRange.min.toFixed(4)} .. ${valueRange.max.toFixed(4)}${unit}; image ${imageRange.min.toFixed(4)} .. ${imageRange.max.toFixed(4)}`,
    ...written.map((p) => `wrote ${p}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The librosa calls the written array is equal to (recorded in X.json). */
function librosaEquivalent(r: ReturnType<typeof resolveFeatureOptions>): string {
  const sr = r.sampleRate === 'native' ? 'None' : String(r.sampleRate);
  const mel = `n_fft=${r.nFft}, hop_length=${r.hopLength}, n_mels=${r.nMels}, fmin=${r.fMin}, fmax=${r.fMax ?? 'None'}`;
  const fix = r.durationSeconds === null ? '' : ` (after trim${r.trimSilence ? '' : ' off'} + ${r.pad}-pad to ${r.durationSeconds} s)`;
  if (r.kind === 'stft') return `power_to_db(abs(stft(load(file, sr=${sr}, res_type='polyphase')[0], n_fft=${r.nFft}, hop_length=${r.hopLength}))**2, ref=np.max, top_db=${r.topDb})${fix}`;
  if (r.kind === 'mfcc') return `feature.mfcc(y=y, sr=sr, n_mfcc=${r.nMfcc}, ${mel}), y, sr = load(file, sr=${sr}, res_type='polyphase')${fix}`;
  return `power_to_db(feature.melspectrogram(y=y, sr=sr, ${mel}), ref=np.max, top_db=${r.topDb}), y, sr = load(file, sr=${sr}, res_type='polyphase')${fix}`;
}

/** Registers `slt features`. */
export function registerFeatures(program: Command): void {
  program
    .command('features')
    .description("Compute an audio file's log-mel image (librosa defaults) and print its shape and value range")
    .argument('<file>', 'audio file: WAV (PCM 8/16/24/32-bit or float 32/64), FLAC, Ogg Vorbis or MP3; any channels')
    .option('--sr <rate>', "sample rate in Hz, or 'native' for the file's", '22050')
    .option('--duration <seconds>', 'fixed length: trim trailing silence, then pad or cut to this many seconds')
    .option('--pad <mode>', "how a short clip is filled: 'zero' or 'repeat'", 'zero')
    .option('--no-trim', 'with --duration, do not trim trailing silence first')
    .option('--trim-top-db <db>', 'trailing silence threshold, dB below the loudest frame (default 60)')
    .option('--kind <kind>', "'logmel', 'mfcc' or 'stft'", 'logmel')
    .option('--n-fft <n>', 'FFT size, a power of two (default 2048)')
    .option('--hop-length <n>', 'hop between frames in samples (default 512)')
    .option('--n-mels <n>', 'mel bands (default 128)')
    .option('--fmin <hz>', 'lowest mel frequency (default 0)')
    .option('--fmax <hz>', 'highest mel frequency (default sr/2)')
    .option('--top-db <db>', 'dynamic range kept below the maximum (default 80)')
    .option('--n-mfcc <n>', 'MFCC coefficients with --kind mfcc (default 20)')
    .option('--channels <n>', 'image channels, 1 or 3', '1')
    .option('--out <path>', 'write X.f32 (dB, float32 LE, [rows, frames]) + X.json, or X.png')
    .option('--cache <dir>', 'feature cache folder (keyed by file content and options)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: RawOptions) => run(file, opts));
}
