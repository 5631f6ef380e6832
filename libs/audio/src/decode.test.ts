import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AudioDecodeError,
  decodeAudio,
  decodeAudioFile,
  decodeWavFile,
  logMelFromFile,
  readAudioInfo,
  regularFileProblem,
  sniffAudioFormat,
} from './index.js';
import { sharedData } from './testing/golden.js';

/**
 * The committed files in testing/formats were made from the real clip fsdd-480/0/0_george_0.wav
 * (8 kHz mono 16-bit, 2384 frames) with `sox SRC -C 8 X.flac`, `ffmpeg -i SRC -c:a libvorbis
 * -q:a 6 X.ogg` and `ffmpeg -i SRC -c:a libmp3lame -b:a 64k X.mp3` (SoX 14.4.2, FFmpeg 5.1).
 */
const formats = resolve(fileURLToPath(new URL('.', import.meta.url)), 'testing/formats');
const source = resolve(sharedData, 'fsdd-480/0/0_george_0.wav');
const printable = /^[\x20-\x7e]*$/;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slt-audio-decode-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Signal-to-noise ratio of `y` against the reference `x`, in dB. */
function snrDb(x: Float32Array, y: Float32Array): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]! ** 2;
    e += (x[i]! - y[i]!) ** 2;
  }
  return 10 * Math.log10(s / e);
}

/** The lag (in samples, within +-maxLag) that maximises the cross-correlation of y against x. */
function bestLag(x: Float32Array, y: Float32Array, maxLag: number): number {
  let best = 0;
  let bestC = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let c = 0;
    for (let i = 0; i < x.length; i++) {
      const j = i + lag;
      if (j >= 0 && j < y.length) c += x[i]! * y[j]!;
    }
    if (c > bestC) [best, bestC] = [lag, c];
  }
  return best;
}

