import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectKind } from './detect.js';
import { formatInspectReport } from './format.js';
import { inspectDataset } from './inspect.js';
import { loadDataset } from './load.js';
import { FSDD_480, tempDir } from './testing/fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('slt-datasets-formats-');
});
afterAll(() => tmp.cleanup());

const DIGITS = ['2', '4', '8'];
const clips = async (digit: string, n: number) => (await readdir(join(FSDD_480, digit))).sort().slice(0, n);

/** Class folders of real FSDD clips, each converted with `convert(src, dst)` to extension `ext`. */
async function classFolders(name: string, ext: string, convert?: (src: string, dst: string) => void): Promise<string> {
  const dir = join(tmp.dir, name);
  for (const d of DIGITS) {
    await mkdir(join(dir, d), { recursive: true });
    for (const f of await clips(d, 3)) {
      const dst = join(dir, d, f.replace(/\.wav$/, ext));
      if (convert) convert(join(FSDD_480, d, f), dst);
      else await copyFile(join(FSDD_480, d, f), dst);
    }
  }
  return dir;
}

const tools = ['sox', 'ffmpeg'].every((t) => spawnSync(t, [t === 'sox' ? '--version' : '-version'], { stdio: 'ignore' }).status === 0);
if (!tools) console.warn('formats.test: sox/ffmpeg not installed (apt-get install -y sox ffmpeg libsox-fmt-all): skipping the FLAC/OGG/MP3 data set tests');

const sox = (src: string, dst: string) => execFileSync('sox', [src, dst]);
const ffmpeg = (codec: string[]) => (src: string, dst: string) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', src, ...codec, dst]);
const opts = { seed: 5, fractions: [0.5, 0.25, 0.25] as [number, number, number], audio: { sampleRate: 8000, durationSeconds: 1 } };

describe.skipIf(!tools)('class folders and UrbanSound8K of FLAC, Ogg Vorbis and MP3 files', () => {
  it('FLAC class folders give exactly the images of the WAV set; OGG and MP3 close to them', async () => {
    const wav = await loadDataset({ path: await classFolders('wav', '.wav'), ...opts });
    const flacDir = await classFolders('flac', '.flac', sox);
    expect(await detectKind(flacDir)).toBe('folders');
    const flac = await loadDataset({ path: flacDir, ...opts });
    expect(flac.split.items.train).toEqual(wav.split.items.train.map((f) => f.replace(/\.wav$/, '.flac')));
    expect(flac.train.images).toEqual(wav.train.images);
    expect(flac.test.images).toEqual(wav.test.images);
    for (const [name, codec, maxMeanDiff] of [
      ['ogg', ['-c:a', 'libvorbis', '-q:a', '6'], 0.02],
      ['mp3', ['-c:a', 'libmp3lame', '-b:a', '64k'], 0.02],
    ] as const) {
      const ds = await loadDataset({ path: await classFolders(name, `.${name}`, ffmpeg([...codec])), ...opts });
      expect(ds.train.shape).toEqual(wav.train.shape);
      // Mean |difference| of the [0, 1] log-mel images (80 dB range): lossy codecs change quiet
      // bins, so the images are close but not equal (measured: ogg 0.0041, mp3 0.0030; a lost frame,
      // a delay left in or a wrong scale moves whole columns and gives several times more).
      let sum = 0;
      for (let i = 0; i < ds.train.images.length; i++) sum += Math.abs(ds.train.images[i]! - wav.train.images[i]!);
      const mean = sum / ds.train.images.length;
      expect(mean).toBeGreaterThan(0);
      expect(mean).toBeLessThan(maxMeanDiff);
    }
    const r = await inspectDataset(flacDir);
    expect(r.audio!.formats).toEqual({ flac: 9 });
    expect(formatInspectReport(r)).toMatch(/formats: +flac x9/);
    expect(r.problems).toEqual([]);
  });

  it('an UrbanSound8K layout whose CSV lists MP3 and FLAC clips', async () => {
    const dir = join(tmp.dir, 'us8k');
    const rows = ['slice_file_name,fsID,start,end,salience,fold,classID,class'];
    for (const [id, d] of DIGITS.entries()) {
      for (const [k, f] of (await clips(d, 4)).entries()) {
        const fold = (k % 3) + 1;
        const name = f.replace(/\.wav$/, k % 2 ? '.mp3' : '.flac');
        await mkdir(join(dir, 'audio', `fold${fold}`), { recursive: true });
        (k % 2 ? ffmpeg(['-c:a', 'libmp3lame', '-b:a', '64k']) : sox)(join(FSDD_480, d, f), join(dir, 'audio', `fold${fold}`, name));
        rows.push(`${name},1,0,1,1,${fold},${id},digit${d}`);
      }
    }
    await mkdir(join(dir, 'metadata'));
    await writeFile(join(dir, 'metadata', 'UrbanSound8K.csv'), `${rows.join('\n')}\n`);
    const ds = await loadDataset({ path: dir, seed: 2, audio: { sampleRate: 22050 } });
    expect(ds.test.shape).toEqual([ds.split.items.test.length, 128, 173, 1]);
    expect(ds.split.items.test.every((f) => f.startsWith('audio/fold1/'))).toBe(true);
    const r = await inspectDataset(dir);
    expect(r.audio!.formats).toEqual({ flac: 6, mp3: 6 });
    expect(r.readable).toBe(12);
  });
});

