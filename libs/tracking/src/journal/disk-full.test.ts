/**
 * A full disk under the journal: a clear error naming the journal and what to do, and the journal
 * stays a sequence of whole records (a partly written line is cut off again). Run on a small
 * tmpfs where mounting is allowed (root, as in .ci/run); elsewhere the test is skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalError } from '../errors.js';
import { openJournal } from './journal.js';
import { parseJournal } from './read.js';

const mnt = join(tmpdir(), `slt-tracking-full-${process.pid}`);
let mounted = false;
beforeAll(() => {
  mkdirSync(mnt, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', mnt], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
});
afterAll(() => {
  if (mounted) execFileSync('umount', [mnt], { stdio: 'ignore' });
  rmSync(mnt, { recursive: true, force: true });
});

describe('journal on a full disk', () => {
  it.skipIf(process.platform !== 'linux')('throws a JournalError that says the disk is full, and leaves only whole records', (ctx) => {
    if (!mounted) ctx.skip();
    const file = join(mnt, 's', 'journal.jsonl');
    const j = openJournal(file);
    let err: unknown;
    let appended = 0;
    try {
      for (let i = 0; i < 100_000; i++) {
        j.append('test.fill', { i, pad: 'x'.repeat(700 + (i % 13)) });
        appended++;
      }
    } catch (e) {
      err = e;
    }
    j.close();
    expect(err).toBeInstanceOf(JournalError);
    expect((err as Error).message).toMatch(/disk holding it is full \(ENOSPC\).*slt resume/);
    expect((err as Error).message).toContain(file);
    const parsed = parseJournal(file, readFileSync(file));
    expect(parsed.torn).toBe(false);
    expect(parsed.records).toHaveLength(appended + 1); // + journal.created
  });
});
