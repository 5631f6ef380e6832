import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '@slt/tracking';
import { startMlflowTestServer, type MlflowTestServer } from '@slt/tracking/testing';
import { runCommand } from '../testing/run-command.js';
import { registerSync } from './sync.js';

let tmp: string;
let server: MlflowTestServer;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'slt-cli-sync-'));
  server = await startMlflowTestServer();
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

const run = (args: string[]) => runCommand(registerSync, args);

describe('slt sync', () => {
  it('pushes a finished search folder to a tracking server, once', async () => {
    const dir = join(tmp, 'search-1');
    const j = openJournal(join(dir, 'journal.jsonl'), { defaultExperimentName: 'sync-test' });
    j.createRun({ runKey: 'search', runName: 'search 1' });
    j.logParams('search', { population: 8 });
    j.createRun({ runKey: 'g0-0', parentRunKey: 'search', runName: 'g0 #0' });
    j.logMetrics('g0-0', [0, 1, 2].map((e) => ({ key: 'val_accuracy', value: e / 4, step: e })));
    j.logArtifact('g0-0', 'mask.json', '{"mask":"01"}');
    j.endRun('g0-0');
    j.endRun('search');
    j.close();
    const r = await run(['sync', dir, '--tracking-uri', server.uri, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ runsCreated: 2, metricsLogged: 3, artifacts: 1, target: server.uri });
    const runs = server.allRuns();
    expect(runs).toHaveLength(2);
    const child = runs.find((x) => x.tags['slt.run_key'] === 'g0-0')!;
    expect(child.tags['mlflow.parentRunId']).toBe(runs.find((x) => x.tags['slt.run_key'] === 'search')!.info.runId);
    expect(child.history.map((m) => m.value)).toEqual([0, 0.25, 0.5]);
    const again = await run(['sync', join(dir, 'journal.jsonl'), '--tracking-uri', server.uri]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/2 runs \(0 created, 0 found\), 0 metric points/);
    expect(server.allRuns()).toHaveLength(2);
  });

  it('names a missing path, an empty folder and an unsupported URI (bad input: exit 2)', async () => {
    const missing = await run(['sync', join(tmp, 'nope')]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.error).toMatch(/nope.*no such search/);
    const empty = join(tmp, 'empty');
    await (await import('node:fs/promises')).mkdir(empty);
    expect((await run(['sync', empty])).error).toMatch(/not a search folder/);
    const j = openJournal(join(tmp, 'x.jsonl'));
    j.close();
    const bad = await run(['sync', j.path, '--tracking-uri', 'sqlite:///m.db']);
    expect(bad.code).toBe(2);
    expect(bad.error).toMatch(/Unsupported tracking URI 'sqlite:\/\/\/m.db'/);
    const colon = await run(['sync', j.path, '--tracking-uri', '::not a uri::']);
    expect(colon.code).toBe(2);
    expect(colon.error).toMatch(/'::not a uri::'/);
  });

  it('says "connection refused" for a closed port (exit 1), not a TypeError', async () => {
    const dir = join(tmp, 'search-closed');
    const j = openJournal(join(dir, 'journal.jsonl'), { defaultExperimentName: 'sync-test' });
    j.createRun({ runKey: 'search', runName: 'search closed' });
    j.close();
    const closed = await startMlflowTestServer();
    const uri = closed.uri;
    await closed.close();
    const r = await run(['sync', dir, '--tracking-uri', uri]);
    expect(r.code).toBe(1);
    expect(r.error).toMatch(/connection refused \(ECONNREFUSED\)/);
    expect(r.error).not.toMatch(/TypeError|fetch failed/);
    // One line naming the server once, and what to check.
    expect(String(r.error).trim().split('\n')).toHaveLength(1);
    expect(String(r.error).split(uri).length - 1).toBe(1);
    expect(r.error).toMatch(new RegExp(`MLflow at ${uri.replace(/[.]/g, '\\.')} is unreachable: connection refused \\(ECONNREFUSED\\)\\. Is the MLflow server running there\\? Check --tracking-uri`));
  }, 120_000);
});
