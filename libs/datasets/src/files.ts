/**
 * Small file helpers: reading with errors that name the file, and listing folders.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { regularFileProblem } from '@slt/audio';
import { DatasetFileError, messageOf } from './errors.js';

/**
 * Reads a whole file; an error names the file. A folder, FIFO, device or dangling link is refused
 * before opening it (opening a FIFO would block until a writer appears).
 */
export async function readFileNamed(file: string): Promise<Buffer> {
  const problem = await regularFileProblem(file);
  if (problem) throw new DatasetFileError(file, problem);
  try {
    return await readFile(file);
  } catch (err) {
    throw new DatasetFileError(file, `cannot read: ${messageOf(err)}`, { cause: err });
  }
}

/** Reads a file and gunzips it when it starts with the gzip magic (1f 8b). */
export async function readMaybeGzip(file: string): Promise<Buffer> {
  const raw = await readFileNamed(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (err) {
      throw new DatasetFileError(file, `corrupt gzip data: ${messageOf(err)}`, { cause: err });
    }
  }
  return raw;
}

/** Whether `p` is a directory (false when it does not exist). */
export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `p` is a regular file (false when it does not exist). */
export async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** One entry of a folder listing; symbolic links are followed (a link to a file is a file). */
export interface DirEntry {
  name: string;
  /** A folder (or a link to one). */
  isDir: boolean;
  /** A regular file (or a link to one). */
  isFile: boolean;
}

/** Non-hidden entries of a directory, sorted naturally (`2` before `10`); links followed. */
export async function listDir(dir: string): Promise<DirEntry[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new DatasetFileError(dir, `cannot list folder: ${messageOf(err)}`, { cause: err });
  }
  const out: DirEntry[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const target = await stat(join(dir, e.name)).catch(() => undefined);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    out.push({ name: e.name, isDir, isFile });
  }
  return out.sort((a, b) => naturalCompare(a.name, b.name));
}

/** Natural order of names: numeric runs compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
