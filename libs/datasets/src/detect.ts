/**
 * Layout detection: which of the known layouts a folder holds.
 */
import { join, resolve } from 'node:path';
import { DatasetLayoutError, DatasetOptionError } from './errors.js';
import { isDirectory, isFile, listDir } from './files.js';
import { mediaOf } from './layouts/folders.js';
import { findIdxFiles } from './layouts/idx-layout.js';
import { URBANSOUND_CSV } from './layouts/urbansound.js';
import type { DatasetKind } from './types.js';

/** Every layout this lib reads. */
export const DATASET_KINDS: readonly DatasetKind[] = ['idx', 'urbansound8k', 'folders'];

/** Checks a `kind` option. */
export function checkKind(kind: unknown): DatasetKind {
  if (!DATASET_KINDS.includes(kind as DatasetKind)) {
    throw new DatasetOptionError('kind', kind, `one of ${DATASET_KINDS.join(', ')}`);
  }
  return kind as DatasetKind;
}

/**
 * Detects the layout of the folder `path`: `urbansound8k` when `metadata/UrbanSound8K.csv`
 * exists, `idx` when it holds IDX files, `folders` when a sub-folder holds audio/PNG/JPEG files; otherwise an error
 * saying what was looked for.
 */
export async function detectKind(path: string): Promise<DatasetKind> {
  const root = resolve(path);
  if (!(await isDirectory(root))) {
    const what = (await isFile(root)) ? 'is a file, not a data set folder' : 'does not exist';
    throw new DatasetLayoutError(path, what);
  }
  if (await isFile(join(root, URBANSOUND_CSV))) return 'urbansound8k';
  if (await findIdxFiles(root)) return 'idx';
  for (const e of await listDir(root)) {
    if (!e.isDir) continue;
    const inner = await listDir(join(root, e.name));
    if (inner.some((f) => mediaOf(f.name) !== undefined)) return 'folders';
  }
  throw new DatasetLayoutError(
    path,
    `unknown layout: expected ${URBANSOUND_CSV} (urbansound8k), IDX files such as images-idx3-ubyte[.gz] (idx), or one sub-folder per class holding audio (WAV/FLAC/OGG/MP3) or PNG/JPEG files (folders)`,
  );
}
