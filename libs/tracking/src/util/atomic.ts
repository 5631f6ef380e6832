/** Durable file writes: a temp file in the same folder, fsync'd, then renamed over the target. */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/**
 * Writes `data` to `file` atomically (never half-written), creating the folder. With
 * `durable` (default) the data is fsync'd before the rename, so it also survives a power loss.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, durable = true): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The temp-file pattern of `writeFileAtomic`: `.<name>.<pid>.<hex>.tmp` (and `<name>.<pid>.<hex>.tmp`). */
const TEMP = /^\.?.+\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Removes the temp files a killed process left in `dir` (those whose pid is not alive), so no
 * stale `.tmp` stays after a kill -9. Returns the names removed.
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