describe('decoding FLAC, Ogg Vorbis and MP3 against the WAV of the same sound', () => {
  it('FLAC decodes to exactly the WAV samples (lossless, libsndfile scale)', async () => {
    const wav = await decodeWavFile(source);
    const flac = await decodeAudioFile(join(formats, '0_george_0.flac'));
    expect(flac.format).toBe('flac');
    expect([flac.sampleRate, flac.channels, flac.frames]).toEqual([8000, 1, wav.frames]);
    expect(flac.samples).toEqual(wav.samples);
    // ... and so the log-mel feature is the WAV's, bit for bit.
    const a = await logMelFromFile(source, { sampleRate: 'native' });
    const b = await logMelFromFile(join(formats, '0_george_0.flac'), { sampleRate: 'native' });
    expect(b.data).toEqual(a.data);
  });

  // Lossy codecs: compared sample by sample after checking alignment. Thresholds sit a few dB below
  // what these encoder settings give on this clip (Vorbis q6: 26.3 dB; MP3 64 kbit/s at 8 kHz,
  // MPEG-2.5 with LAME's low-pass: 16.1 dB): a wrong scale, a channel mix-up, a lost frame or a
  // decoder delay left in would put them near or below 0 dB.
  it('Ogg Vorbis: same length, no lag, SNR > 22 dB', async () => {
    const wav = await decodeWavFile(source);
    const ogg = await decodeAudioFile(join(formats, '0_george_0.ogg'));
    expect(ogg.format).toBe('ogg-vorbis');
    expect([ogg.sampleRate, ogg.channels, ogg.frames]).toEqual([8000, 1, wav.frames]);
    expect(bestLag(wav.samples, ogg.samples, 1200)).toBe(0);
    expect(snrDb(wav.samples, ogg.samples)).toBeGreaterThan(22);
  });

  it('MP3: decoder delay and padding removed (gapless: same length, lag 0), SNR > 12 dB', async () => {
    const wav = await decodeWavFile(source);
    const mp3 = await decodeAudioFile(join(formats, '0_george_0.mp3'));
    expect(mp3.format).toBe('mp3');
    expect([mp3.sampleRate, mp3.channels, mp3.frames]).toEqual([8000, 1, wav.frames]);
    expect(bestLag(wav.samples, mp3.samples, 1200)).toBe(0);
    expect(snrDb(wav.samples, mp3.samples)).toBeGreaterThan(12);
  });

  it('readAudioInfo gives rate, channels and frames of each format', async () => {
    for (const f of ['0_george_0.flac', '0_george_0.ogg', '0_george_0.mp3']) {
      const info = await readAudioInfo(join(formats, f));
      expect([info.sampleRate, info.channels, info.frames]).toEqual([8000, 1, 2384]);
      expect(info.durationSeconds).toBeCloseTo(0.298, 6);
    }
    expect((await readAudioInfo(source)).format).toBe('wav');
  });

  const tools = ['sox', 'ffmpeg'].every((t) => spawnSync(t, [t === 'sox' ? '--version' : '-version'], { stdio: 'ignore' }).status === 0);
  if (!tools) console.warn('decode.test: sox/ffmpeg not installed (apt-get install -y sox ffmpeg libsox-fmt-all): skipping the stereo 44.1 kHz encodes');
  it.skipIf(!tools)('stereo 44.1 kHz files made with sox/ffmpeg now: mixed to mono like the WAV', async () => {
    const wavPath = join(dir, 'stereo.wav');
    // Left = the clip, right = the clip at half level and inverted: a wrong channel mix shows at once.
    execFileSync('sox', [source, '-r', '44100', '-b', '16', wavPath, 'remix', '1', '1v-0.5']);
    execFileSync('sox', [wavPath, join(dir, 'stereo.flac')]);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', wavPath, '-c:a', 'libvorbis', '-q:a', '6', join(dir, 'stereo.ogg')]);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', wavPath, '-c:a', 'libmp3lame', '-b:a', '192k', join(dir, 'stereo.mp3')]);
    const wav = await decodeWavFile(wavPath);
    expect(wav.channels).toBe(2);
    const flac = await decodeAudioFile(join(dir, 'stereo.flac'));
    expect([flac.channels, flac.sampleRate]).toEqual([2, 44100]);
    expect(flac.samples).toEqual(wav.samples);
    for (const [f, minSnr] of [['stereo.ogg', 20], ['stereo.mp3', 20]] as const) {
      const d = await decodeAudioFile(join(dir, f));
      expect([d.channels, d.sampleRate, d.frames]).toEqual([2, 44100, wav.frames]);
      expect(bestLag(wav.samples, d.samples, 2000)).toBe(0);
      expect(snrDb(wav.samples, d.samples)).toBeGreaterThan(minSnr);
    }
  });
});