describe('entries named like media files that are not regular files (never dropped silently)', () => {
  async function trapSet(name: string): Promise<string> {
    const dir = await classFolders(name, '.wav');
    await mkdir(join(dir, '2', 'folder.wav'));
    execFileSync('mkfifo', [join(dir, '4', 'pipe.wav')]);
    await symlink(join(dir, 'nowhere.wav'), join(dir, '8', 'dangling.wav'));
    return dir;
  }

  it('loadDataset fails naming the first and counting the rest; a link to a real clip is used', async () => {
    const dir = await trapSet('traps');
    await expect(loadDataset({ path: dir, ...opts })).rejects.toThrow(
      `${join(dir, '2', 'folder.wav')}: is a folder, not a file (and 2 more: 4/pipe.wav, 8/dangling.wav); remove or fix it, or use skipUnreadable to leave such entries out`,
    );
    const ok = await classFolders('links', '.wav');
    const linked = (await clips('9', 1))[0]!;
    await symlink(join(FSDD_480, '9', linked), join(ok, '8', 'link.wav'));
    const ds = await loadDataset({ path: ok, ...opts });
    expect([...ds.split.items.train, ...ds.split.items.val, ...ds.split.items.test]).toContain('8/link.wav');
  });

  it('with skipUnreadable they are left out and listed in split.skipped', async () => {
    const dir = await trapSet('traps-skip');
    const ds = await loadDataset({ path: dir, ...opts, skipUnreadable: true });
    expect(ds.split.skipped).toEqual([
      { item: '2/folder.wav', error: 'is a folder, not a file' },
      { item: '4/pipe.wav', error: 'is a FIFO (named pipe), not a regular file' },
      { item: '8/dangling.wav', error: `is a dangling symbolic link (its target ${JSON.stringify(join(dir, 'nowhere.wav'))} does not exist)` },
    ]);
    expect(ds.train.shape[0] + ds.val.shape[0] + ds.test.shape[0]).toBe(9);
  });

  it('data inspect counts them as problems (no longer "problems: none")', async () => {
    const dir = await trapSet('traps-inspect');
    const r = await inspectDataset(dir);
    expect(r.total).toBe(12);
    expect(r.readable).toBe(9);
    expect(r.problems.map((p) => p.file)).toEqual(['2/folder.wav', '4/pipe.wav', '8/dangling.wav']);
    const text = formatInspectReport(r);
    expect(text).toMatch(/problems \(3\):\n {2}2\/folder\.wav: is a folder, not a file\n {2}4\/pipe\.wav: is a FIFO \(named pipe\), not a regular file\n {2}8\/dangling\.wav: is a dangling symbolic link/);
    expect(text).not.toMatch(/problems: none/);
  });
});
