/**
 * The delivery-state file kept beside the journal, one per target:
 * `<journal>.delivery-<hash of target>.json`. It maps runKeys to MLflow run ids, remembers how
 * far the journal was delivered, and which range was in flight when the process stopped.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { DeliveryError } from '../errors.js';
import { LockHeldError, acquireFileLock, isProcessAlive, removeStaleTemps } from '@slt/util';
import { writeFileAtomic } from '../util/atomic.js';

/** What is known about one delivered run. */
export interface DeliveredRun {
  /** MLflow run id. */
  runId: string;
  /** MLflow experiment id. */
  experimentId: string;
  /** Artifact root of the run. */
  artifactUri: string;
}

/** Contents of the delivery-state file. */
export interface DeliveryState {
  /** File format version (1). */
  version: 1;
  /** Target (`http://...` or `file:///...`). */
  target: string;
  /** Every record with seq <= this is delivered. */
  deliveredSeq: number;
  /** Experiment name -> id. */
  experiments: Record<string, string>;
  /** runKey -> MLflow run. */
  runs: Record<string, DeliveredRun>;
  /** Records being delivered when the state was last written (reconciled on the next start). */
  inflight?: { fromSeq: number; toSeq: number };
}

/** Path of the state file of `journalPath` for `target`. */
export function deliveryStatePath(journalPath: string, target: string): string {
  const h = createHash('sha256').update(target).digest('hex').slice(0, 10);
  return `${journalPath}.delivery-${h}.json`;
}

/** Reads the state file (a fresh state when missing). */
export async function loadDeliveryState(file: string, target: string): Promise<DeliveryState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, target, deliveredSeq: 0, experiments: {}, runs: {} };
    throw new DeliveryError(file, `Cannot read delivery state ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const s = JSON.parse(text) as DeliveryState;
    if (s.version !== 1 || typeof s.deliveredSeq !== 'number' || !s.runs || !s.experiments) throw new Error('unexpected shape');
    return s;
  } catch (cause) {
    throw new DeliveryError(file, `Delivery state ${file} is corrupt (${(cause as Error).message}); delete it to re-deliver (runs are found again by their slt.run_key tag)`, { cause });
  }
}

/** Writes the state file atomically. */
export async function saveDeliveryState(file: string, state: DeliveryState): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(state));
}

/**
 * Takes the lock `<stateFile>.lock` so that two deliveries never push the same journal to the
 * same target at once (a stale lock of a dead process is taken over), and removes temp files
 * a killed delivery left beside the journal. Returns the release function.
 */
export function acquireDeliveryLock(stateFile: string, journalPath: string): () => void {
  const lock = `${stateFile}.lock`;
  let release: () => void;
  try {
    release = acquireFileLock(lock, { what: `delivery of ${journalPath}` });
  } catch (err) {
    if (err instanceof LockHeldError) {
      throw new DeliveryError(journalPath, `Journal ${journalPath} is already being delivered to this target by process ${err.owner.pid} (lock ${lock})`, { cause: err });
    }
    throw new DeliveryError(journalPath, `Cannot create delivery lock ${lock}: ${(err as Error).message}`, { cause: err });
  }
  removeStaleTemps(dirname(stateFile), isProcessAlive);
  return release;
}
