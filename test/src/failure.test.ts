/**
 * A failing evaluation (its worker process killed mid-training) gets fitness 0 with the reason
 * recorded, its MLflow run ends FAILED, and the search goes on to the end.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileStore, readRecords, sharedData, slt, smallSearchFlags, tempDir, waitFor, type Rec } from './helpers.js';

describe('a crashed evaluation', () => {
  let cwd: string;
  let out: { exitCode?: number; stdout: string; all?: string };
  let records: Rec[];
  let killedWorker = 0;

  beforeAll(async () => {
    cwd = await tempDir('failure');
    const journal = path.join(cwd, 'crash/journal.jsonl');
    const child = slt(['search', ...smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--generations', '1', '--workers', '1', '--out', 'crash', '--json'])], cwd);
    // Kill the pool worker while it trains the second genome.
    await waitFor(() => readRecords(journal).some((r) => r.type === 'eval.started' && r.key === 'g0/1') || child.exitCode !== null, 300_000);
    const ps = await execa('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { reject: false });
    killedWorker = Number(ps.stdout.trim().split('\n')[0]);
    if (killedWorker > 0) process.kill(killedWorker, 'SIGKILL');
    out = await child;
    records = readRecords(journal);
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('records fitness 0 with the reason and finishes the search', () => {
    expect(killedWorker).toBeGreaterThan(0);
    expect(out.exitCode, out.all?.slice(-3000)).toBe(0);
    const failed = records.find((r) => r.type === 'eval.finished' && r.key === 'g0/1')!;
    expect(failed.fitness).toBe(0);
    expect(failed.result.error).toMatch(/\S/);
    const others = records.filter((r) => r.type === 'eval.finished' && r.key !== 'g0/1');
    expect(others).toHaveLength(3);
    for (const r of others) expect(r.result.error).toBeUndefined();
    expect(records.find((r) => r.type === 'generation.finished')!.worst).toBe(0);
    expect(records.some((r) => r.type === 'search.finished')).toBe(true);
  });

  it('ends the failed evaluation run FAILED in MLflow, with its reason as a tag', () => {
    const runs = readFileStore(path.join(cwd, 'mlruns'));
    const failed = runs.filter((r) => r.tags['slt.error'] !== undefined);
    expect(failed).toHaveLength(1);
    expect(failed[0].status).toBe(4); // FAILED
    expect(failed[0].params.index).toBe('1');
    expect(failed[0].metrics.fitness[0][0]).toBe(0);
  });
});
