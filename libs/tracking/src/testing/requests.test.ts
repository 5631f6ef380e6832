/** The MLflow test double checks request bodies as the real server does (field checks, MLflow's messages), over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowTestServer, type MlflowTestServer } from './mlflow-test-server.js';

let server: MlflowTestServer;
beforeAll(async () => {
  server = await startMlflowTestServer();
});
afterAll(() => server.close());

async function post(endpoint: string, body: unknown): Promise<{ status: number; json: { error_code?: string; message?: string; [k: string]: unknown } }> {
  const res = await fetch(`${server.uri}/api/2.0/mlflow/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { error_code?: string; message?: string } };
}

const DOCS = ' See the API docs for more information about request parameters.';

describe('MLflow test double: request bodies', () => {
  it('a missing required field is named, with MLflow message and code', async () => {
    const r = await post('runs/log-batch', { metrics: [] });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: `Missing value for required parameter 'run_id'.${DOCS}` });
  });

  it('a field of the wrong type is refused with the value and its Python type', async () => {
    const r = await post('runs/set-tag', { run_id: 123, key: 'k', value: 'v' });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe(`Invalid value 123 for parameter 'run_id' supplied: Hint: Value was of type 'int'.${DOCS}`);
    const list = await post('runs/search', { experiment_ids: '0' });
    expect(list.json.message).toMatch(/^Invalid value "0" for parameter 'experiment_ids' supplied: Hint: Value was of type 'str'\./);
  });

  it("each log-batch metric needs key, value and timestamp (named by index), each param and tag a key", async () => {
    const { json: created } = await post('runs/create', { experiment_id: '0', start_time: '1700000000000' });
    const runId = (created.run as { info: { run_id: string; start_time: number } }).info.run_id;
    expect((created.run as { info: { start_time: number } }).info.start_time).toBe(1_700_000_000_000);
    const m = await post('runs/log-batch', { run_id: runId, metrics: [{ key: 'a', value: 1, timestamp: 1 }, { key: 'b', value: 2 }] });
    expect(m.json.message).toBe(`Missing value for required parameter 'metrics[1].timestamp'.${DOCS}`);
    const p = await post('runs/log-batch', { run_id: runId, params: [{ value: 'x' }] });
    expect(p.json.message).toBe(`Missing value for required parameter 'params[0].key'.${DOCS}`);
    // Nothing of a refused batch is applied.
    expect(server.allRuns().find((r) => r.info.runId === runId)!.history).toEqual([]);
  });

  it('run_uuid stands for a missing run_id (older clients)', async () => {
    const { json: created } = await post('runs/create', { experiment_id: '0' });
    const runId = (created.run as { info: { run_id: string } }).info.run_id;
    expect((await post('runs/set-tag', { run_uuid: runId, key: 'k', value: 'v' })).status).toBe(200);
    expect(server.allRuns().find((r) => r.info.runId === runId)!.tags.k).toBe('v');
  });

  it('a body that is not JSON reads as an empty request, as Flask get_json(silent=True) gives it', async () => {
    const r = await post('experiments/create', '{"name": ');
    expect(r.status).toBe(400);
    expect(r.json.message).toBe(`Missing value for required parameter 'name'.${DOCS}`);
  });

  it('runs/search max_results above 50000 is refused', async () => {
    const r = await post('runs/search', { experiment_ids: ['0'], max_results: 50_001 });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe(`Invalid value 50001 for parameter 'max_results' supplied.${DOCS}`);
    expect((await post('runs/search', { experiment_ids: ['0'], max_results: 50_000 })).status).toBe(200);
  });
});
