/** Retry rules of the REST client, against the in-process MLflow test server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowRequestError, StoreError } from '../errors.js';
import { chunkLogBatch } from '../mlflow/validation.js';
import { startMlflowTestServer, type MlflowTestServer } from '../testing/mlflow-test-server.js';
import { fetchFailureText, MlflowRestClient } from './rest.js';

let server: MlflowTestServer;
beforeAll(async () => {
  server = await startMlflowTestServer();
});
afterAll(() => server.close());

describe('fetchFailureText', () => {
  it('says why a fetch failed from its cause code, never "TypeError: fetch failed"', async () => {
    const failed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });
    expect(fetchFailureText(failed(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' })))).toBe('connection refused (ECONNREFUSED)');
    expect(fetchFailureText(failed(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })))).toBe('unknown host (ENOTFOUND)');
    expect(fetchFailureText(failed(new Error('bad port')))).toBe('a port fetch refuses to use (bad port)');
    expect(fetchFailureText(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), 3000)).toBe('no answer within 3000 ms (timeout)');
    const closed = await fetch('http://127.0.0.1:9/').catch((e: unknown) => e);
    expect(fetchFailureText(closed)).not.toMatch(/TypeError|fetch failed/);
  });
});

describe('MlflowRestClient retries', () => {
  it('retries idempotent requests on 5xx, 429 and stalls', async () => {
    const client = new MlflowRestClient({ trackingUri: server.uri, maxAttempts: 3, backoffMs: 5, timeoutMs: 1000 });
    server.failNext(2, 503, '/experiments/get-by-name');
    expect((await client.getExperimentByName('Default'))?.experimentId).toBe('0');
    server.failNext(1, 429, '/experiments/get-by-name');
    expect((await client.getExperimentByName('Default'))?.experimentId).toBe('0');
    server.stallNext(1, '/experiments/get-by-name');
    expect((await client.getExperimentByName('Default'))?.experimentId).toBe('0');
    server.failNext(3, 502, '/experiments/get-by-name');
    const err = await client.getExperimentByName('Default').catch((e) => e);
    expect(err).toBeInstanceOf(MlflowRequestError);
    expect(err).toMatchObject({ method: 'GET', path: '/api/2.0/mlflow/experiments/get-by-name', status: 502, retryable: true });
  });

  it('hands a failed non-idempotent request back to the caller instead of repeating it', async () => {
    const client = new MlflowRestClient({ trackingUri: server.uri, maxAttempts: 3, backoffMs: 5 });
    const exp = await client.createExperiment('rest-retries');
    const before = server.requests.length;
    server.failNext(1, 503, '/runs/create');
    const err = await client.createRun({ experimentId: exp, runName: 'r', startTime: 1, tags: [] }).catch((e) => e);
    expect(err).toMatchObject({ method: 'POST', path: '/api/2.0/mlflow/runs/create', status: 503, retryable: true });
    expect(server.requests.length - before).toBe(1);
  });

  it('does not retry a 4xx and names the request and MLflow error code', async () => {
    const client = new MlflowRestClient({ trackingUri: server.uri, maxAttempts: 3, backoffMs: 5 });
    const before = server.requests.length;
    const err = await client.createExperiment('').catch((e) => e);
    expect(server.requests.length - before).toBe(1);
    expect(err).toMatchObject({ status: 400, errorCode: 'INVALID_PARAMETER_VALUE', retryable: false });
    expect(err.message).toContain('POST /api/2.0/mlflow/experiments/create');
  });

  it('keeps log-batch requests under the 1 MB limit by chunking', async () => {
    const client = new MlflowRestClient({ trackingUri: server.uri, backoffMs: 5 });
    const exp = await client.createExperiment('rest-1mb');
    const run = await client.createRun({ experimentId: exp, runName: 'big', startTime: 1, tags: [] });
    const batch = {
      metrics: [],
      params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v'.repeat(6000) })),
      tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'w'.repeat(5000) })),
    };
    const err = await client.logBatch(run.runId, batch).catch((e) => e);
    expect(err).toMatchObject({ status: 400, errorCode: 'INVALID_PARAMETER_VALUE' });
    expect(err.message).toMatch(/at most 1000000 bytes/);
    const parts = chunkLogBatch(batch);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const p of parts) {
      expect(Buffer.byteLength(JSON.stringify({ run_id: run.runId, ...p }))).toBeLessThan(1_000_000);
      await client.logBatch(run.runId, p);
    }
    const got = await client.getRun(run.runId);
    expect(Object.keys(got.params)).toHaveLength(100);
    expect(Object.keys(got.tags).filter((k) => k.startsWith('t'))).toHaveLength(100);
  });

  it('rejects tracking URIs it cannot talk to', () => {
    expect(() => new MlflowRestClient({ trackingUri: 'ftp://x' })).toThrow(StoreError);
    expect(() => new MlflowRestClient({ trackingUri: 'not a url' })).toThrow(/Invalid tracking URI 'not a url'/);
  });
});