describe('undecodable files: named, with a printable reason', () => {
  async function failure(bytes: Uint8Array, name: string): Promise<AudioDecodeError> {
    const file = join(dir, name);
    await writeFile(file, bytes);
    const err = await decodeAudioFile(file).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AudioDecodeError);
    const e = err as AudioDecodeError;
    expect(e.file).toBe(file);
    expect(e.message.startsWith(`${file}: `)).toBe(true);
    expect(e.reason).toMatch(printable);
    return e;
  }

  it('unknown binary content: its first bytes as hex, never raw', async () => {
    const e = await failure(Uint8Array.from([0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0x07, 0x0a, 0x99]), 'noise.wav');
    expect(e.reason).toBe('not a WAV, FLAC, Ogg Vorbis or MP3 file (unknown content; it starts with bytes 00 1b 5b 32 4a ff 07 0a ("\\x00\\x1b[2J\\xff\\x07\\x0a"))');
  });

  it('known formats that are not supported are named', async () => {
    expect((await failure(Buffer.from('MThd\x00\x00\x00\x06\x00\x01', 'latin1'), 'song.mp3')).reason).toMatch(/MIDI file .*not supported/);
    expect((await failure(Buffer.from('\x00\x00\x00\x20ftypM4A \x00\x00', 'latin1'), 'a.ogg')).reason).toMatch(/MP4\/M4A .*not supported/);
    const opus = Buffer.alloc(60);
    opus.write('OggS', 0, 'latin1');
    opus[26] = 1;
    opus[27] = 19;
    opus.write('OpusHead', 28, 'latin1');
    expect((await failure(opus, 'talk.ogg')).reason).toMatch(/^Ogg Opus is not supported \(Ogg Vorbis only/);
    expect((await failure(new Uint8Array(0), 'empty.flac')).reason).toBe('file is empty (0 bytes)');
  });

  it('a RIFF file that is not WAVE shows its form type printably', async () => {
    const riff = Buffer.from('RIFF\x10\x00\x00\x00\x01\x02\xfe\x7f', 'latin1');
    expect((await failure(riff, 'x.wav')).reason).toBe("not a WAV file (header is 'RIFF'/'\\x01\\x02\\xfe\\x7f', expected 'RIFF'/'WAVE')");
  });

  it('truncated FLAC, corrupt MP3 and Ogg data', async () => {
    const flac = await readFile(join(formats, '0_george_0.flac'));
    expect((await failure(flac.subarray(0, Math.floor(flac.length * 0.6)), 'cut.flac')).reason).toMatch(
      /^truncated FLAC: STREAMINFO declares 2384 sample frames, only \d+ could be decoded$/,
    );
    const mp3 = Buffer.from(await readFile(join(formats, '0_george_0.mp3')));
    // Keep the first frame header, garble everything after it.
    for (let i = 200; i < mp3.length; i++) mp3[i] = (i * 7919) & 0xff;
    const e = await failure(mp3, 'bad.mp3');
    expect(e.reason).toMatch(/^(corrupt MP3 data|no audio)/);
    const ogg = await readFile(join(formats, '0_george_0.ogg'));
    const garbled = Buffer.from(ogg.subarray(0, 120));
    expect((await failure(garbled, 'cut.ogg')).reason).toMatch(/^(no audio|corrupt Ogg Vorbis data)/);
  });

  it('sniffAudioFormat names the format from content, not from the extension', async () => {
    expect(sniffAudioFormat(await readFile(join(formats, '0_george_0.mp3')))).toBe('mp3');
    expect(sniffAudioFormat(await readFile(join(formats, '0_george_0.ogg')))).toBe('ogg-vorbis');
    expect(sniffAudioFormat(await readFile(join(formats, '0_george_0.flac')))).toBe('flac');
    const renamed = join(dir, 'really-flac.wav');
    await writeFile(renamed, await readFile(join(formats, '0_george_0.flac')));
    expect((await decodeAudioFile(renamed)).format).toBe('flac');
    expect((await decodeAudio(await readFile(source))).format).toBe('wav');
  });
});

describe('files that are not regular files', () => {
  it('a folder, a FIFO and a dangling symbolic link are refused without blocking; a link to a file is followed', async () => {
    const folder = join(dir, 'folder.wav');
    await mkdir(folder);
    const fifo = join(dir, 'pipe.wav');
    execFileSync('mkfifo', [fifo]);
    const dangling = join(dir, 'gone.wav');
    await symlink(join(dir, 'nothing-here.wav'), dangling);
    const link = join(dir, 'link.wav');
    await symlink(source, link);
    expect(await regularFileProblem(folder)).toBe('is a folder, not a file');
    expect(await regularFileProblem(fifo)).toBe('is a FIFO (named pipe), not a regular file');
    expect(await regularFileProblem(dangling)).toBe(`is a dangling symbolic link (its target ${JSON.stringify(join(dir, 'nothing-here.wav'))} does not exist)`);
    expect(await regularFileProblem(join(dir, 'absent.wav'))).toBe('does not exist');
    expect(await regularFileProblem(link)).toBeUndefined();
    await expect(decodeAudioFile(fifo)).rejects.toThrow(`${fifo}: is a FIFO (named pipe), not a regular file`);
    await expect(readAudioInfo(folder)).rejects.toThrow(`${folder}: is a folder, not a file`);
    await expect(logMelFromFile(dangling)).rejects.toThrow(/gone\.wav: is a dangling symbolic link/);
    expect((await decodeAudioFile(link)).frames).toBe(2384);
  });
});
