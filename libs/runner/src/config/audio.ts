/**
 * The data settings of a search config: audio feature options (the paper's two settings as named
 * presets), image channels, and size limits of the splits. Their zod fields are spread into the
 * search schema; {@link expandAudioPreset} fills in what a preset implies before validation.
 */
import { z } from 'zod';
import { FEATURE_PRESET_NAMES, FEATURE_PRESETS } from '../ports/datasets.js';

/** Names of the audio presets (`--audio-preset`). */
export const AUDIO_PRESET_NAMES = FEATURE_PRESET_NAMES;
/** An audio preset's name. */
export type AudioPresetName = (typeof AUDIO_PRESET_NAMES)[number];
/** How a clip shorter than `duration` is filled. */
export const PAD_MODES = ['zero', 'repeat'] as const;

/** An audio preset in config keys: what `--audio-preset NAME` sets unless given explicitly. */
export interface AudioPreset {
  /** Where the setting comes from, in one line. */
  description: string;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Clip length in seconds. */
  duration: number;
  /** Padding of short clips. */
  pad: (typeof PAD_MODES)[number];
  /** Trim trailing silence first. */
  trim: boolean;
  /** FFT size. */
  nFft: number;
  /** Hop in samples. */
  hop: number;
  /** Mel bands. */
  nMels: number;
  /** Image channels. */
  channels: 1 | 3;
  /** Model input [height, width] = the feature image, so nothing is resized. */
  input: [number, number];
}

/** The paper's settings by name (hospital-alarm: 44.1 kHz, 3.6 s, repeat pad -> 128x311; urbansound8k: 22.05 kHz, 4 s -> 128x173). */
export const AUDIO_PRESETS: Readonly<Record<AudioPresetName, AudioPreset>> = Object.freeze(
  Object.fromEntries(
    AUDIO_PRESET_NAMES.map((name) => {
      const p = FEATURE_PRESETS[name];
      const o = p.options;
      const preset: AudioPreset = {
        description: p.description, sampleRate: o.sampleRate, duration: o.durationSeconds, pad: o.pad, trim: o.trimSilence,
        nFft: o.nFft, hop: o.hopLength, nMels: o.nMels, channels: p.channels, input: [...p.imageShape],
      };
      return [name, preset];
    }),
  ) as Record<AudioPresetName, AudioPreset>,
);

/** The audio keys of a config (a preset fills those not given). */
export const AUDIO_CONFIG_KEYS = ['audioPreset', 'sampleRate', 'duration', 'pad', 'trim', 'nFft', 'hop', 'nMels', 'channels'] as const;
/** The split size limit keys of a config (and `skipUnreadable`). */
export const LIMIT_CONFIG_KEYS = ['trainLimit', 'valLimit', 'testLimit', 'skipUnreadable'] as const;

const intIn = (min: number, max: number, what = `an integer in ${min}..${max}`) =>
  z.number({ error: `expected ${what}` }).int(`expected ${what}`).min(min, `expected ${what}`).max(max, `expected ${what}`);

/** Digits in a string (a YAML/flag value) become a number; anything else is left for zod to refuse. */
const digits = (v: unknown) => (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);

const limit = (split: string) =>
  z.number({ error: `expected an integer number of ${split} examples >= 1, or a fraction in (0, 1)` })
    .refine((n) => Number.isFinite(n) && ((n > 0 && n < 1) || (Number.isInteger(n) && n >= 1)), `expected an integer number of ${split} examples >= 1, or a fraction in (0, 1)`);

