/**
 * `inspectDataset`: what a folder holds (layout, classes, counts, sample rates, durations, image
 * sizes) and every file that could not be read, without stopping at the first bad one.
 */
import { basename, join, relative, resolve } from 'node:path';
import { regularFileProblem } from '@slt/audio';
import { audioInfo } from './audio.js';
import { checkKind, detectKind } from './detect.js';
import { DatasetLayoutError, messageOf } from './errors.js';
import { naturalCompare, readFileNamed } from './files.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdx } from './idx.js';
import { FASHION_MNIST_CLASSES } from './layouts/catalog.js';
import { AUDIO_FILES, mediaOf, scanFolders } from './layouts/folders.js';
import { findIdxFiles } from './layouts/idx-layout.js';
import { readUrbanSoundCsv, urbanSoundClasses } from './layouts/urbansound.js';
import { decodeImage } from './image.js';
import type { DatasetKind } from './types.js';

/** A file (or folder) that could not be used, and why. */
export interface InspectProblem {
  /** Path relative to the data set's root. */
  file: string;
  /** What is wrong. */
  error: string;
}

/** Statistics of a set of numbers. */
export interface Stats {
  /** Smallest value (0 when there is none). */
  min: number;
  /** Arithmetic mean. */
  mean: number;
  /** Largest value. */
  max: number;
}

/** What {@link inspectDataset} found. */
export interface InspectReport {
  /** Absolute path inspected. */
  path: string;
  /** The layout recognised. */
  kind: DatasetKind;
  /** What the examples are. */
  media: 'idx' | 'image' | 'audio' | 'unknown';
  /** Classes in label order with their example counts (readable or not). */
  classes: { name: string; count: number }[];
  /** Examples listed by the layout. */
  total: number;
  /** Examples that could be read. */
  readable: number;
  /** UrbanSound8K: examples per fold; IDX: examples per file pair. */
  groups?: Record<string, number>;
  /** Audio: clips per format (wav, flac, ogg-vorbis, mp3), per sample rate (Hz), per channel count, and durations in seconds. */
  audio?: { formats: Record<string, number>; sampleRates: Record<string, number>; channels: Record<string, number>; durationSeconds: Stats };
  /** Images: count per `HxW` size, and how many are colour. */
  images?: { sizes: Record<string, number>; colour: number; grey: number };
  /** Every file that could not be read (or folder that is unusable), and why. */
  problems: InspectProblem[];
  /** Files the layout ignores (unknown extensions, stray files). */
  ignored: string[];
}

/** Options of {@link inspectDataset}. */
export interface InspectOptions {
  /** The layout; detected when omitted. */
  kind?: DatasetKind;
  /** Called after each example examined. */
  onProgress?: (done: number, total: number) => void;
}

class Tally {
  values: number[] = [];
  add(v: number): void {
    this.values.push(v);
  }
  stats(): Stats {
    const v = this.values;
    if (v.length === 0) return { min: 0, mean: 0, max: 0 };
    return { min: Math.min(...v), mean: v.reduce((a, b) => a + b, 0) / v.length, max: Math.max(...v) };
  }
}

function bump(rec: Record<string, number>, key: string | number): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

/** Examines every example of an audio or image file list. */
async function examineFiles(
  root: string,
  files: { rel: string; media: 'audio' | 'image' }[],
  report: InspectReport,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const durations = new Tally();
  for (const [i, f] of files.entries()) {
    const abs = join(root, f.rel);
    try {
      if (f.media === 'audio') {
        const info = await audioInfo(abs);
        report.audio ??= { formats: {}, sampleRates: {}, channels: {}, durationSeconds: { min: 0, mean: 0, max: 0 } };
        bump(report.audio.formats, info.format);
        bump(report.audio.sampleRates, info.sampleRate);
        bump(report.audio.channels, info.channels);
        durations.add(info.durationSeconds);
      } else {
        const img = decodeImage(await readFileNamed(abs), abs);
        report.images ??= { sizes: {}, colour: 0, grey: 0 };
        bump(report.images.sizes, `${img.height}x${img.width}`);
        report.images[img.grey ? 'grey' : 'colour']++;
      }
      report.readable++;
    } catch (err) {
      report.problems.push({ file: f.rel, error: stripPath(messageOf(err), abs) });
    }
    onProgress?.(i + 1, files.length);
  }
  if (report.audio) report.audio.durationSeconds = durations.stats();
}

function stripPath(message: string, abs: string): string {
  return message.startsWith(`${abs}: `) ? message.slice(abs.length + 2) : message;
}

