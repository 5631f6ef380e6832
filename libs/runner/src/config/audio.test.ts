import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { datasetSetupOf, datasetWarnings, loadDatasetPort } from '../ports/datasets.js';
import { AUDIO_PRESETS, dataSettingsParams } from './audio.js';
import { loadSearchConfig, parseSearchConfig } from './schema.js';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('audio presets and data settings in the search config', () => {
  it('a preset fills every audio key and the input size (= its feature image)', () => {
    const c = parseSearchConfig({ data: 'd', audioPreset: 'hospital-alarm' });
    expect(c).toMatchObject({ sampleRate: 44100, duration: 3.6, pad: 'repeat', trim: true, nFft: 2048, hop: 512, nMels: 128, channels: 3, input: [128, 311] });
    const u = parseSearchConfig({ data: 'd', 'audio-preset': 'urbansound8k' });
    expect(u).toMatchObject({ sampleRate: 22050, duration: 4, pad: 'zero', input: [128, 173], channels: 3 });
    expect(AUDIO_PRESETS['hospital-alarm'].input).toEqual([128, 311]);
    expect(AUDIO_PRESETS.urbansound8k.input).toEqual([128, 173]);
  });

  it('keys given explicitly override the preset (flags over a file over the preset)', async () => {
    const c = parseSearchConfig({ data: 'd', audioPreset: 'hospital-alarm', sampleRate: 22050, input: '64x64', channels: 1, pad: 'zero' });
    expect(c).toMatchObject({ sampleRate: 22050, input: [64, 64], channels: 1, pad: 'zero', duration: 3.6 });
    const dir = await mkdtemp(path.join(tmpdir(), 'slt-audio-config-'));
    try {
      const file = path.join(dir, 'c.yaml');
      await writeFile(file, 'data: clips\naudio-preset: urbansound8k\nn-mels: 64\ntrain-limit: 0.25\n');
      const f = await loadSearchConfig({ file, flags: { duration: 2, hop: '256' } });
      expect(f).toMatchObject({ audioPreset: 'urbansound8k', nMels: 64, duration: 2, hop: 256, sampleRate: 22050, trainLimit: 0.25, input: [128, 173] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without a preset nothing is added: image sets are untouched', () => {
    const c = parseSearchConfig({ data: 'd' });
    for (const k of ['audioPreset', 'sampleRate', 'duration', 'pad', 'trim', 'nFft', 'hop', 'nMels', 'channels', 'trainLimit']) {
      expect(c[k as keyof typeof c]).toBeUndefined();
    }
    expect(c.input).toEqual([32, 32]);
  });

  it('bad values are refused eagerly, naming key, value and valid range', () => {
    expect(issuesOf(() => parseSearchConfig({ data: 'd', audioPreset: 'hospital' }))).toEqual(['audioPreset: expected one of "hospital-alarm", "urbansound8k" (got "hospital")']);
    expect(issuesOf(() => parseSearchConfig({ data: 'd', sampleRate: 500 }))).toEqual(["sampleRate: expected an integer in Hz in 1000..384000, or 'native' (got 500)"]);
    expect(issuesOf(() => parseSearchConfig({ data: 'd', duration: 0 }))).toEqual(['duration: expected a number of seconds in (0, 3600] (got 0)']);
    expect(issuesOf(() => parseSearchConfig({ data: 'd', nFft: 1000 }))).toEqual(['nFft: expected a power of two in 16..65536 (got 1000)']);
    expect(issuesOf(() => parseSearchConfig({ data: 'd', nFft: 512, hop: 1024 }))).toEqual(['hop: got 1024, expected an integer in 1..nFft (512)']);
    expect(issuesOf(() => parseSearchConfig({ data: 'd', nMels: 0 }))).toEqual(['nMels: expected an integer in 1..1024 (got 0)']);
    expect(issuesOf(() => parseSearchConfig({ data: 'd', channels: 2 }))).toEqual(['channels: expected 1 or 3 (got 2)']);
    expect(issuesOf(() => parseSearchConfig({ data: 'd', pad: 'mirror' }))).toEqual(['pad: expected one of "zero", "repeat" (got "mirror")']);
    expect(issuesOf(() => parseSearchConfig({ data: 'd', trim: 'yes' }))).toEqual(['trim: expected true or false (got the string "yes")']);
    for (const bad of [0, 1.5, -2, 'many']) {
      expect(issuesOf(() => parseSearchConfig({ data: 'd', trainLimit: bad }))).toEqual([
        `trainLimit: expected an integer number of training examples >= 1, or a fraction in (0, 1) (got ${typeof bad === 'string' ? `the string ${JSON.stringify(bad)}` : bad})`,
      ]);
    }
    expect(parseSearchConfig({ data: 'd', sampleRate: 'native', trainLimit: '1000', valLimit: 0.5 })).toMatchObject({ sampleRate: 'native', trainLimit: 1000, valLimit: 0.5 });
  });

  it('maps onto the data set request and onto MLflow params', () => {
    const c = { ...parseSearchConfig({ data: 'd', audioPreset: 'hospital-alarm', trainLimit: 20 }), seed: 3 };
    expect(datasetSetupOf(c)).toEqual({
      path: 'd', input: [128, 311], seed: 3, channels: 3, trainLimit: 20,
      audio: { sampleRate: 44100, durationSeconds: 3.6, pad: 'repeat', trimSilence: true, nFft: 2048, hopLength: 512, nMels: 128 },
    });
    expect(dataSettingsParams(c)).toEqual({
      audio_preset: 'hospital-alarm', audio_sample_rate: 44100, audio_duration: 3.6, audio_pad: 'repeat', audio_trim: 'true',
      audio_n_fft: 2048, audio_hop: 512, audio_n_mels: 128, channels: 3, train_limit: 20,
    });
    expect(datasetSetupOf({ data: 'x', input: [32, 32], seed: 1 })).toEqual({ path: 'x', input: [32, 32], seed: 1 });
  });

  it('skipUnreadable: unreadable entries are left out with one warning naming them (else the load fails naming them)', async () => {
    const fsdd = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../../shared/data/fsdd-480');
    const dir = await mkdtemp(path.join(tmpdir(), 'slt-skip-'));
    try {
      for (const d of ['1', '2']) {
        await mkdir(path.join(dir, d));
        for (const f of (await readdir(path.join(fsdd, d))).sort().slice(0, 3)) await copyFile(path.join(fsdd, d, f), path.join(dir, d, f));
      }
      execFileSync('mkfifo', [path.join(dir, '1', 'pipe.wav')]);
      await symlink(path.join(dir, 'gone.flac'), path.join(dir, '2', 'gone.flac'));
      const config = { ...parseSearchConfig({ data: dir, sampleRate: 8000, duration: 1, 'skip-unreadable': true }), seed: 1 };
      expect(dataSettingsParams(config)).toMatchObject({ skip_unreadable: 'true' });
      const cacheDir = path.join(dir, '.cache');
      const ds = await loadDatasetPort({ ...datasetSetupOf(config), cacheDir });
      expect(ds.train.shape[0] + ds.val.shape[0] + ds.test.shape[0]).toBe(6);
      expect(datasetWarnings(ds)).toEqual([
        `data: skipped 2 unreadable file(s) of ${path.basename(dir)}: 1/pipe.wav (is a FIFO (named pipe), not a regular file); 2/gone.flac (is a dangling symbolic link (its target ${JSON.stringify(path.join(dir, 'gone.flac'))} does not exist))`,
      ]);
      const strict = { ...parseSearchConfig({ data: dir, sampleRate: 8000, duration: 1 }), seed: 1 };
      await expect(loadDatasetPort({ ...datasetSetupOf(strict), cacheDir })).rejects.toThrow(/pipe\.wav: is a FIFO \(named pipe\), not a regular file \(and 1 more: 2\/gone\.flac\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
