/**
 * Bad input is caught before anything is written (no search folder, no MLflow run), with a clear
 * message and the exit code convention of `slt --help` (2 = bad usage or input); a full disk
 * under the journal is a clear error that leaves no lock behind.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords, sharedData, slt, smallSearchFlags, tempDir } from './helpers.js';

const fashion = path.join(sharedData, 'fashion-mnist-900');

describe('bad input before anything is written', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await tempDir('bad-input-crash');
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  const nothingWritten = (out: string) => {
    expect(existsSync(path.join(cwd, out))).toBe(false);
    expect(existsSync(path.join(cwd, 'mlruns'))).toBe(false);
  };

  it('documents the exit codes in --help; an unknown option exits 2 like a bad value', async () => {
    const help = await slt(['--help'], cwd);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*2 +bad usage or bad input/);
    const unknown = await slt(['search', '--no-such-flag'], cwd);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--no-such-flag'/);
  });

  it.each([
    [['--tracking-uri', '::not a uri::'], /::not a uri::.*neither http\(s\):\/\/host:port/],
    [['--seed', '1e3'], /--seed: expected a whole number written in digits \(e\.g\. 7\), got '1e3'/],
    [['--lr', 'NaN'], /--lr: expected a finite decimal number.*got 'NaN'/],
  ])('%j is refused with exit 2, naming the value', async (extra, message) => {
    const out = await slt(['search', ...smallSearchFlags(fashion, ['--out', 'x', ...extra])], cwd);
    expect(out.exitCode, out.stderr).toBe(2);
    expect(out.stderr).toMatch(message);
    nothingWritten('x');
  });

  it('--out on a file is refused (exit 2), naming the file', async () => {
    await writeFile(path.join(cwd, 'afile'), 'x');
    const out = await slt(['search', ...smallSearchFlags(fashion, ['--out', 'afile'])], cwd);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/afile is a file, not a folder/);
  });

  it('a read-only --out is reported as read-only, not ENOENT', async (ctx) => {
    const ro = path.join(cwd, 'ro');
    await mkdir(ro);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro], { stdio: 'ignore' });
    } catch {
      ctx.skip();
    }
    try {
      const out = await slt(['search', ...smallSearchFlags(fashion, ['--out', 'ro/s'])], cwd);
      expect(out.exitCode).toBe(2);
      expect(out.stderr).toMatch(/cannot create the search folder .*ro\/s: the file system is read-only|ro is not writable/);
      expect(out.stderr).not.toMatch(/ENOENT/);
    } finally {
      execFileSync('umount', [ro], { stdio: 'ignore' });
    }
  });

  it('bad weights (a missing shard) are found before the search folder or an MLflow run exists', async () => {
    const weights = path.join(cwd, 'weights');
    await cp(path.join(sharedData, 'models/mobilenet_v1_0.25_224'), weights, { recursive: true });
    await rm(path.join(weights, 'group1-shard1of1'), { force: true });
    const out = await slt(['search', ...smallSearchFlags(fashion, ['--weights', weights, '--out', 'w'])], cwd);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/group1-shard1of1/);
    nothingWritten('w');
  });

  it('a full disk under the journal is a clear error; no lock or temp file stays', async (ctx) => {
    const full = path.join(cwd, 'full');
    await mkdir(full);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24k', 'tmpfs', full], { stdio: 'ignore' });
    } catch {
      ctx.skip();
    }
    try {
      const out = await slt(['search', ...smallSearchFlags(fashion, ['--workers', '0', '--out', 'full/s', '--tracking-uri', path.join(cwd, 'full-mlruns')])], cwd);
      expect(out.exitCode).not.toBe(0);
      expect(out.stderr).toMatch(/disk holding it is full \(ENOSPC\)/);
      expect(out.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const left = readdirSync(path.join(full, 's')).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp'));
      expect(left).toEqual([]);
      // What was journalled is whole records only.
      const lines = readRecords(path.join(full, 's/journal.jsonl'));
      expect(lines.some((r) => r.type === 'search.started')).toBe(true);
    } finally {
      execFileSync('umount', [full], { stdio: 'ignore' });
    }
  });
});
