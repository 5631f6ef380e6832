/** Retry rules of the REST client, against the in-process MLflow test server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowRequestError, StoreError } from '../errors.js';
import { startMlflowTestServer, type MlflowTestServer } from '../testing/mlflow-test-server.js';
import { MlflowRestClient } from './rest.js';

let server: MlflowTestServer;
beforeAll(async () => {
  server = await startMlflowTestServer();
});
afterAll(() => server.close());

describe('MlflowRestClient retries', () => {
  it('retries idempotent requests on 5xx, 429 and stalls', async () => {
    const client = new MlflowRestClient({ trackingUri: server.uri, maxAttempts: 3, backoffMs: 5, timeoutMs: 300 });
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

  it('rejects tracking URIs it cannot talk to', () => {
    expect(() => new MlflowRestClient({ trackingUri: 'ftp://x' })).toThrow(StoreError);
    expect(() => new MlflowRestClient({ trackingUri: 'not a url' })).toThrow(/Invalid tracking URI 'not a url'/);
  });
});
