import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, fsync'd (unless
 * `options.fsync` is false), then renamed over `path`. Readers see either the old file or the
 * whole new one, never a part.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: {
    /** fsync the temp file before the rename (durability across power loss). Default true. */
    fsync?: boolean;
  } = {},
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    if (options.fsync !== false) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
