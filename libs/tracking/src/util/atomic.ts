/**
 * Durable file writes for tracking: slt's one atomic write (@slt/util), creating the folder.
 *
 * The writes are synchronous behind a promise. A file store delivery writes a few dozen small
 * files per run (MLflow's layout: a file per tag, param and metric); each asynchronous write was
 * five trips through libuv's thread pool (mkdir, open, write, close, rename) and their wake-ups:
 * the delivery took the search process about 0.55 CPU seconds of a 9 s search on 2 cores (0.3 s
 * synchronously), beside the two training workers. Folders made once are remembered (a few per
 * run), so the folder is not made again per file. The journal beside the store is written
 * synchronously too.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomicSync } from '@slt/util';

const made = new Set<string>();

function writeIn(dir: string, file: string, data: string | Uint8Array, durable: boolean): void {
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  writeFileAtomicSync(file, data, { fsync: durable });
}

/**
 * Writes `data` to `file` atomically (never half-written), creating the folder. With
 * `durable` (default) the data is fsync'd before the rename, so it also survives a power loss.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, durable = true): Promise<void> {
  const dir = dirname(file);
  try {
    writeIn(dir, file, data, durable);
  } catch (err) {
    // a folder made earlier and removed since (a run moved to .trash and back): make it again, once
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !made.delete(dir)) throw err;
    writeIn(dir, file, data, durable);
  }
}
