import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FEATURE_PRESET_NAMES,
  FEATURE_PRESETS,
  FeatureCache,
  audioFileToImage,
  featureImageShape,
  featurePreset,
  resolveFeatureOptions,
  type ResolvedFeatureOptions,
} from './index.js';
import { sharedData } from './testing/golden.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slt-audio-presets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the paper's presets", () => {
  it('give the images of the paper on a real clip: 128x311x3 and 128x173x3', async () => {
    const clip = resolve(sharedData, 'fsdd-480/7/7_jackson_0.wav');
    for (const name of FEATURE_PRESET_NAMES) {
      const p = FEATURE_PRESETS[name];
      expect(featureImageShape(p.options)).toEqual(p.imageShape);
      const img = await audioFileToImage(clip, { ...p.options, channels: p.channels });
      expect(img.shape).toEqual([...p.imageShape, 3]);
      expect(img.sampleRate).toBe(p.options.sampleRate);
    }
    expect(FEATURE_PRESETS['hospital-alarm'].imageShape).toEqual([128, 311]);
    expect(FEATURE_PRESETS.urbansound8k.imageShape).toEqual([128, 173]);
    expect(() => featurePreset('hospital')).toThrow("option preset: got \"hospital\", expected 'hospital-alarm' or 'urbansound8k'");
  });

  it('featureImageShape: undefined when the width depends on the clip', () => {
    expect(featureImageShape({})).toBeUndefined();
    expect(featureImageShape({ durationSeconds: 1, sampleRate: 'native' })).toBeUndefined();
    expect(featureImageShape({ durationSeconds: 1, sampleRate: 16000, kind: 'mfcc', nMfcc: 13 })).toEqual([13, 32]);
    expect(featureImageShape({ durationSeconds: 1, sampleRate: 16000, kind: 'stft', nFft: 512 })).toEqual([257, 32]);
  });
});

describe('the feature cache key', () => {
  it('changes with every resolved feature option', () => {
    const cache = new FeatureCache(join(dir, 'c'));
    const base = resolveFeatureOptions({ durationSeconds: 2, kind: 'mfcc' });
    const other: { [K in keyof ResolvedFeatureOptions]: ResolvedFeatureOptions[K] } = {
      sampleRate: 44100, durationSeconds: 3, pad: 'repeat', trimSilence: false, trimTopDb: 40, nFft: 1024, hopLength: 256,
      nMels: 64, fMin: 20, fMax: 8000, topDb: 60, kind: 'logmel', nMfcc: 13,
    };
    const bytes = Buffer.from('same content');
    const k0 = cache.keyFor(bytes, base);
    const keys = Object.keys(base) as (keyof ResolvedFeatureOptions)[];
    expect(keys.sort()).toEqual(Object.keys(other).sort());
    const seen = new Set([k0]);
    for (const k of keys) {
      expect(other[k]).not.toEqual(base[k]);
      const key = cache.keyFor(bytes, { ...base, [k]: other[k] });
      expect(seen.has(key), k).toBe(false);
      seen.add(key);
    }
  });
});
