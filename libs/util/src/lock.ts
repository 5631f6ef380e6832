/**
 * One lock primitive for slt: an exclusive-create lock file (`open(path, 'wx')`, O_CREAT|O_EXCL)
 * holding `{ pid, host, startedAt }`. A lock whose process is dead (same host) is taken over;
 * the takeover itself is serialised by a second exclusive file (`<lock>.break`), so two
 * processes finding the same stale lock never both win.
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { UtilError } from './errors.js';

/** What a lock file holds. */
export interface LockOwner {
  /** Process id of the holder. */
  pid: number;
  /** Host name of the holder. */
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
}

/** The lock is held by another live process. */
export class LockHeldError extends UtilError {
  /** The lock file. */
  readonly file: string;
  /** Who holds it. */
  readonly owner: LockOwner;
  constructor(file: string, owner: LockOwner, message: string) {
    super(message);
    this.file = file;
    this.owner = owner;
  }
}

/** True when `pid` is a live process on this host. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a lock file's owner; undefined when it is missing or unreadable (a torn write counts as unreadable). */
export function readLockOwner(file: string): LockOwner | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const j = JSON.parse(text) as Partial<LockOwner>;
    if (typeof j.pid === 'number' && typeof j.host === 'string') return { pid: j.pid, host: j.host, startedAt: String(j.startedAt ?? '') };
  } catch {
    /* older format: a bare pid */
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? { pid, host: hostname(), startedAt: '' } : undefined;
}

/** True when the owner is a live process (on another host: assumed alive). */
export function isOwnerAlive(owner: LockOwner): boolean {
  return owner.host !== hostname() || isProcessAlive(owner.pid);
}

/** Options of `acquireFileLock`. */
export interface FileLockOptions {
  /** What is being locked, for messages (e.g. `search /x/y`). */
  what?: string;
  /** A lock file younger than this with no readable owner is being written: treated as held (default 2000 ms). */
  graceMs?: number;
}

function tryCreate(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw err;
  } finally {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }
  return true;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

/**
 * Takes the lock `file` for this process and returns its release function (idempotent; it
 * removes the file only while this process still owns it).
 * @throws LockHeldError when a live process holds it; the errno error when the folder is not writable.
 */
export function acquireFileLock(file: string, options: FileLockOptions = {}): () => void {
  const what = options.what ?? file;
  const grace = options.graceMs ?? 2000;
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 40; attempt++) {
    if (attempt > 0) sleepSync(25);
    if (tryCreate(file, me)) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const now = readLockOwner(file);
        if (now && now.pid === me.pid && now.host === me.host && now.startedAt === me.startedAt) rmSync(file, { force: true });
      };
    }
    const owner = readLockOwner(file);
    if (owner && owner.pid === process.pid && owner.host === me.host) {
      throw new LockHeldError(file, owner, `${what} is already locked by this process (${file})`);
    }
    if (owner ? isOwnerAlive(owner) : ageMs(file) < grace) {
      if (!owner) continue; // being written right now: look again
      throw new LockHeldError(file, owner, `${what} is locked by process ${owner.pid} on ${owner.host} since ${owner.startedAt || 'unknown'} (${file})`);
    }
    // Stale: the holder is dead. Break it under the break lock, checking it is still the same stale lock.
    const breaker = `${file}.break`;
    if (!tryCreate(breaker, me)) {
      const b = readLockOwner(breaker);
      if (!(b ? isOwnerAlive(b) : ageMs(breaker) < grace)) rmSync(breaker, { force: true });
      continue;
    }
    try {
      const again = readLockOwner(file);
      const same = again === undefined ? !owner : !!owner && again.pid === owner.pid && again.host === owner.host && again.startedAt === owner.startedAt;
      if (same) rmSync(file, { force: true });
    } finally {
      rmSync(breaker, { force: true });
    }
  }
  const owner = readLockOwner(file) ?? { pid: 0, host: '?', startedAt: '' };
  throw new LockHeldError(file, owner, `${what}: cannot take the lock ${file} (it keeps changing hands)`);
}
