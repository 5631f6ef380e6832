import { ConfigError, ResumeError, RunnerError, SearchInterruptedError, SearchNotFoundError, locateSearch } from '@slt/runner';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, exitCodeFor } from './errors.js';

describe('exitCodeFor: the one mapping from errors to exit codes', () => {
  it('maps each kind of runner error, as the runner raises it, to the exit code the CLI has always used', () => {
    expect(exitCodeFor(new ConfigError('flags', ['epochs: expected a number']))).toBe(2);
    expect(exitCodeFor(new SearchInterruptedError('/x/journal.jsonl'))).toBe(130);
    expect(exitCodeFor(new ResumeError('/x/journal.jsonl', 'the data set differs', { kind: 'bad-input' }))).toBe(2);
    expect(exitCodeFor(new ResumeError('/x/journal.jsonl', 'running elsewhere', { kind: 'conflict' }))).toBe(1);
    expect(exitCodeFor(new RunnerError('journal damaged'))).toBe(1);
    const root = mkdtempSync(path.join(os.tmpdir(), 'slt-cli-errors-'));
    try {
      const missing = (() => {
        try {
          locateSearch('no-such-search', root);
        } catch (err) {
          return err;
        }
      })();
      expect(missing).toBeInstanceOf(SearchNotFoundError);
      expect((missing as SearchNotFoundError).kind).toBe('not-found');
      expect(exitCodeFor(missing)).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("keeps a command's own exit code and gives 1 to anything else", () => {
    expect(exitCodeFor(new CliError('2 problems found', { exitCode: 2 }))).toBe(2);
    expect(exitCodeFor(new CliError('failed'))).toBe(1);
    expect(exitCodeFor(Object.assign(new Error('not running'), { exitCode: 1 }))).toBe(1);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('a string')).toBe(1);
    expect(exitCodeFor({ kind: 'no-such-kind' })).toBe(1);
  });
});
