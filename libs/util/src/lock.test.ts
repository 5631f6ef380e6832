/** The one lock primitive: mutual exclusion between two real processes racing, stale-pid takeover. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LockHeldError, acquireFileLock, readLockOwner } from './lock.js';

/** A temp folder and its cleanup. */
function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'slt-util-lock-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const lockModule = fileURLToPath(new URL('./lock.ts', import.meta.url));

/** A child that takes the lock `rounds` times, logging enter/exit around a short critical section. */
const racer = (lock: string, log: string, rounds: number) => `
import { appendFileSync } from 'node:fs';
import { acquireFileLock, LockHeldError } from ${JSON.stringify(lockModule)};
let got = 0;
while (got < ${rounds}) {
  let release;
  try { release = acquireFileLock(${JSON.stringify(lock)}); } catch (e) { if (e instanceof LockHeldError) continue; throw e; }
  appendFileSync(${JSON.stringify(log)}, 'enter ' + process.pid + '\\n');
  const t = Date.now(); while (Date.now() - t < 2) {}
  appendFileSync(${JSON.stringify(log)}, 'exit ' + process.pid + '\\n');
  release();
  got++;
}
`;

function runRacers(lock: string, log: string, rounds: number): Promise<number[]> {
  const start = () =>
    new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', racer(lock, log, rounds)], { stdio: ['ignore', 'inherit', 'inherit'] });
      c.on('exit', (code) => resolve(code ?? -1));
    });
  return Promise.all([start(), start()]);
}

describe('acquireFileLock', () => {
  it('lets exactly one of two racing processes hold the lock at a time', async () => {
    const t = tempDir();
    try {
      const lock = join(t.dir, 'x.lock');
      const log = join(t.dir, 'log');
      writeFileSync(log, '');
      // Start from a stale lock of a dead process: both racers find it and must not both take it over.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), startedAt: 'then' }));
      const codes = await runRacers(lock, log, 150);
      expect(codes).toEqual([0, 0]);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(2 * 2 * 150);
      let holder: string | undefined;
      for (const l of lines) {
        const [what, pid] = l.split(' ');
        if (what === 'enter') {
          expect(holder, `two holders at once: ${holder} and ${pid}`).toBeUndefined();
          holder = pid;
        } else {
          expect(holder).toBe(pid);
          holder = undefined;
        }
      }
      expect(existsSync(lock)).toBe(false);
      expect(existsSync(`${lock}.break`)).toBe(false);
    } finally {
      t.cleanup();
    }
  }, 120_000);

  it('refuses a lock held by a live process, naming it, and releases only its own', () => {
    const t = tempDir();
    try {
      const lock = join(t.dir, 'y.lock');
      writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 'now' }));
      expect(() => acquireFileLock(lock, { what: 'search /y' })).toThrow(LockHeldError);
      expect(() => acquireFileLock(lock, { what: 'search /y' })).toThrow(new RegExp(`search /y is locked by process ${process.ppid}`));
      writeFileSync(lock, '');
      // An empty lock file older than the grace period is stale (its writer died mid-write).
      const release = acquireFileLock(lock, { graceMs: 0 });
      expect(readLockOwner(lock)?.pid).toBe(process.pid);
      release();
      expect(existsSync(lock)).toBe(false);
    } finally {
      t.cleanup();
    }
  });
});
