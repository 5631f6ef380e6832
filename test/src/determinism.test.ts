/**
 * The same seed, the same answer: one seeded search run with 0 (in process), 1 and 2 workers
 * gives the same journal apart from timings, process facts (pids, hosts, worker slots, devices)
 * and the order in which parallel evaluations interleave.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJournal } from './determinism.js';
import { readRecords, sharedData, slt, smallSearchFlags, tempDir, type Rec, recordOf } from './helpers.js';

describe('one seeded search with 0, 1 and 2 workers', () => {
  let cwd: string;
  const journals: Record<number, Rec[]> = {};
  const outputs: Record<number, string> = {};

  beforeAll(async () => {
    cwd = await tempDir('determinism');
    for (const workers of [0, 1, 2]) {
      const out = await slt(['search', ...smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--workers', String(workers), '--out', `w${workers}`, '--json'])], cwd);
      outputs[workers] = out.all ?? '';
      journals[workers] = readRecords(path.join(cwd, `w${workers}`, 'journal.jsonl'));
    }
  }, 1_500_000);
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('gives identical journals apart from timings and process facts', () => {
    for (const w of [0, 1, 2]) expect(journals[w]!.some((r) => r.type === 'search.finished'), outputs[w]!.slice(-2000)).toBe(true);
    const folder = (w: number) => path.join(cwd, `w${w}`);
    const base = canonicalJournal(journals[0]!, folder(0));
    expect(base.filter((r) => r.includes('"eval.finished"')).length).toBeGreaterThan(4);
    expect(canonicalJournal(journals[1]!, folder(1))).toEqual(base);
    expect(canonicalJournal(journals[2]!, folder(2))).toEqual(base);
  });

  it('reports the same best genome', () => {
    const best = (w: number) => recordOf(journals[w]!, 'search.finished').best;
    expect(best(1)).toEqual(best(0));
    expect(best(2)).toEqual(best(0));
  });
});
