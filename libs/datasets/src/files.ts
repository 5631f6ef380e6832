/**
 * Small file helpers: reading with errors that name the file, and listing folders.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DatasetFileError, messageOf } from './errors.js';

/** Reads a whole file; an error names the file. */
export async function readFileNamed(file: string): Promise<Buffer> {
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

/** Non-hidden entries of a directory, sorted naturally (`2` before `10`). */
export async function listDir(dir: string): Promise<{ name: string; isDir: boolean; isFile: boolean }[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new DatasetFileError(dir, `cannot list folder: ${messageOf(err)}`, { cause: err });
  }
  return entries
    .filter((e) => !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, isDir: e.isDirectory(), isFile: e.isFile() }))
    .sort((a, b) => naturalCompare(a.name, b.name));
}

/** Natural order of names: numeric runs compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
