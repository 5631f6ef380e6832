import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../testing/run-command.js';
import { registerData } from './data.js';

const SHARED = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared/data');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'slt-cli-data-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const run = (args: string[]) => runCommand(registerData, args);

describe('slt data inspect', () => {
  it('reports the real Fashion-MNIST subset as JSON', async () => {
    const r = await run(['data', 'inspect', join(SHARED, 'fashion-mnist-900'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.kind).toBe('idx');
    expect(report.classes).toHaveLength(10);
    expect(report.classes[9]).toEqual({ name: 'Ankle boot', count: 90 });
    expect(report.images.sizes).toEqual({ '28x28': 900 });
    expect(report.problems).toEqual([]);
  });

  it('lists every unreadable WAV as text and exits 2', async () => {
    const dir = join(tmp, 'digits');
    for (const d of ['1', '2']) {
      await mkdir(join(dir, d), { recursive: true });
      const f = `${d}_jackson_0.wav`;
      await writeFile(join(dir, d, f), await readFile(join(SHARED, 'fsdd-480', d, f)));
      await writeFile(join(dir, d, 'bad.wav'), 'not a wav at all');
    }
    const r = await run(['data', 'inspect', dir]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/layout: +folders \(audio\)/);
    expect(r.out).toMatch(/sample rates: 8000 Hz x2/);
    expect(r.out).toMatch(/problems \(2\):\n {2}1\/bad\.wav: .+\n {2}2\/bad\.wav: .+/);
    expect(r.error).toMatch(/2 problem\(s\) found/);
  });

  it('counts a folder, a FIFO and a dangling link named .wav as problems (exit 2), never "problems: none"', async () => {
    const dir = join(tmp, 'traps');
    for (const d of ['1', '2']) {
      await mkdir(join(dir, d), { recursive: true });
      const f = `${d}_jackson_0.wav`;
      await writeFile(join(dir, d, f), await readFile(join(SHARED, 'fsdd-480', d, f)));
    }
    await mkdir(join(dir, '1', 'folder.wav'));
    execFileSync('mkfifo', [join(dir, '2', 'pipe.wav')]);
    await symlink(join(dir, 'gone.wav'), join(dir, '2', 'dangling.wav'));
    const r = await run(['data', 'inspect', dir]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/examples: 5 listed, 2 readable, 2 classes/);
    expect(r.out).toMatch(/problems \(3\):\n {2}1\/folder\.wav: is a folder, not a file\n {2}2\/dangling\.wav: is a dangling symbolic link \(its target ".*gone\.wav" does not exist\)\n {2}2\/pipe\.wav: is a FIFO \(named pipe\), not a regular file/);
    expect(r.out).not.toMatch(/problems: none/);
    expect(r.error).toMatch(/3 problem\(s\) found/);
  });

  it('reports FLAC, Ogg Vorbis and MP3 clips with their formats', async () => {
    const dir = join(tmp, 'formats');
    const formats = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../libs/audio/src/testing/formats');
    for (const [d, ext] of [['a', 'flac'], ['b', 'ogg'], ['c', 'mp3']]) {
      await mkdir(join(dir, d!), { recursive: true });
      await writeFile(join(dir, d!, `clip.${ext}`), await readFile(join(formats, `0_george_0.${ext}`)));
    }
    const r = await run(['data', 'inspect', dir, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.audio.formats).toEqual({ flac: 1, 'ogg-vorbis': 1, mp3: 1 });
    expect(report.audio.sampleRates).toEqual({ '8000': 3 });
    expect(report.problems).toEqual([]);
  });

  it('fails with exit 1 on a path that is no data set, and on a bad --kind', async () => {
    const r = await run(['data', 'inspect', join(tmp, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.error).toMatch(/nope: does not exist/);
    const k = await run(['data', 'inspect', tmp, '--kind', 'zip']);
    expect(k.code).toBe(1);
    expect(k.error).toMatch(/--kind "zip": expected one of idx, urbansound8k, folders/);
  });
});
