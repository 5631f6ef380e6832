import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addWeightsFile } from '@slt/models';
import { runCommand } from '../testing/run-command.js';
import { registerModels } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const run = (args: string[]) => runCommand(registerModels, args);
const SHARED = path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)), '../shared/data');

describe('slt models', () => {
  it('lists the seven zoo models', async () => {
    const r = await run(['models', 'list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { name: string; genomeLength: number }[];
    expect(rows.map((x) => [x.name, x.genomeLength])).toEqual([
      ['mobilenet_v1', 86], ['mobilenet_v1_0.75', 86], ['mobilenet_v1_0.5', 86], ['mobilenet_v1_0.25', 86],
      ['vgg16', 19], ['resnet50', 175], ['efficientnet_b0', 237],
    ]);
    const text = await run(['models']);
    expect(text.out).toMatch(/mobilenet_v1_0\.25 +86 layers/);
  });

  it('shows which weights the cache holds for each model, and the official URL', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'slt-models-cache-'));
    await addWeightsFile(path.join(SHARED, 'models/keras-h5/mobilenet_2_5_224_tf_no_top.h5'), { cacheDir: path.join(root, 'models') });
    const saved = process.env.SLT_CACHE_DIR;
    process.env.SLT_CACHE_DIR = root;
    try {
      const rows = JSON.parse((await run(['models', 'list', '--json'])).out) as { name: string; cached: { format: string; path: string }[]; weightsUrl: string }[];
      const mn = rows.find((r) => r.name === 'mobilenet_v1_0.25')!;
      expect(mn.cached.map((c) => [c.format, path.basename(c.path)])).toEqual([['keras-h5', 'mobilenet_2_5_224_tf_no_top.h5']]);
      expect(rows.find((r) => r.name === 'vgg16')!.cached).toEqual([]);
      expect(rows.find((r) => r.name === 'vgg16')!.weightsUrl).toBe('https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5');
      const text = (await run(['models'])).out;
      expect(text).toMatch(/mobilenet_v1_0\.25 +86 layers +tf +keras-h5 1\.1 MB +https:\/\/storage\.googleapis\.com\/tensorflow\/keras-applications\/mobilenet\/mobilenet_2_5_224_tf_no_top\.h5/);
      expect(text).toMatch(/resnet50 +175 layers +caffe +not cached +https:/);
      expect(text).toContain(`cache: ${path.join(root, 'models')}`);
    } finally {
      if (saved === undefined) delete process.env.SLT_CACHE_DIR;
      else process.env.SLT_CACHE_DIR = saved;
    }
  });

  it('info takes HxW as search does: channels 1 by default, or from --data', async () => {
    const grey = JSON.parse((await run(['models', 'info', 'mobilenet_v1_0.25', '--input', '32x32', '--classes', '10', '--json'])).out);
    expect(grey.inputShape).toEqual([32, 32, 1]);
    expect(grey.adapter).toBe('conv1x1');
    const fromData = JSON.parse((await run(['models', 'info', 'mobilenet_v1_0.25', '--input', '40x36', '--data', path.join(SHARED, 'fashion-mnist-900'), '--classes', '10', '--json'])).out);
    expect(fromData.inputShape).toEqual([40, 36, 1]);
    const rgb = JSON.parse((await run(['models', 'info', 'vgg16', '--input', '32x32x3', '--classes', '10', '--json'])).out);
    expect([rgb.inputShape, rgb.adapter]).toEqual([[32, 32, 3], null]);
    const missing = await run(['models', 'info', 'vgg16', '--input', '32x32', '--data', '/nonexistent/slt-data', '--classes', '10']);
    expect(missing.code).toBe(1);
    expect(missing.error).toMatch(/--data '\/nonexistent\/slt-data'/);
  });

  it('info --json gives layers, genome length and Keras parameter counts', async () => {
    const frozen = await run(['models', 'info', 'efficientnet_b0', '--input', '32x32x1', '--classes', '10', '--freeze-all', '--json']);
    expect(frozen.code).toBe(0);
    const a = JSON.parse(frozen.out);
    expect([a.genomeLength, a.layers.length, a.trainableParams]).toEqual([237, 237, 12_816]);
    expect(a.layers.every((l: { trainable: boolean }) => !l.trainable)).toBe(true);
    const all = JSON.parse((await run(['models', 'info', 'efficientnet_b0', '--input', '32x32x1', '--classes', '10', '--json'])).out);
    expect(all.trainableParams).toBe(4_020_364);
    expect(all.totalParams).toBe(4_049_571 + 12_816);
  });

  it('info applies a mask and prints the trainable state per layer', async () => {
    const mask = `${'0'.repeat(83)}111`;
    const r = await run(['models', 'info', 'mobilenet_v1_0.25', '--input', '32x32x3', '--classes', '5', '--mask', mask]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/83 +conv_pw_13 +Conv2D +65536 +trainable/);
    expect(r.out).toMatch(/82 +conv_dw_13_relu +ReLU +0 +-/);
    expect(r.out).toMatch(/1 +conv1 +Conv2D +216 +frozen/);
    expect(r.out).toContain(`trainable params: ${(256 * 5 + 5 + 65_536 + 512).toLocaleString('en-US')}`);
  });

  it('fails with a message naming the bad input', async () => {
    const unknown = await run(['models', 'info', 'resnet18', '--input', '32x32x1', '--classes', '10']);
    expect(unknown.code).toBe(1);
    expect(unknown.error).toMatch(/unknown model 'resnet18': valid names are mobilenet_v1, .*efficientnet_b0/);
    const small = await run(['models', 'info', 'vgg16', '--input', '16x16x1', '--classes', '10']);
    expect(small.error).toMatch(/inputShape \[16,16,1\]/);
    const badShape = await run(['models', 'info', 'vgg16', '--input', '32', '--classes', '10']);
    expect(badShape.error).toMatch(/--input '32': expected HxW or HxWxC/);
    const badMask = await run(['models', 'info', 'vgg16', '--input', '32x32x1', '--classes', '10', '--mask', '0101']);
    expect(badMask.error).toMatch(/invalid mask '0101': has 4 characters \(expected 19/);
    const both = await run(['models', 'info', 'vgg16', '--input', '32x32x1', '--classes', '10', '--mask', '0', '--train-all']);
    expect(both.error).toMatch(/exclude each other/);
  });
});