/** The zod fields of the data settings (spread into the search config schema). */
export const dataSettingsFields = {
  /** Audio preset: `hospital-alarm` or `urbansound8k`; fills every audio key (and `input`) not given. */
  audioPreset: z.enum(AUDIO_PRESET_NAMES).optional(),
  /** Audio sample rate in Hz (1000..384000), or `native` to keep each file's. Default 22050. */
  sampleRate: z.preprocess(digits, z.union([intIn(1000, 384_000, "an integer in Hz in 1000..384000, or 'native'"), z.literal('native')], { error: "expected an integer in Hz in 1000..384000, or 'native'" })).optional(),
  /** Audio clip length in seconds, (0, 3600]: trailing silence trimmed, then padded or cut. Default: 4 (UrbanSound8K) or the longest clip. */
  duration: z.preprocess(digits, z.number({ error: 'expected a number of seconds in (0, 3600]' }).positive('expected a number of seconds in (0, 3600]').max(3600, 'expected a number of seconds in (0, 3600]')).optional(),
  /** How a clip shorter than `duration` is filled: `zero` or `repeat`. Default zero. */
  pad: z.enum(PAD_MODES).optional(),
  /** Trim trailing silence before fixing the length. Default true when a duration applies. */
  trim: z.boolean({ error: 'expected true or false' }).optional(),
  /** FFT size: a power of two in 16..65536. Default 2048. */
  nFft: z.preprocess(digits, intIn(16, 65_536, 'a power of two in 16..65536').refine((n) => (n & (n - 1)) === 0, 'expected a power of two in 16..65536')).optional(),
  /** Hop between frames in samples, 1..nFft. Default 512. */
  hop: z.preprocess(digits, intIn(1, 65_536, 'an integer in 1..nFft')).optional(),
  /** Mel bands, 1..1024. Default 128. */
  nMels: z.preprocess(digits, intIn(1, 1024)).optional(),
  /** Image channels, 1 (grey) or 3 (the plane repeated). Default 1 (3 for colour image folders). */
  channels: z.preprocess(digits, z.union([z.literal(1), z.literal(3)], { error: 'expected 1 or 3' })).optional(),
  /** Train on a seeded, stratified subset of the training split: N >= 1 examples or a fraction in (0, 1). */
  trainLimit: z.preprocess(digits, limit('training')).optional(),
  /** The same for the validation split (default: whole). */
  valLimit: z.preprocess(digits, limit('validation')).optional(),
  /** The same for the test split (default: whole). */
  testLimit: z.preprocess(digits, limit('test')).optional(),
  /**
   * Leave out files that cannot be read (corrupt or undecodable files; folders, FIFOs or dangling
   * links named like media files) with a warning naming them, instead of failing. Default false.
   */
  skipUnreadable: z.boolean({ error: 'expected true or false' }).optional(),
};

/**
 * Fills in the keys an `audioPreset` implies and that `obj` does not set (the preset's audio
 * keys, channels and `input` = its image size). An unknown preset is left for zod to name.
 */
export function expandAudioPreset(obj: Record<string, unknown>): Record<string, unknown> {
  const name = obj.audioPreset;
  if (typeof name !== 'string' || !(AUDIO_PRESET_NAMES as readonly string[]).includes(name)) return obj;
  const { description: _d, input, ...keys } = AUDIO_PRESETS[name as AudioPresetName];
  const out = { ...obj };
  for (const [k, v] of Object.entries(keys)) if (out[k] === undefined) out[k] = v;
  if (out.input === undefined) out.input = `${input[0]}x${input[1]}`;
  return out;
}

/** Cross-key checks (hop <= nFft). */
export function dataSettingsIssues(c: { nFft?: number; hop?: number }): string[] {
  const nFft = c.nFft ?? 2048;
  if (c.hop !== undefined && c.hop > nFft) return [`hop: got ${c.hop}, expected an integer in 1..nFft (${nFft})`];
  return [];
}

/** The data settings of a config, as MLflow params (only those set). */
export function dataSettingsParams(c: Partial<Record<(typeof AUDIO_CONFIG_KEYS)[number] | (typeof LIMIT_CONFIG_KEYS)[number], unknown>>): Record<string, string | number> {
  const names: Record<string, string> = {
    audioPreset: 'audio_preset', sampleRate: 'audio_sample_rate', duration: 'audio_duration', pad: 'audio_pad', trim: 'audio_trim',
    nFft: 'audio_n_fft', hop: 'audio_hop', nMels: 'audio_n_mels', channels: 'channels', trainLimit: 'train_limit', valLimit: 'val_limit', testLimit: 'test_limit', skipUnreadable: 'skip_unreadable',
  };
  const out: Record<string, string | number> = {};
  for (const [k, p] of Object.entries(names)) {
    const v = (c as Record<string, unknown>)[k];
    if (v !== undefined) out[p] = typeof v === 'number' ? v : String(v);
  }
  return out;
}

/** Appends the value given to each message about a data setting (`key: expected ...` -> `... (got V)`). */
export function withDataValues(lines: string[], obj: Record<string, unknown>): string[] {
  const keys = new Set<string>([...AUDIO_CONFIG_KEYS, ...LIMIT_CONFIG_KEYS]);
  return lines.map((line) => {
    const key = /^(\w+): /.exec(line)?.[1];
    if (!key || !keys.has(key) || !(key in obj) || /\bgot\b/.test(line)) return line;
    const v = obj[key];
    const shown = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? v.trim() : JSON.stringify(v);
    return `${line} (got ${shown})`;
  });
}
