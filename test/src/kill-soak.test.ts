/**
 * A bounded kill -9 soak with real processes: the `slt search` process group is SIGKILLed right
 * after chosen journal records land (the start, an evaluation's end, a generation's end) and at a
 * spread-out moment; `slt resume` runs each to its end and `slt sync` delivers. Each must equal
 * the uninterrupted run (evaluations, population, FileStore), with no lock or temp file left.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResults, exited, journalOf, killGroup, leftovers, readResult, spawnSlt, until, type SearchResult } from './crash.js';
import { readRecords, sharedData, slt, smallSearchFlags, tempDir, recordsOf } from './helpers.js';

const flags = (out: string) => smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--workers', '1', '--seed', '5', '--out', out]);

describe('kill -9 soak: aimed kills, resume, sync', () => {
  let cwd: string;
  let ref: SearchResult;
  beforeAll(async () => {
    cwd = await tempDir('soak');
    await mkdir(path.join(cwd, 'ref'));
    const out = await slt(['search', ...flags('s')], path.join(cwd, 'ref'));
    expect(out.exitCode, out.all?.slice(-2000)).toBe(0);
    ref = readResult(journalOf(path.join(cwd, 'ref/s')), path.join(cwd, 'ref/mlruns'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  const cases: Array<[string, (recs: ReturnType<typeof readRecords>) => boolean]> = [
    ['right after search.started', (r) => r.some((x) => x.type === 'search.started')],
    ['right after the second eval.finished', (r) => recordsOf(r, 'eval.finished').length >= 2],
    ['right after generation.finished', (r) => r.some((x) => x.type === 'generation.finished')],
    ['mid-evaluation of generation 1', (r) => r.some((x) => x.type === 'eval.epoch' && x.key === 'g1/1')],
  ];
  it.each(cases)('killed %s', async (name, when) => {
    const dir = path.join(cwd, name.replace(/\W+/g, '-'));
    await mkdir(dir);
    const child = spawnSlt(['search', ...flags('s')], dir);
    child.stdout!.resume();
    child.stderr!.resume();
    const hit = await until(() => when(readRecords(journalOf(path.join(dir, 's')))), child, 2);
    killGroup(child);
    await exited(child);
    expect(hit, 'the search ended before the kill').toBe(true);
    const resumed = await slt(['resume', 's'], dir);
    expect(resumed.exitCode, resumed.all?.slice(-2000)).toBe(0);
    const synced = await slt(['sync', 's'], dir);
    expect(synced.exitCode, synced.all?.slice(-2000)).toBe(0);
    const c = compareResults(ref, readResult(journalOf(path.join(dir, 's')), path.join(dir, 'mlruns')));
    expect(c.differences).toEqual([]);
    expect(c).toMatchObject({ identical: true, exactStore: true, lost: 0, duplicated: 0 });
    expect(leftovers(path.join(dir, 's'))).toEqual([]);
    // Resuming the finished search again changes nothing and says so.
    const lines = readRecords(journalOf(path.join(dir, 's'))).length;
    const again = await slt(['resume', 's'], dir);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/already finished/);
    expect(readRecords(journalOf(path.join(dir, 's')))).toHaveLength(lines);
  });
});
