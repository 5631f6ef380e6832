/** Durable file writes for tracking: slt's one atomic write (@slt/util), creating the folder. */
import { writeFileAtomic as write } from '@slt/util';

/**
 * Writes `data` to `file` atomically (never half-written), creating the folder. With
 * `durable` (default) the data is fsync'd before the rename, so it also survives a power loss.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, durable = true): Promise<void> {
  return write(file, data, { mkdir: true, fsync: durable });
}
