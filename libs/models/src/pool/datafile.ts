/**
 * The splits as one binary file that every worker reads once: a little-endian uint32 header
 * length, a JSON header, then each split's images (float32) and labels (int32), 4-byte aligned.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@slt/util';
import { TrainingInputError } from '../training/errors.js';
import type { ImageSplit, TrainingSplits } from '../training/types.js';

const MAGIC = 'slt-splits-v1';
const KEYS = ['train', 'val', 'test'] as const;

interface Header {
  magic: string;
  splits: Record<(typeof KEYS)[number], { shape: [number, number, number, number]; images: number; labels: number }>;
}

/** Writes the splits to `file` (temp file in the same folder, then rename). */
export async function writeSplitsFile(file: string, splits: TrainingSplits): Promise<void> {
  const parts: Buffer[] = [];
  let offset = 0;
  const header: Header = { magic: MAGIC, splits: {} as Header['splits'] };
  for (const key of KEYS) {
    const s = splits[key];
    const images = Buffer.from(s.images.buffer, s.images.byteOffset, s.images.byteLength);
    const labels = Buffer.from(s.labels.buffer, s.labels.byteOffset, s.labels.byteLength);
    header.splits[key] = { shape: s.shape, images: offset, labels: offset + images.byteLength };
    parts.push(images, labels);
    offset += images.byteLength + labels.byteLength;
  }
  let json = Buffer.from(JSON.stringify(header));
  const pad = (4 - ((4 + json.byteLength) % 4)) % 4;
  json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.byteLength, 0);
  await writeFileAtomic(file, Buffer.concat([len, json, ...parts]), { fsync: false });
}

/** Reads a file written by {@link writeSplitsFile}. */
export async function readSplitsFile(file: string): Promise<TrainingSplits> {
  const buf = await readFile(file);
  const fail = (problem: string): never => {
    throw new TrainingInputError('splitsFile', file, `a splits file written by writeSplitsFile (${problem})`);
  };
  if (buf.byteLength < 4) fail('too short');
  const len = buf.readUInt32LE(0);
  let header: Header | undefined;
  try {
    header = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as Header;
  } catch {
    fail('bad header');
  }
  if (header?.magic !== MAGIC) fail('bad magic');
  const base = 4 + len;
  // Copy into a fresh, aligned buffer so typed arrays can view it.
  const body = new Uint8Array(buf.byteLength - base);
  body.set(buf.subarray(base));
  const out = {} as Record<(typeof KEYS)[number], ImageSplit>;
  for (const key of KEYS) {
    const h = header!.splits[key];
    const [n, hh, w, c] = h.shape;
    if (h.labels + n * 4 > body.byteLength) fail(`split ${key} truncated`);
    out[key] = {
      shape: h.shape,
      images: new Float32Array(body.buffer, h.images, n * hh * w * c),
      labels: new Int32Array(body.buffer, h.labels, n),
    };
  }
  return out;
}
