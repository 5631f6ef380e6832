import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchNotFoundError, RunnerError } from '../errors.js';
import { Controller } from './control.js';
import { LOCK_FILE, acquireLock, isSearchRunning, locateSearch, readControl, sendControl } from './paths.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'slt-paths-'));
  for (const id of ['20260101-000000-aaaa', '20260102-000000-bbbb']) {
    mkdirSync(path.join(root, id));
    writeFileSync(path.join(root, id, 'journal.jsonl'), '');
  }
  mkdirSync(path.join(root, 'not-a-search'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('locateSearch', () => {
  it('finds a search by folder, journal file, id and unique id prefix', () => {
    const dir = path.join(root, '20260101-000000-aaaa');
    const journalPath = path.join(dir, 'journal.jsonl');
    expect(locateSearch(dir, root)).toEqual({ dir, journalPath });
    expect(locateSearch(journalPath, root)).toEqual({ dir, journalPath });
    expect(locateSearch('20260101-000000-aaaa', root)).toEqual({ dir, journalPath });
    expect(locateSearch('20260102', root).dir).toBe(path.join(root, '20260102-000000-bbbb'));
  });

  it('names the reference, ambiguous matches, and a folder without journal', () => {
    expect(() => locateSearch('2026', root)).toThrow(/ambiguous search id; matches 20260101-000000-aaaa, 20260102-000000-bbbb/);
    expect(() => locateSearch('zzz', root)).toThrow(SearchNotFoundError);
    expect(() => locateSearch('zzz', root)).toThrow(/no such search file, folder or id .*searches: 20260101-000000-aaaa, 20260102-000000-bbbb/);
    expect(() => locateSearch(path.join(root, 'not-a-search'), root)).toThrow(/no journal\.jsonl in this folder/);
  });

  it('accepts the folder of a detached launch whose process has not written its journal yet', () => {
    const dir = path.join(root, 'launching');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'detached.json'), JSON.stringify({ pid: process.pid }));
    expect(locateSearch(dir, root)).toEqual({ dir, journalPath: path.join(dir, 'journal.jsonl') });
  });
});

describe('search lock', () => {
  it('is taken and released by this process, and refused while another live process holds it', () => {
    const dir = path.join(root, '20260101-000000-aaaa');
    const release = acquireLock(dir);
    expect(isSearchRunning(dir)).toBe(true);
    release();
    expect(isSearchRunning(dir)).toBe(false);
    // The parent of this test process is alive: a lock in its name blocks.
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '' }));
    expect(() => acquireLock(dir)).toThrow(new RegExp(`already running \\(pid ${process.ppid}\\)`));
    // A lock left by a dead process (pid far above pid_max) is taken over.
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 30, host: hostname(), startedAt: '' }));
    expect(isSearchRunning(dir)).toBe(false);
    acquireLock(dir)();
  });
});

describe('control file', () => {
  it('rejects unknown commands, naming the valid ones', () => {
    expect(() => sendControl(root, 'kill' as never)).toThrow(RunnerError);
    expect(() => sendControl(root, 'kill' as never)).toThrow(/valid: stop, pause, continue/);
  });

  it('delivers pause, continue and stop to a running search', async () => {
    const dir = path.join(root, '20260102-000000-bbbb');
    const seen: string[] = [];
    const c = new Controller(dir, (reason) => seen.push(`stop:${reason}`), (paused) => seen.push(paused ? 'pause' : 'continue'), 20);
    const until = async (n: number) => {
      for (let i = 0; i < 500 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    try {
      sendControl(dir, 'pause');
      await until(1);
      expect(c.paused).toBe(true);
      const ctl = new AbortController();
      const waiting = c.waitWhilePaused(ctl.signal);
      await new Promise((r) => setTimeout(r, 5)); // distinct ISO times for the next command
      sendControl(dir, 'continue');
      await waiting;
      expect(c.paused).toBe(false);
      await new Promise((r) => setTimeout(r, 5));
      sendControl(dir, 'stop');
      await until(3);
      expect(seen).toEqual(['pause', 'continue', 'stop:stop command']);
      expect(readControl(dir)?.command).toBe('stop');
    } finally {
      c.close();
    }
  });
});
