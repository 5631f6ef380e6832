/** The FileStore's on-disk layout, as mlflow/store/tracking/file_store.py reads it. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../test-support/fixtures.js';
import { FileStore } from './file-store.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('FileStore layout', () => {
  it('writes experiments, runs, metrics, params, tags and artifacts where MLflow looks for them', async () => {
    const root = join(tmp.dir, 'mlruns');
    const store = new FileStore(root);
    const expId = await store.createExperiment('layout');
    expect(expId).toMatch(/^\d+$/);
    const run = await store.createRun({ experimentId: expId, runName: 'r', startTime: 1700000000000, tags: [{ key: 'mlflow.user', value: 'me' }], userId: 'me' });
    await store.logBatch(run.runId, {
      metrics: [
        { key: 'val_accuracy', value: 0.5, timestamp: 1700000000001, step: 0 },
        { key: 'val_accuracy', value: 1, timestamp: 1700000000002, step: 1 },
        { key: 'loss/train', value: NaN, timestamp: 1700000000003, step: 0 },
      ],
      params: [{ key: 'mask', value: '0101' }],
      tags: [{ key: 'slt.kind', value: 'genome' }],
    });
    await store.updateRun(run.runId, 'FINISHED', 1700000000009);
    await store.logArtifact(run, 'mask.json', Buffer.from('{}'));

    expect(readdirSync(root).sort()).toEqual(['.trash', '0', expId].sort());
    expect(parse(readFileSync(join(root, '0', 'meta.yaml'), 'utf8'))).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' });
    const expMeta = parse(readFileSync(join(root, expId, 'meta.yaml'), 'utf8'));
    expect(expMeta).toMatchObject({ experiment_id: expId, name: 'layout', artifact_location: pathToFileURL(join(root, expId)).href });
    const dir = join(root, expId, run.runId);
    const meta = parse(readFileSync(join(dir, 'meta.yaml'), 'utf8'));
    expect(meta).toMatchObject({
      run_id: run.runId, run_uuid: run.runId, experiment_id: expId, run_name: 'r', status: 3, start_time: 1700000000000,
      end_time: 1700000000009, lifecycle_stage: 'active', user_id: 'me', source_type: 4, tags: [],
      artifact_uri: pathToFileURL(join(root, expId, run.runId, 'artifacts')).href,
    });
    expect(typeof meta.experiment_id).toBe('string'); // MLflow expects a string id
    expect(readFileSync(join(dir, 'metrics', 'val_accuracy'), 'utf8')).toBe('1700000000001 0.5 0\n1700000000002 1.0 1\n');
    expect(readFileSync(join(dir, 'metrics', 'loss', 'train'), 'utf8')).toBe('1700000000003 nan 0\n');
    expect(readFileSync(join(dir, 'params', 'mask'), 'utf8')).toBe('0101');
    expect(readFileSync(join(dir, 'tags', 'mlflow.runName'), 'utf8')).toBe('r');
    expect(readFileSync(join(dir, 'tags', 'slt.kind'), 'utf8')).toBe('genome');
    expect(existsSync(join(dir, 'artifacts', 'mask.json'))).toBe(true);
    // Nothing half-written is left behind.
    const all = readdirSync(root, { recursive: true }) as string[];
    expect(all.filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
    // A second store on the same folder sees the same runs.
    const again = new FileStore(root);
    expect((await again.getRun(run.runId)).params).toEqual({ mask: '0101' });
    expect((await again.getMetricHistory(run.runId, 'loss/train'))[0].value).toBeNaN();
  });

  it('creates an experiment name once when two stores race for it', async () => {
    const root = join(tmp.dir, 'race');
    const a = new FileStore(root);
    const b = new FileStore(root);
    const results = await Promise.allSettled([a.createExperiment('same'), b.createExperiment('same'), a.createExperiment('same')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { errorCode: string }).errorCode).toBe('RESOURCE_ALREADY_EXISTS');
  });
});
