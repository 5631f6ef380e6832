/**
 * MLflow as its users see it, with a tracking server that is down when the search starts: the
 * search says so at start and goes on (journalled), ends saying how many runs are pending and the
 * `slt sync` command; once the server is back, `slt sync <dir>` (no URI: the store recorded in the
 * journal) delivers every run: child runs named with the search id, per-epoch metrics, parent
 * metrics whose steps never go backwards, the data set as a dataset input.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowTestServer, type MlflowTestServer } from '@slt/tracking/testing';
import { readRecords, sharedData, slt, smallSearchFlags, tempDir, recordOf, recordsOf } from './helpers.js';

describe('a search whose MLflow server is down at start', () => {
  let cwd: string;
  let server: MlflowTestServer;
  beforeAll(async () => {
    cwd = await tempDir('tracking-down');
    server = await startMlflowTestServer();
    await server.refuse();
  });
  afterAll(async () => {
    await server.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it('warns at start, finishes, names the pending runs and the sync command; sync delivers them later', async () => {
    const flags = smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--generations', '1', '--workers', '0', '--out', 's', '--tracking-uri', server.uri]);
    const out = await slt(['search', ...flags], cwd);
    expect(out.exitCode, out.all?.slice(-2000)).toBe(0);
    expect(out.stderr).toMatch(new RegExp(`MLflow at ${server.uri} is unreachable: connection refused \\(ECONNREFUSED\\)`));
    expect(out.stderr).not.toMatch(/TypeError|fetch failed/);
    expect(out.stderr).toMatch(/run\(s\) not delivered to .*; deliver them with: slt sync .*\/s/);
    const recs = readRecords(path.join(cwd, 's/journal.jsonl'));
    expect(recordOf(recs, 'search.started').tracking).toEqual({ uri: server.uri });
    expect(recordsOf(recs, 'search.log').some((r) => /unreachable/.test(r.message))).toBe(true);

    await server.resume();
    // From another folder, with no URI: the journal's store is used.
    const synced = await slt(['sync', path.join(cwd, 's')], path.join(cwd, '..'));
    expect(synced.exitCode, synced.all?.slice(-2000)).toBe(0);
    const runs = server.allRuns();
    const searchId = recordOf(recs, 'search.started').searchId;
    const parent = runs.find((r) => r.tags['slt.run_key'] === searchId)!;
    const children = runs.filter((r) => r.tags['mlflow.parentRunId'] === parent.info.runId);
    expect(children).toHaveLength(4);
    for (const c of children) {
      expect(c.info.runName).toMatch(new RegExp(`^${searchId}/g0-\\d$`));
      expect(c.info.status).toBe('FINISHED');
      expect(c.history.filter((m) => m.key === 'val_accuracy')).toHaveLength(1);
    }
    expect(parent.info.status).toBe('FINISHED');
    expect(parent.inputs).toEqual([expect.objectContaining({ name: 'fashion-mnist-900', source_type: 'local', context: 'training' })]);
    const steps = parent.history.filter((m) => m.key === 'best_trainable_params').map((m) => m.step);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    // Idempotent: again, nothing new.
    const before = server.allRuns().reduce((n, r) => n + r.history.length, 0);
    expect((await slt(['sync', path.join(cwd, 's')], cwd)).exitCode).toBe(0);
    expect(server.allRuns().reduce((n, r) => n + r.history.length, 0)).toBe(before);
  });
});
