/**
 * MLflow as its users see it: metric history paging (MLflow 3.4+ answers a request without
 * max_results with no points and a page token it then refuses, mlflow#23916) and dataset inputs
 * in both stores (the FileStore in MLflow's own layout).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { tempDir } from '../test-support/fixtures.js';
import { startMlflowTestServer, type MlflowTestServer } from '../testing/mlflow-test-server.js';
import { FileStore } from './file-store.js';
import { METRIC_HISTORY_PAGE_SIZE, MlflowRestClient } from './rest.js';

let server: MlflowTestServer;
beforeAll(async () => {
  server = await startMlflowTestServer();
});
afterAll(() => server.close());

describe('metrics/get-history', () => {
  it('the test double answers a request without max_results like MLflow 3.4+: no points, then 400 for its token', async () => {
    const client = new MlflowRestClient({ trackingUri: server.uri });
    const exp = await client.createExperiment('history-raw');
    const run = await client.createRun({ experimentId: exp, runName: 'r', startTime: 1, tags: [] });
    await client.logBatch(run.runId, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], params: [], tags: [] });
    const url = `${server.uri}/api/2.0/mlflow/metrics/get-history?run_id=${run.runId}&metric_key=m`;
    const first = (await (await fetch(url)).json()) as { metrics?: unknown[]; next_page_token?: string };
    expect(first.metrics ?? []).toHaveLength(0);
    expect(first.next_page_token).toBeTruthy();
    const second = await fetch(`${url}&page_token=${encodeURIComponent(first.next_page_token!)}`);
    expect(second.status).toBe(400);
    expect(((await second.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('the client sends max_results=25000 and follows page tokens over more than one page', async () => {
    const client = new MlflowRestClient({ trackingUri: server.uri });
    const exp = await client.createExperiment('history-pages');
    const run = await client.createRun({ experimentId: exp, runName: 'r', startTime: 1, tags: [] });
    const n = METRIC_HISTORY_PAGE_SIZE + 7;
    for (let i = 0; i < n; i += 1000) {
      const metrics = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ key: 'loss', value: (i + j) / n, timestamp: 1000 + i + j, step: i + j }));
      await client.logBatch(run.runId, { metrics, params: [], tags: [] });
    }
    const before = server.requests.length;
    const history = await client.getMetricHistory(run.runId, 'loss');
    expect(history).toHaveLength(n);
    expect(history[n - 1].step).toBe(n - 1);
    const calls = server.requests.slice(before).filter((r) => r.path.endsWith('/metrics/get-history'));
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.status === 200)).toBe(true);
  }, 120_000);
});

describe('dataset inputs', () => {
  const dataset = { name: 'fashion-mnist-900', digest: 'a3d72624', sourceType: 'local', source: '{"uri": "/data/f"}', profile: '{"num_rows": 900}', context: 'training' };

  it('the REST client logs them with runs/log-inputs (idempotent)', async () => {
    const client = new MlflowRestClient({ trackingUri: server.uri });
    const exp = await client.createExperiment('inputs-rest');
    const run = await client.createRun({ experimentId: exp, runName: 'r', startTime: 1, tags: [] });
    await client.logInputs(run, [dataset]);
    await client.logInputs(run, [dataset]);
    const stored = server.allRuns().find((r) => r.info.runId === run.runId)!;
    expect(stored.inputs).toEqual([{ name: dataset.name, digest: dataset.digest, source_type: 'local', source: dataset.source, context: 'training' }]);
  });

  it('the FileStore writes datasets/<md5(name+digest)>/meta.yaml and <run>/inputs/<md5(dataset id+run id)>/meta.yaml', async () => {
    const t = tempDir();
    try {
      const store = new FileStore(join(t.dir, 'mlruns'));
      const exp = await store.createExperiment('inputs-file');
      const run = await store.createRun({ experimentId: exp, runName: 'r', startTime: 1, tags: [] });
      await store.logInputs(run, [dataset]);
      await store.logInputs(run, [dataset]);
      const { createHash } = await import('node:crypto');
      const datasetId = createHash('md5').update(dataset.name).update(dataset.digest).digest('hex');
      const inputId = createHash('md5').update(datasetId).update(run.runId).digest('hex');
      const dsMeta = parseYaml(readFileSync(join(t.dir, 'mlruns', exp, 'datasets', datasetId, 'meta.yaml'), 'utf8'));
      expect(dsMeta).toMatchObject({ name: dataset.name, digest: dataset.digest, source_type: 'local', source: dataset.source, profile: dataset.profile });
      const inputsDir = join(t.dir, 'mlruns', exp, run.runId, 'inputs');
      expect(readdirSync(inputsDir)).toEqual([inputId]);
      const edge = parseYaml(readFileSync(join(inputsDir, inputId, 'meta.yaml'), 'utf8'));
      expect(edge).toMatchObject({ source_type: 'DATASET', source_id: datasetId, destination_type: 'RUN', tags: { 'mlflow.data.context': 'training' } });
      // The datasets folder is not an experiment nor a run.
      expect((await store.searchRuns([exp], '')).map((r) => r.info.runId)).toEqual([run.runId]);
      expect(existsSync(join(t.dir, 'mlruns', exp, 'datasets'))).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});
