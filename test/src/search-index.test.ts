/**
 * The per-user index of searches through the real `slt` bin: a search started in one folder is
 * listed by `slt ls` in another, and `slt attach|rm <id>` reach it from there.
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, lineOf, readRecords, recordOf, sharedData, slt, smallSearchFlags, tempDir } from './helpers.js';

describe('searches from any folder (per-user index)', () => {
  let base: string;
  let saved: string | undefined;
  beforeAll(async () => {
    base = await tempDir('index');
    saved = process.env.SLT_INDEX_FILE;
    process.env.SLT_INDEX_FILE = path.join(base, 'state', 'searches.jsonl');
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.SLT_INDEX_FILE;
    else process.env.SLT_INDEX_FILE = saved;
    await rm(base, { recursive: true, force: true });
  });

  it('slt ls in another folder lists it; attach and rm take its id there', async () => {
    const projectA = path.join(base, 'a');
    const elsewhere = path.join(base, 'b');
    mkdirSync(projectA);
    mkdirSync(elsewhere);
    const run = await slt(['search', ...smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--json'])], projectA);
    if (run.exitCode !== 0) console.error(run.all);
    expect(run.exitCode).toBe(0);
    // The tiny budget (4 x 2 x 1 = 8 genome-epochs) runs in the search's own process, and says so.
    expect(run.stderr).toMatch(/slt search: 0 workers, in this process: a small budget \(8 genome-epochs/);
    const id = lineOf(jsonLines(run.stdout), 'result').searchId;
    // The journal keeps why: attach (and the TUI) show it from there.
    const started = recordOf(readRecords(path.join(projectA, '.slt', 'searches', id, 'journal.jsonl')), 'search.started');
    expect(started.workersReason).toMatch(/^in this process: a small budget \(8 genome-epochs/);

    const ls = await slt(['ls'], elsewhere);
    expect(ls.exitCode).toBe(0);
    expect(ls.stderr).toContain(`searches in ${path.join(elsewhere, '.slt', 'searches')} and 1 more from your index`);
    expect(ls.stdout).toMatch(new RegExp(`^${id} +finished +search .*${path.join(projectA, '.slt', 'searches', id).replace(/[/.-]/g, '\\$&')}`, 'm'));

    const attach = await slt(['attach', id.slice(0, 18)], elsewhere);
    expect(attach.exitCode).toBe(0);
    expect(attach.stdout).toMatch(new RegExp(`^search ${id}: finished`, 'm'));
    expect(attach.all).toMatch(/setup: 0 workers, in this process: a small budget/);

    const removed = await slt(['rm', id], elsewhere);
    expect(removed.exitCode).toBe(0);
    expect((await slt(['ls'], elsewhere)).stdout).toMatch(/^no searches in .* nor in your index of searches/);
  });
});
