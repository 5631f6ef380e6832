import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStudyConfigInput, loadStudyConfig, modelSearchConfig, parseStudyConfig, studyConfigFile } from './config.js';

describe('study config', () => {
  it('reads a models list with per-model weights and input, labels repeated models by input size', () => {
    const c = parseStudyConfig({ data: 'd', input: '32x32', models: ['vgg16', { model: 'mobilenet_v1_0.25', weights: 'w', input: '48x48' }, { model: 'mobilenet_v1_0.25' }] });
    expect(c.models).toEqual([
      { model: 'vgg16', input: [32, 32], label: 'vgg16', slug: 'vgg16' },
      { model: 'mobilenet_v1_0.25', weights: 'w', input: [48, 48], label: 'mobilenet_v1_0.25@48x48', slug: 'mobilenet_v1_0.25_48x48' },
      { model: 'mobilenet_v1_0.25', input: [32, 32], label: 'mobilenet_v1_0.25@32x32', slug: 'mobilenet_v1_0.25_32x32' },
    ]);
    expect(c.base.data).toBe('d');
  });

  it('names every bad key', () => {
    expect(() => parseStudyConfig({ data: 'd', models: [] })).toThrow(/models: list at least one model/);
    expect(() => parseStudyConfig({ data: 'd', models: [{ model: 'vgg16', input: '8x8' }] })).toThrow(/models\[0\]\.input: expected HxW/);
    expect(() => parseStudyConfig({ data: 'd', models: [{ model: 'vgg16', colour: 1 }] })).toThrow(/models\[0\]\.colour: unknown key \(valid keys: model, weights, input, label\)/);
    expect(() => parseStudyConfig({ data: 'd', model: 'vgg16', models: ['vgg16'] })).toThrow(/either `model` or a `models` list/);
    expect(() => parseStudyConfig({ data: 'd', models: [{ model: 'vgg16', label: 'x' }, { model: 'resnet50', label: 'x' }] })).toThrow(/models\[1\]: its label "x" repeats models\[0\]/);
    expect(() => parseStudyConfig({ data: 'd', population: 5, models: ['vgg16'] })).toThrow(/population: must be a multiple of 4/);
  });

  it('says "did you mean" for a misspelt key of a model and an unknown model name, every problem at once', () => {
    const issuesOf = (raw: unknown): string[] => {
      try {
        parseStudyConfig(raw);
      } catch (err) {
        return (err as { issues: string[] }).issues;
      }
      throw new Error('no error');
    };
    const issues = issuesOf({ data: 'd', models: ['resnet5', { modle: 'vgg16' }, { model: 'vgg16', epochss: 2 }, { model: 'resnet50', weight: 'w' }, 'nosuchnet'] });
    expect(issues).toEqual([
      'models[1].modle: unknown key; did you mean model?',
      'models[2].epochss: unknown key of a model; did you mean epochs? (a key of the whole study: set it at the top level, not per model)',
      'models[3].weight: unknown key; did you mean weights?',
      expect.stringMatching(/^models\[0\]\.model: unknown model "resnet5"; did you mean resnet50\? \(valid: mobilenet_v1, .*vgg16, resnet50.*\)$/),
      expect.stringMatching(/^models\[4\]\.model: unknown model "nosuchnet" \(valid: mobilenet_v1, /),
    ]);
  });

  it('takes comma lists from flags and a config file whose paths are relative to it', async () => {
    const flags = { model: 'mobilenet_v1_0.25,mobilenet_v1_0.25', input: '32x32,40x40', weights: 'a,', data: '/d', population: 4 };
    expect(await isStudyConfigInput({ flags })).toBe(true);
    expect(await isStudyConfigInput({ flags: { model: 'vgg16' } })).toBe(false);
    const c = await loadStudyConfig({ flags });
    expect(c.models.map((m) => [m.label, m.weights, m.input])).toEqual([['mobilenet_v1_0.25@32x32', 'a', [32, 32]], ['mobilenet_v1_0.25@40x40', undefined, [40, 40]]]);
    await expect(loadStudyConfig({ flags: { ...flags, weights: 'a' } })).rejects.toThrow(/weights: 1 entries for 2 models/);
    await expect(loadStudyConfig({ flags: { ...flags, input: '32x32,40x40,48x48' } })).rejects.toThrow(/input: 3 entries for 2 models/);

    const dir = mkdtempSync(path.join(tmpdir(), 'slt-study-config-'));
    const file = path.join(dir, 'study.json');
    writeFileSync(file, JSON.stringify({ data: 'fm', epochs: 1, models: [{ model: 'vgg16', weights: 'v.h5' }, 'resnet50'] }));
    expect(await isStudyConfigInput({ file })).toBe(true);
    const f = await loadStudyConfig({ file, flags: { epochs: 2 } });
    expect(f.base.data).toBe(path.join(dir, 'fm'));
    expect(f.base.epochs).toBe(2);
    expect(f.models.map((m) => [m.model, m.weights])).toEqual([['vgg16', path.join(dir, 'v.h5')], ['resnet50', undefined]]);
    // --model replaces the file's list.
    expect((await loadStudyConfig({ file, flags: { model: 'efficientnet_b0,vgg16' } })).models.map((m) => m.model)).toEqual(['efficientnet_b0', 'vgg16']);
    writeFileSync(file, JSON.stringify({ data: 'fm', models: [{ model: 'vgg16', input: 7 }] }));
    await expect(loadStudyConfig({ file })).rejects.toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}[^]*models\\[0\\]\\.input`));
  });

  it('round-trips through the config file it writes, and gives each model its search config', () => {
    const c = parseStudyConfig({ data: '/d', seed: 3, name: 'paper', models: [{ model: 'mobilenet_v1_0.25', weights: '/w', input: '40x40' }, 'vgg16'] });
    expect(parseStudyConfig(studyConfigFile(c))).toEqual(c);
    const s = modelSearchConfig({ ...c, base: { ...c.base, seed: 3 } }, c.models[0]!, '/study/models/m');
    expect([s.model, s.weights, s.input, s.out, s.name, s.seed]).toEqual(['mobilenet_v1_0.25', '/w', [40, 40], '/study/models/m', 'paper mobilenet_v1_0.25', 3]);
    expect(modelSearchConfig({ ...c, base: { ...c.base, seed: 3 } }, c.models[1]!, '/x').weights).toBeUndefined();
  });
});
