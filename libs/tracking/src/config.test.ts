import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTracking } from './check.js';
import { createTrackingStore, resolveTrackingConfig } from './config.js';
import { FileStore } from './store/file-store.js';
import { MlflowRestClient } from './store/rest.js';
import { tempDir } from './test-support/fixtures.js';
import { startMlflowTestServer } from './testing/mlflow-test-server.js';

describe('tracking configuration', () => {
  it('follows MLflow env conventions', () => {
    expect(resolveTrackingConfig({ env: {}, cwd: '/w' })).toEqual({ kind: 'file', uri: '/w/mlruns', root: '/w/mlruns' });
    expect(resolveTrackingConfig({ env: { MLFLOW_TRACKING_URI: 'file:///data/runs' } })).toMatchObject({ kind: 'file', root: '/data/runs' });
    expect(resolveTrackingConfig({ env: { MLFLOW_TRACKING_URI: 'runs' }, cwd: '/w' })).toMatchObject({ kind: 'file', root: '/w/runs' });
    expect(resolveTrackingConfig({ env: { MLFLOW_TRACKING_URI: 'http://h:5000', MLFLOW_TRACKING_TOKEN: 't' } })).toEqual({ kind: 'rest', uri: 'http://h:5000', token: 't' });
    expect(resolveTrackingConfig({ trackingUri: 'https://h', env: { MLFLOW_TRACKING_URI: 'x', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' } })).toEqual({
      kind: 'rest', uri: 'https://h', username: 'u', password: 'p',
    });
    expect(() => resolveTrackingConfig({ env: { MLFLOW_TRACKING_URI: 'databricks' } })).not.toThrow(); // a relative folder name
    expect(() => resolveTrackingConfig({ env: { MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db' } })).toThrow(/Unsupported tracking URI 'sqlite:\/\/\/mlflow.db'.*http/);
    expect(createTrackingStore({ env: {}, cwd: '/w' })).toBeInstanceOf(FileStore);
    expect(createTrackingStore({ env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:1' } })).toBeInstanceOf(MlflowRestClient);
  });

  it('checks reachability of a server and of a FileStore folder', async () => {
    const server = await startMlflowTestServer({ token: 'tok' });
    const tmp = tempDir();
    try {
      expect(await checkTracking({ env: { MLFLOW_TRACKING_URI: server.uri, MLFLOW_TRACKING_TOKEN: 'tok' } })).toMatchObject({ ok: true, kind: 'rest' });
      const noAuth = await checkTracking({ env: { MLFLOW_TRACKING_URI: server.uri } });
      expect(noAuth.ok).toBe(false);
      expect(noAuth.detail).toContain('401');
      const basicServer = await startMlflowTestServer({ basicAuth: { username: 'u', password: 'p w' } });
      const env = { MLFLOW_TRACKING_URI: basicServer.uri, MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p w' };
      expect(await checkTracking({ env })).toMatchObject({ ok: true });
      expect((await checkTracking({ env: { ...env, MLFLOW_TRACKING_PASSWORD: 'bad' } })).detail).toContain('401');
      await basicServer.close();
      const fileCheck = await checkTracking({ env: {}, cwd: tmp.dir });
      expect(fileCheck).toMatchObject({ ok: true, kind: 'file', target: join(tmp.dir, 'mlruns') });
      await server.close();
      const down = await checkTracking({ env: { MLFLOW_TRACKING_URI: server.uri } });
      expect(down.ok).toBe(false);
      expect(down.detail).toMatch(/^MLflow at http:\/\/\S+ is unreachable: [a-z ]+ \((ECONNREFUSED|UND_ERR_SOCKET)\); runs stay in the journal/);
      expect(down.detail.split(server.uri).length - 1).toBe(1);
    } finally {
      await server.close();
      tmp.cleanup();
    }
  });
});