async function inspectIdx(root: string, report: InspectReport): Promise<void> {
  report.media = 'idx';
  const files = (await findIdxFiles(root))!;
  const pairs = [files.train, files.test, files.single].filter((p) => p !== undefined);
  const counts = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  report.groups = {};
  for (const p of pairs) {
    let images: Awaited<ReturnType<typeof readIdx>> | undefined;
    let labels: Awaited<ReturnType<typeof readIdx>> | undefined;
    try {
      images = await readIdx(p.images, IDX_IMAGES_MAGIC);
    } catch (err) {
      report.problems.push({ file: relative(root, p.images), error: stripPath(messageOf(err), p.images) });
    }
    try {
      labels = await readIdx(p.labels, IDX_LABELS_MAGIC);
    } catch (err) {
      report.problems.push({ file: relative(root, p.labels), error: stripPath(messageOf(err), p.labels) });
    }
    const n = labels?.dims[0] ?? images?.dims[0] ?? 0;
    report.total += n;
    report.groups[basename(p.images)] = n;
    if (images) {
      report.images ??= { sizes: {}, colour: 0, grey: 0 };
      report.images.sizes[`${images.dims[1]}x${images.dims[2]}`] = (report.images.sizes[`${images.dims[1]}x${images.dims[2]}`] ?? 0) + images.dims[0]!;
      report.images.grey += images.dims[0]!;
    }
    if (images && labels && images.dims[0] !== labels.dims[0]) {
      report.problems.push({
        file: relative(root, p.labels),
        error: `holds ${labels.dims[0]} labels but ${basename(p.images)} holds ${images.dims[0]} images`,
      });
    }
    if (!labels) continue;
    let bad = 0;
    labels.data.forEach((l, i) => {
      if (l >= counts.length) {
        if (bad++ < 5) {
          report.problems.push({
            file: relative(root, p.labels),
            error: `label ${l} of record ${i} is out of range: valid labels are 0..${counts.length - 1}`,
          });
        }
      } else counts[l]!++;
    });
    if (bad > 5) report.problems.push({ file: relative(root, p.labels), error: `${bad - 5} more labels out of range` });
    if (images && images.dims[0] === labels.dims[0]) report.readable += labels.dims[0]! - bad;
  }
  report.classes = FASHION_MNIST_CLASSES.map((name, c) => ({ name, count: counts[c]! }));
}

/**
 * Inspects a data set folder. Throws only when the path is not a known layout (or the layout
 * given does not fit); every unreadable file is listed in `problems` instead.
 */
export async function inspectDataset(path: string, options: InspectOptions = {}): Promise<InspectReport> {
  const root = resolve(path);
  const kind = options.kind === undefined ? await detectKind(root) : checkKind(options.kind);
  const report: InspectReport = { path: root, kind, media: 'unknown', classes: [], total: 0, readable: 0, problems: [], ignored: [] };
  if (kind === 'idx') {
    if (!(await findIdxFiles(root))) throw new DatasetLayoutError(root, 'no IDX files (images-idx3-ubyte / labels-idx1-ubyte) in this folder');
    await inspectIdx(root, report);
  } else if (kind === 'folders') {
    const scan = await scanFolders(root);
    report.ignored = scan.ignored;
    report.media = scan.media.audio > 0 && scan.media.image > 0 ? 'unknown' : scan.media.audio > 0 ? 'audio' : 'image';
    if (scan.media.audio > 0 && scan.media.image > 0) {
      report.problems.push({ file: '.', error: `mixes ${scan.media.audio} ${AUDIO_FILES} file(s) and ${scan.media.image} image(s)` });
    }
    const unusable = (c: string) => scan.unusable.filter((u) => u.file.startsWith(`${c}/`)).length;
    report.classes = scan.classes.map((c) => ({ name: c.name, count: c.files.length + unusable(c.name) }));
    for (const c of scan.classes) {
      if (c.files.length === 0 && unusable(c.name) === 0) report.problems.push({ file: `${c.name}/`, error: `empty class: no ${AUDIO_FILES}, PNG or JPEG file` });
    }
    for (const u of scan.unusable) report.problems.push(u);
    const files = scan.classes.flatMap((c) => c.files.map((rel) => ({ rel, media: mediaOf(rel) as 'audio' | 'image' })));
    report.total = files.length + scan.unusable.length;
    await examineFiles(root, files, report, options.onProgress);
  } else {
    report.media = 'audio';
    const rowProblems: string[] = [];
    const rows = await readUrbanSoundCsv(root, rowProblems);
    for (const p of rowProblems) report.problems.push({ file: 'metadata/UrbanSound8K.csv', error: p });
    let names: string[] = [];
    try {
      names = urbanSoundClasses(root, rows);
    } catch (err) {
      report.problems.push({ file: 'metadata/UrbanSound8K.csv', error: stripPath(messageOf(err), join(root, 'metadata/UrbanSound8K.csv')) });
    }
    const counts = new Map<number, number>();
    report.groups = {};
    for (const r of rows) {
      counts.set(r.classId, (counts.get(r.classId) ?? 0) + 1);
      bump(report.groups, `fold${r.fold}`);
    }
    report.classes = [...counts.keys()].sort((a, b) => a - b).map((id) => ({ name: names[id] ?? `classID ${id}`, count: counts.get(id)! }));
    const files: { rel: string; media: 'audio' }[] = [];
    for (const r of rows) {
      const rel = `audio/fold${r.fold}/${r.file}`;
      const problem = await regularFileProblem(join(root, rel));
      if (problem === undefined) files.push({ rel, media: 'audio' });
      else if (problem === 'does not exist') report.problems.push({ file: rel, error: `listed on line ${r.line} of metadata/UrbanSound8K.csv but missing` });
      else report.problems.push({ file: rel, error: `listed on line ${r.line} of metadata/UrbanSound8K.csv but ${problem}` });
    }
    report.total = rows.length + rowProblems.length;
    await examineFiles(root, files, report, options.onProgress);
  }
  report.problems.sort((a, b) => naturalCompare(a.file, b.file));
  return report;
}
