/**
 * Failures are not data: a pool worker killed mid-training is retried in a fresh worker and the
 * evaluation gets its real fitness; with no retries left it is recorded as failed (no fitness,
 * MLflow run FAILED), and more failures than `--max-failures` stop the search with a non-zero
 * exit naming them.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, readFileStore, readRecords, sharedData, slt, smallSearchFlags, tempDir, waitFor, type Rec, lineOf, recordOf, recordsOf } from './helpers.js';

/** Starts a search, kills its pool worker once `g0/1` started training, and waits for the end. */
async function killDuringG01(cwd: string, out: string, extra: string[]): Promise<{ result: { exitCode?: number; stdout: string; all?: string }; records: Rec[]; killed: number }> {
  const journal = path.join(cwd, out, 'journal.jsonl');
  const child = slt(['search', ...smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--generations', '1', '--workers', '1', '--out', out, '--json', ...extra])], cwd);
  await waitFor(() => readRecords(journal).some((r) => r.type === 'eval.epoch' && r.key === 'g0/0') && readRecords(journal).some((r) => r.type === 'eval.started' && r.key === 'g0/1') || child.exitCode !== null, 300_000);
  // The pool worker is the child process running the worker module (not, e.g., a build helper):
  // the bin's bundle's (apps/cli/dist/bundle/worker.js), or the per-file build's (pool/worker.js).
  const ps = await execa('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)], { reject: false });
  const line = ps.stdout.split('\n').find((l) => /(pool|bundle)[/\\]worker\.(ts|js)/.test(l)) ?? '';
  const killed = Number(line.trim().split(/\s+/)[0]);
  if (killed > 0) process.kill(killed, 'SIGKILL');
  const result = await child;
  return { result, records: readRecords(journal), killed };
}

describe('a worker killed mid-evaluation', () => {
  let cwd: string;
  let retried: Awaited<ReturnType<typeof killDuringG01>>;
  let stopped: Awaited<ReturnType<typeof killDuringG01>>;

  beforeAll(async () => {
    cwd = await tempDir('failure');
    retried = await killDuringG01(cwd, 'retried', []);
    stopped = await killDuringG01(cwd, 'stopped', ['--retries', '0', '--max-failures', '0']);
  }, 900_000);
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('is retried in a fresh worker and gets its real fitness (default --retries 1)', () => {
    const { result, records, killed } = retried;
    expect(killed).toBeGreaterThan(0);
    expect(result.exitCode, result.all?.slice(-3000)).toBe(0);
    const retry = recordsOf(records, 'eval.retry');
    expect(retry).toHaveLength(1);
    expect(retry[0]).toMatchObject({ key: 'g0/1', attempt: 1 });
    expect(retry[0].error).toMatch(/crashed \(SIGKILL\)/);
    expect(records.filter((r) => r.type === 'eval.started' && r.key === 'g0/1').map((r) => r.attempt ?? 1)).toEqual([1, 2]);
    const fin = recordsOf(records, 'eval.finished');
    expect(fin).toHaveLength(4);
    for (const r of fin) {
      expect(r.result.error).toBeUndefined();
      expect(r.fitness).toBeGreaterThan(0);
    }
    expect(records.some((r) => r.type === 'eval.failed')).toBe(false);
    const summary = lineOf(jsonLines(result.stdout), 'result');
    expect(summary).toMatchObject({ status: 'finished', failures: 0, retries: 1 });
  });

  it('with no retries left is recorded as failed, never as a fitness, and --max-failures 0 stops the search non-zero naming it', () => {
    const { result, records, killed } = stopped;
    expect(killed).toBeGreaterThan(0);
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toMatch(/search stopped: 1 evaluations failed \(more than --max-failures 0\): g0\/1: worker \d crashed/);
    const failed = recordsOf(records, 'eval.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ key: 'g0/1', attempts: 1 });
    expect(records.some((r) => r.type === 'eval.finished' && r.key === 'g0/1')).toBe(false);
    expect(records.some((r) => r.type === 'generation.finished')).toBe(false);
    const end = recordOf(records, 'search.failed');
    expect(end.failedKeys).toEqual(['g0/1']);
    const runs = readFileStore(path.join(cwd, 'mlruns'));
    const child = runs.filter((r) => r.tags['slt.error'] !== undefined);
    expect(child).toHaveLength(1);
    expect(child[0].status).toBe(4); // FAILED
    expect(child[0].metrics.fitness).toBeUndefined();
  });
});
