/** The same small seeded search over spoken digits (fsdd-480, WAV -> log-mel images), end to end. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, readRecords, sharedData, slt, smallSearchFlags, tempDir, lineOf, linesOf, recordsOf } from './helpers.js';

describe('slt search over fsdd-480 (audio)', () => {
  let cwd: string;
  let out: { stdout: string; exitCode?: number; all?: string };

  beforeAll(async () => {
    cwd = await tempDir('audio');
    out = await slt(['search', ...smallSearchFlags(path.join(sharedData, 'fsdd-480'), ['--workers', '0', '--json', '--out', 'fsdd'])], cwd);
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('loads the clips as log-mel images, evaluates every genome and finishes', () => {
    expect(out.exitCode, out.all?.slice(-3000)).toBe(0);
    const lines = jsonLines(out.stdout);
    const search = lineOf(lines, 'search');
    expect(search.dataset.name).toBe('fsdd-480');
    expect(search.dataset.classNames).toHaveLength(10);
    expect(search.dataset.counts.train + search.dataset.counts.val + search.dataset.counts.test).toBe(480);
    expect(search.dataset.shape).toEqual([32, 32, 1]);
    const evals = lines.filter((l) => l.type === 'evaluation' || l.type === 'cached');
    expect(evals).toHaveLength(8);
    for (const e of linesOf(lines, 'evaluation')) {
      expect(e.error).toBeUndefined();
      expect(e.fitness).toBeGreaterThan(0);
    }
    const records = readRecords(path.join(cwd, 'fsdd/journal.jsonl'));
    expect(recordsOf(records, 'generation.finished')).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ type: 'result', status: 'finished' });
  });
});
