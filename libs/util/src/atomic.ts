/**
 * Atomic file writes: the data goes to a temp file in the target's folder (named
 * `.<name>.<pid>.<hex>.tmp`, so {@link removeStaleTemps} can tell a dead writer's leftovers), is
 * optionally fsync'd, then renamed over the target. A reader sees the old file or the whole new
 * one, never a part; a failed write leaves the target as it was and removes its temp file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}, {@link writeFileAtomicSync} and {@link copyFileAtomic}. */
export interface AtomicWriteOptions {
  /** fsync the temp file before the rename, so the new content also survives a power loss. Default true. */
  fsync?: boolean;
  /** Create the target's folder (recursively) when it is missing. Default false. */
  mkdir?: boolean;
}

/** The temp file a write to `file` goes through: `.<name>.<pid>.<hex>.tmp` beside it. */
export function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `file` atomically (see the module's note). */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  if (options.mkdir) await mkdir(dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      if (options.fsync !== false) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** {@link writeFileAtomic}, synchronously. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  if (options.mkdir) mkdirSync(dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let off = 0; off < bytes.byteLength; ) off += writeSync(fd, bytes, off);
      if (options.fsync !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Copies `src` to `dest` atomically (through a temp file beside `dest`). */
export async function copyFileAtomic(src: string, dest: string, options: AtomicWriteOptions = {}): Promise<void> {
  if (options.mkdir) await mkdir(dirname(dest), { recursive: true });
  const tmp = tempPathFor(dest);
  try {
    await copyFile(src, tmp);
    if (options.fsync !== false) {
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The temp-file name pattern of these writes (`.<name>.<pid>.<hex>.tmp`; also without the dot). */
const TEMP = /^\.?.+\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Removes the temp files that writers no longer alive left in `dir` (a kill -9 mid-write), so no
 * stale `.tmp` stays; this process's own and live processes' temps are kept. Returns the names
 * removed (none when `dir` does not exist).
 */
export function removeStaleTemps(dir: string, alive: (pid: number) => boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP.exec(n);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    rmSync(join(dir, n), { force: true });
    removed.push(n);
  }
  return removed;
}
