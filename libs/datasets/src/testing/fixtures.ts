/**
 * Test fixtures (not part of the public API): paths of the shared data, temp folders, and IDX
 * writing for crafting official-layout and corrupt files from the real Fashion-MNIST subset.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (libs/datasets/src/testing -> ../../../..). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
/** The shared data folder, `../shared/data` from the repository root. */
export const SHARED_DATA = resolve(REPO_ROOT, '../shared/data');
export const FASHION_900 = join(SHARED_DATA, 'fashion-mnist-900');
export const FSDD_480 = join(SHARED_DATA, 'fsdd-480');

/** A fresh temp folder and its remover. */
export async function tempDir(prefix = 'slt-datasets-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Builds an IDX file of unsigned bytes with the given dims. */
export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x800 | dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

/** The real Fashion-MNIST subset read plainly (header skipped by offset, no lib code). */
export async function readFashion900(): Promise<{ images: Uint8Array; labels: Uint8Array; n: number }> {
  const img = await readFile(join(FASHION_900, 'images-idx3-ubyte'));
  const lab = await readFile(join(FASHION_900, 'labels-idx1-ubyte'));
  const n = lab.readUInt32BE(4);
  return { images: img.subarray(16), labels: lab.subarray(8), n };
}
