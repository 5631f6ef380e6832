/**
 * Bad input through the real `slt` bin: a clear error naming the input and what is wrong, a
 * non-zero exit, and no evaluation run on it.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords, sharedData, slt, smallSearchFlags, tempDir } from './helpers.js';

describe('bad input to slt search', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await tempDir('bad-input');
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('a weights folder with a missing shard fails the setup, naming the shard, with no genome trained', async () => {
    const weights = path.join(cwd, 'weights');
    await cp(path.join(sharedData, 'models/mobilenet_v1_0.25_224'), weights, { recursive: true });
    await rm(path.join(weights, 'group1-shard1of1'), { force: true });
    const flags = smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--weights', weights, '--out', 'shard', '--workers', '1']);
    const out = await slt(['search', ...flags], cwd);
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toMatch(/group1-shard1of1/);
    const evals = readRecords(path.join(cwd, 'shard/journal.jsonl')).filter((r) => r.type === 'eval.finished');
    expect(evals).toHaveLength(0);
  });

  it('an unknown model is refused with the valid names', async () => {
    const flags = smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--model', 'resnet49', '--out', 'model']);
    const out = await slt(['search', ...flags], cwd);
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toMatch(/resnet49/);
    expect(out.stderr).toMatch(/mobilenet_v1_0\.25/);
  });

  it('a study config with a misspelt model key and an unknown model name says "did you mean" (exit 2, nothing written)', async () => {
    const file = path.join(cwd, 'study.yaml');
    await writeFile(file, `data: ${path.join(sharedData, 'fashion-mnist-900')}\nmodels:\n  - model: resnet5\n  - modle: vgg16\n  - { model: vgg16, epochss: 2 }\n`);
    const out = await slt(['compare', '--config', file, '--out', 'study-typo', '--tracking-uri', path.join(cwd, 'study-mlruns')], cwd);
    expect(out.exitCode, out.all).toBe(2);
    expect(out.stderr).toMatch(/models\[0\]\.model: unknown model "resnet5"; did you mean resnet50\? \(valid: .*vgg16/);
    expect(out.stderr).toMatch(/models\[1\]\.modle: unknown key; did you mean model\?/);
    expect(out.stderr).toMatch(/models\[2\]\.epochss: unknown key of a model; did you mean epochs\?/);
    expect(existsSync(path.join(cwd, 'study-typo'))).toBe(false);
    expect(existsSync(path.join(cwd, 'study-mlruns'))).toBe(false);
  });

  it('IDX files with a wrong magic number are refused, naming the file', async () => {
    const data = path.join(cwd, 'idx');
    await mkdir(data, { recursive: true });
    await cp(path.join(sharedData, 'fashion-mnist-900/labels-idx1-ubyte'), path.join(data, 'labels-idx1-ubyte'));
    await writeFile(path.join(data, 'images-idx3-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 0]));
    const out = await slt(['search', ...smallSearchFlags(data, ['--data-kind', 'idx', '--out', 'idx'])], cwd);
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toMatch(/images-idx3-ubyte/);
    expect(out.stderr).toMatch(/magic/i);
  });
});
