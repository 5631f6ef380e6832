/**
 * One contract suite, run against the FileStore and against the REST client talking over
 * loopback to the in-process MLflow test server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverJournal } from '../delivery/delivery.js';
import { chunkLogBatch, type MetricPoint } from '../mlflow/validation.js';
import { freshJournal, tempDir, verifyDelivered, writeSearch } from '../test-support/fixtures.js';
import { startMlflowTestServer, type MlflowTestServer } from '../testing/mlflow-test-server.js';
import { FileStore } from './file-store.js';
import { MlflowRestClient } from './rest.js';
import type { RunInfo, TrackingStore } from './types.js';

interface Target {
  store: TrackingStore;
  readArtifact(run: RunInfo, path: string): Buffer | undefined;
  close(): Promise<void>;
}

const targets: Array<[string, () => Promise<Target>]> = [
  [
    'FileStore',
    async () => {
      const t = tempDir();
      const store = new FileStore(join(t.dir, 'mlruns'));
      return {
        store,
        readArtifact: (run, path) => {
          const f = join(fileURLToPath(run.artifactUri), path);
          return existsSync(f) ? readFileSync(f) : undefined;
        },
        close: async () => t.cleanup(),
      };
    },
  ],
  [
    'REST client + MLflow test server',
    async () => {
      const server: MlflowTestServer = await startMlflowTestServer();
      const store = new MlflowRestClient({ trackingUri: server.uri, backoffMs: 10 });
      return {
        store,
        readArtifact: (run, path) => server.artifacts.get(`${run.artifactUri.replace('mlflow-artifacts:/', '')}/${path}`),
        close: () => server.close(),
      };
    },
  ],
];

const codeOf = (e: unknown): string | undefined => (e as { errorCode?: string }).errorCode;
const now = Date.now();
const pts = (n: number, key = 'm'): MetricPoint[] => Array.from({ length: n }, (_, i) => ({ key, value: i / 2, timestamp: now + i, step: i }));

describe.each(targets)('TrackingStore contract: %s', (_name, make) => {
  let t: Target;
  let expId: string;
  let run: RunInfo;
  beforeAll(async () => {
    t = await make();
    expId = await t.store.createExperiment('contract');
    run = await t.store.createRun({ experimentId: expId, runName: 'r1', startTime: now, tags: [{ key: 'slt.run_key', value: 'k1' }] });
  });
  afterAll(() => t.close());

  it('finds experiments by name and refuses a duplicate name (RESOURCE_ALREADY_EXISTS)', async () => {
    expect(await t.store.getExperimentByName('no such experiment')).toBeUndefined();
    expect((await t.store.getExperimentByName('contract'))?.experimentId).toBe(expId);
    expect((await t.store.getExperimentByName('Default'))?.experimentId).toBe('0');
    const err = await t.store.createExperiment('contract').catch((e) => e);
    expect(codeOf(err)).toBe('RESOURCE_ALREADY_EXISTS');
    expect(String(err.message)).toContain('contract');
  });

  it('answers RESOURCE_DOES_NOT_EXIST for unknown runs and experiments', async () => {
    const err = await t.store.getRun('0123456789abcdef0123456789abcdef').catch((e) => e);
    expect(codeOf(err)).toBe('RESOURCE_DOES_NOT_EXIST');
    const err2 = await t.store.createRun({ experimentId: '987654321', runName: 'x', startTime: now, tags: [] }).catch((e) => e);
    expect(codeOf(err2)).toBe('RESOURCE_DOES_NOT_EXIST');
    const err3 = await t.store.logBatch('0123456789abcdef0123456789abcdef', { metrics: pts(1), params: [], tags: [] }).catch((e) => e);
    expect(codeOf(err3)).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('creates runs with the run name tag and finds them by tag filter', async () => {
    const got = await t.store.getRun(run.runId);
    expect(got.info).toMatchObject({ runId: run.runId, experimentId: expId, runName: 'r1', status: 'RUNNING', startTime: now });
    expect(got.tags).toMatchObject({ 'mlflow.runName': 'r1', 'slt.run_key': 'k1' });
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    const found = await t.store.searchRuns([expId], "tags.`slt.run_key` = 'k1'");
    expect(found.map((r) => r.info.runId)).toEqual([run.runId]);
    expect(await t.store.searchRuns([expId], "tags.`slt.run_key` = 'k2'")).toEqual([]);
  });

  it('enforces the per-batch limits (1000 metrics, 100 params, 100 tags)', async () => {
    for (const batch of [
      { metrics: pts(1001), params: [], tags: [] },
      { metrics: [], params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' })), tags: [] },
      { metrics: [], params: [], tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' })) },
      { metrics: pts(950), params: Array.from({ length: 60 }, (_, i) => ({ key: `q${i}`, value: 'v' })), tags: [] },
    ]) {
      const err = await t.store.logBatch(run.runId, batch).catch((e) => e);
      expect(codeOf(err)).toBe('INVALID_PARAMETER_VALUE');
    }
    expect(await t.store.getMetricHistory(run.runId, 'm')).toEqual([]); // nothing half-applied
  });

  it('enforces the key rule, 250-char keys and 6000-char param values', async () => {
    for (const bad of ['a:b', '../x', '/abs', 'a//b', '', 'k'.repeat(251), 'semi;colon']) {
      const err = await t.store.logBatch(run.runId, { metrics: [], params: [{ key: bad, value: '1' }], tags: [] }).catch((e) => e);
      expect(codeOf(err), `key '${bad}'`).toBe('INVALID_PARAMETER_VALUE');
    }
    const err = await t.store.logBatch(run.runId, { metrics: [], params: [{ key: 'long', value: 'x'.repeat(6001) }], tags: [] }).catch((e) => e);
    expect(codeOf(err)).toBe('INVALID_PARAMETER_VALUE');
    await t.store.logBatch(run.runId, { metrics: [], params: [{ key: 'ok/with space-and.dot', value: 'x'.repeat(6000) }], tags: [] });
    expect((await t.store.getRun(run.runId)).params['ok/with space-and.dot']).toHaveLength(6000);
  });

  it('keeps params immutable: same value accepted, another value refused', async () => {
    await t.store.logBatch(run.runId, { metrics: [], params: [{ key: 'lr', value: '0.001' }], tags: [] });
    await t.store.logBatch(run.runId, { metrics: [], params: [{ key: 'lr', value: '0.001' }], tags: [] });
    const err = await t.store.logBatch(run.runId, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] }).catch((e) => e);
    expect(codeOf(err)).toBe('INVALID_PARAMETER_VALUE');
    expect(String(err.message)).toMatch(/Changing param values is not allowed.*lr/);
    const dup = await t.store.logBatch(run.runId, { metrics: [], params: [{ key: 'd', value: '1' }, { key: 'd', value: '1' }], tags: [] }).catch((e) => e);
    expect(codeOf(dup)).toBe('INVALID_PARAMETER_VALUE');
    expect((await t.store.getRun(run.runId)).params.lr).toBe('0.001');
  });

  it('stores everything of an oversized log once chunked, with NaN round trips', async () => {
    const metrics = pts(2500, 'big');
    metrics[3] = { ...metrics[3], value: NaN };
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `hp${i}`, value: String(i) }));
    const tags = Array.from({ length: 120 }, (_, i) => ({ key: `tag${i}`, value: 'y'.repeat(4000) }));
    const batches = chunkLogBatch({ metrics, params, tags });
    expect(batches.length).toBeGreaterThanOrEqual(5);
    for (const b of batches) await t.store.logBatch(run.runId, b);
    const hist = await t.store.getMetricHistory(run.runId, 'big');
    expect(hist).toHaveLength(2500);
    expect(Number.isNaN(hist.find((m) => m.step === 3)!.value)).toBe(true);
    expect(hist.find((m) => m.step === 2499)).toMatchObject({ value: 1249.5, timestamp: now + 2499 });
    const got = await t.store.getRun(run.runId);
    expect(Object.keys(got.params).filter((k) => k.startsWith('hp'))).toHaveLength(250);
    expect(Object.keys(got.tags).filter((k) => k.startsWith('tag'))).toHaveLength(120);
    expect(got.metrics.find((m) => m.key === 'big')?.step).toBe(2499); // latest value per key
  });

  it('updates status and end time, sets tags, and writes artifacts', async () => {
    await t.store.setTag(run.runId, 'mlflow.note.content', 'hello');
    const info = await t.store.updateRun(run.runId, 'FINISHED', now + 5000);
    expect(info.status).toBe('FINISHED');
    const got = await t.store.getRun(run.runId);
    expect(got.info).toMatchObject({ status: 'FINISHED', endTime: now + 5000 });
    expect(got.tags['mlflow.note.content']).toBe('hello');
    await t.store.logArtifact(got.info, 'sub/mask.json', Buffer.from('{"m":"0101"}'));
    expect(t.readArtifact(got.info, 'sub/mask.json')?.toString()).toBe('{"m":"0101"}');
  });

  it('receives a whole journaled search exactly once, also when delivered twice', async () => {
    const tmp = tempDir();
    try {
      const journal = freshJournal(tmp.dir);
      const shape = await writeSearch(journal, { generations: 2, genomes: 3, epochs: 3 });
      journal.close();
      const first = await deliverJournal({ journalPath: journal.path, store: t.store });
      expect(first.runsCreated).toBe(shape.runKeys.length);
      expect(first.deliveredSeq).toBe(first.journalSeq);
      const ids = await verifyDelivered(t.store, shape);
      const child = await t.store.getRun(ids['s/g1-i2']);
      expect(child.params).toMatchObject({ generation: '1', index: '2' });
      expect(child.tags).toMatchObject({ 'slt.kind': 'genome', 'mlflow.runName': 'g1 #2', 'mlflow.source.name': 'slt' });
      expect(JSON.parse(t.readArtifact(child.info, 'mask.json')!.toString()).layers).toHaveLength(4);
      const parent = await t.store.getRun(ids.s);
      expect(parent.tags['mlflow.note.content']).toBe('a **test** search');
      expect(parent.tags['slt.status']).toBe('done');
      const again = await deliverJournal({ journalPath: journal.path, store: t.store });
      expect(again.runsCreated + again.metricsLogged).toBe(0);
      await verifyDelivered(t.store, shape);
    } finally {
      tmp.cleanup();
    }
  });
});
