/**
 * The paper's two audio settings as named presets, and the image shape a set of feature options
 * gives for a fixed clip length (so a model's input can be checked against it before decoding).
 */
import { AudioOptionError } from './errors.js';
import { resolveFeatureOptions, type FeatureOptions } from './features.js';
import { frameCount } from './spectrum.js';

/** Names of the built-in feature presets. */
export const FEATURE_PRESET_NAMES = ['hospital-alarm', 'urbansound8k'] as const;
/** A built-in feature preset's name. */
export type FeaturePresetName = (typeof FEATURE_PRESET_NAMES)[number];

/** A preset: concrete feature options, the image channels, and the image shape they give. */
export interface FeaturePreset {
  /** One line saying where the setting comes from. */
  description: string;
  /** The feature options (every field set). */
  options: Required<Pick<FeatureOptions, 'sampleRate' | 'durationSeconds' | 'pad' | 'trimSilence' | 'nFft' | 'hopLength' | 'nMels'>> & {
    sampleRate: number;
    durationSeconds: number;
  };
  /** Image channels: 3, the grey plane repeated for ImageNet backbones. */
  channels: 1 | 3;
  /** [rows, frames] of the feature image. */
  imageShape: [number, number];
}

/**
 * The paper's settings: HospitalAlarmSound clips at 44.1 kHz, 3.6 s, repeat-padded -> 128x311;
 * UrbanSound8K at 22.05 kHz, 4 s, zero-padded -> 128x173. Both: trailing silence trimmed,
 * n_fft 2048, hop 512, 128 mel bands, 3 channels.
 */
export const FEATURE_PRESETS: Readonly<Record<FeaturePresetName, FeaturePreset>> = Object.freeze({
  'hospital-alarm': {
    description: 'HospitalAlarmSound (the paper): 44.1 kHz, 3.6 s, trim + repeat pad, n_fft 2048, hop 512, 128 mels -> 128x311',
    options: { sampleRate: 44100, durationSeconds: 3.6, pad: 'repeat', trimSilence: true, nFft: 2048, hopLength: 512, nMels: 128 },
    channels: 3,
    imageShape: [128, 311],
  },
  urbansound8k: {
    description: 'UrbanSound8K (the paper): 22.05 kHz, 4 s, trim + zero pad, n_fft 2048, hop 512, 128 mels -> 128x173',
    options: { sampleRate: 22050, durationSeconds: 4, pad: 'zero', trimSilence: true, nFft: 2048, hopLength: 512, nMels: 128 },
    channels: 3,
    imageShape: [128, 173],
  },
});

/**
 * [rows, frames] of the feature image that `options` give for every clip, or undefined when the
 * width depends on the clip (no fixed duration) or on its native rate (`sampleRate: 'native'`).
 */
export function featureImageShape(options: FeatureOptions = {}): [number, number] | undefined {
  const o = resolveFeatureOptions(options);
  if (o.durationSeconds === null || o.sampleRate === 'native') return undefined;
  const rows = o.kind === 'stft' ? o.nFft / 2 + 1 : o.kind === 'mfcc' ? o.nMfcc : o.nMels;
  return [rows, frameCount(Math.max(1, Math.round(o.durationSeconds * o.sampleRate)), o.hopLength)];
}

/** A preset by name; an error lists the valid names. */
export function featurePreset(name: string): FeaturePreset {
  const p = (FEATURE_PRESETS as Record<string, FeaturePreset>)[name];
  if (!p) throw new AudioOptionError('preset', name, FEATURE_PRESET_NAMES.map((n) => `'${n}'`).join(' or '));
  return p;
}
