/**
 * Fault tests: the server refuses connections, answers 503, or stalls mid-search (applies a
 * request but never answers); a process crashes between creating a run and recording it.
 * Afterwards every run and every metric point is in the store exactly once.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, MlflowRequestError } from '../errors.js';
import { FileStore } from '../store/file-store.js';
import { MlflowRestClient } from '../store/rest.js';
import { freshJournal, tempDir, verifyDelivered, writeSearch } from '../test-support/fixtures.js';
import { startMlflowTestServer } from '../testing/mlflow-test-server.js';
import { deliverJournal, startDelivery } from './delivery.js';
import { deliveryStatePath } from './state.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(clientTimeoutMs = 2000) {
  const server = await startMlflowTestServer();
  const tmp = tempDir();
  cleanups.push(tmp.cleanup, () => server.close());
  const client = new MlflowRestClient({ trackingUri: server.uri, maxAttempts: 2, backoffMs: 10, timeoutMs: clientTimeoutMs });
  return { server, tmp, client };
}

const fast = { initialBackoffMs: 40, maxBackoffMs: 200 };

describe('delivery under faults', () => {
  it('waits out refused connections and delivers everything once the server is back', async () => {
    const { server, tmp, client } = await setup();
    await server.refuse();
    const journal = freshJournal(tmp.dir);
    const retries: unknown[] = [];
    const delivery = startDelivery({ journalPath: journal.path, store: client, journal, pollMs: 30, retry: fast, onRetry: (e) => retries.push(e) });
    const shape = await writeSearch(journal, {
      generations: 2,
      genomes: 3,
      epochs: 2,
      between: async (g, i) => {
        if (g === 0 && i === 1) {
          // Delivery keeps failing meanwhile; wait until it has retried a few times.
          for (let k = 0; k < 500 && retries.length < 3; k++) await new Promise((r) => setTimeout(r, 20));
          expect(delivery.status().phase).toBe('retrying');
          await server.resume();
        }
      },
    });
    const status = await delivery.flush();
    await delivery.stop();
    expect(retries.length).toBeGreaterThan(0);
    expect((retries[0] as MlflowRequestError).message).toMatch(/ECONNREFUSED/);
    expect(status.deliveredSeq).toBe(journal.lastSeq);
    await verifyDelivered(client, shape);
    journal.close();
  });

  it('retries 503 answers mid-search without duplicating anything', async () => {
    const { server, tmp, client } = await setup();
    const journal = freshJournal(tmp.dir);
    const delivery = startDelivery({ journalPath: journal.path, store: client, journal, pollMs: 20, retry: fast });
    const shape = await writeSearch(journal, {
      generations: 2,
      genomes: 3,
      epochs: 2,
      between: async (g, i) => {
        if (i === 0) {
          await delivery.flush();
          server.failNext(5, 503, g === 0 ? '/runs/log-batch' : '/runs/create');
        }
      },
    });
    await delivery.flush();
    const final = await delivery.stop();
    expect(server.requests.filter((r) => r.status === 503)).toHaveLength(10);
    expect(final.retries).toBeGreaterThan(0);
    await verifyDelivered(client, shape);
    journal.close();
  });

  it('reconciles requests that were applied but never answered (stalls) mid-search', async () => {
    const { server, tmp, client } = await setup(250);
    const journal = freshJournal(tmp.dir);
    const delivery = startDelivery({ journalPath: journal.path, store: client, journal, pollMs: 20, retry: fast });
    const shape = await writeSearch(journal, {
      generations: 2,
      genomes: 2,
      epochs: 3,
      between: async (g, i) => {
        if (i === 0) {
          await delivery.flush();
          server.stallNext(1, g === 0 ? '/runs/log-batch' : '/runs/create');
        }
      },
    });
    await delivery.flush();
    const final = await delivery.stop();
    expect(server.requests.filter((r) => r.status === 0).length).toBe(2); // both stalls happened
    expect(final.metricsSkipped).toBeGreaterThan(0); // the stalled batch was found applied
    expect(final.runsFound).toBeGreaterThan(0); // the stalled create was found by its tags
    await verifyDelivered(client, shape);
    journal.close();
  });

  it('after a crash between applying and recording, finds runs by tag and skips logged points', async () => {
    const { tmp, client } = await setup();
    const journal = freshJournal(tmp.dir);
    const shape = await writeSearch(journal, { generations: 1, genomes: 3, epochs: 2 });
    journal.close();
    const first = await deliverJournal({ journalPath: journal.path, store: client });
    const stateFile = deliveryStatePath(journal.path, client.target);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).runs.s.runId).toBe(first.runIds.s);
    // Crash mid-chunk: everything was applied, nothing recorded.
    writeFileSync(stateFile, JSON.stringify({ version: 1, target: client.target, deliveredSeq: 0, experiments: {}, runs: {}, inflight: { fromSeq: 1, toSeq: journal.lastSeq } }));
    const second = await deliverJournal({ journalPath: journal.path, store: client });
    expect(second).toMatchObject({ runsCreated: 0, runsFound: shape.runKeys.length, metricsLogged: 0 });
    expect(second.runIds).toEqual(first.runIds);
    // State file lost altogether.
    rmSync(stateFile);
    const third = await deliverJournal({ journalPath: journal.path, store: client });
    expect(third).toMatchObject({ runsCreated: 0, metricsLogged: 0 });
    await verifyDelivered(client, shape);
  });

  it('stops on a 4xx with an error naming the request, and reports it', async () => {
    const server = await startMlflowTestServer({ token: 'secret' });
    const tmp = tempDir();
    cleanups.push(tmp.cleanup, () => server.close());
    const journal = freshJournal(tmp.dir);
    journal.createRun({ runKey: 'a', runName: 'a', experimentName: 'slt-test' });
    const bad = new MlflowRestClient({ trackingUri: server.uri, backoffMs: 10 });
    const err = await deliverJournal({ journalPath: journal.path, store: bad }).catch((e) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err.message).toContain('GET /api/2.0/mlflow/experiments/get-by-name');
    expect(err.message).toContain('401');
    expect((err.cause as MlflowRequestError).status).toBe(401);
    const errors: unknown[] = [];
    const d = startDelivery({ journalPath: journal.path, store: bad, journal, pollMs: 20, onError: (e) => errors.push(e) });
    await expect(d.flush()).rejects.toThrow(/401/);
    expect(d.status().phase).toBe('failed');
    await d.stop();
    expect(errors).toHaveLength(1);
    // With the token the same journal goes through.
    const good = new MlflowRestClient({ trackingUri: server.uri, token: 'secret' });
    const ok = await deliverJournal({ journalPath: journal.path, store: good });
    expect(ok.runsCreated).toBe(1);
    journal.close();
  });

  it('stops on time while the server stalls, abandoning the request in flight', async () => {
    const { server, tmp } = await setup();
    const journal = freshJournal(tmp.dir);
    server.stallNext(1000);
    const d = startDelivery({ journalPath: journal.path, journal, trackingUri: server.uri, rest: { timeoutMs: 120_000 }, pollMs: 20 });
    journal.createRun({ runKey: 'a', runName: 'a', experimentName: 'slt-test' });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    // The client would wait 120 s for an answer; stop must not.
    const outcome = await Promise.race([d.stop({ timeoutMs: 100 }), new Promise((r) => setTimeout(() => r('hung'), 60_000))]);
    expect(outcome).not.toBe('hung');
    expect((outcome as { phase: string; deliveredSeq: number }).phase).toBe('stopped');
    expect((outcome as { deliveredSeq: number }).deliveredSeq).toBeLessThan(journal.lastSeq);
    journal.close();
  });

  it('delivers to ./mlruns (FileStore) in the background when no tracking URI is set', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    // Delivery may start before the journal exists.
    const delivery = startDelivery({ journalPath: join(tmp.dir, 'search.jsonl'), env: {}, cwd: tmp.dir, pollMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    expect(delivery.status().phase).not.toBe('failed');
    const journal = freshJournal(tmp.dir);
    const shape = await writeSearch(journal, { generations: 1, genomes: 2, epochs: 2 });
    await delivery.flush();
    const st = await delivery.stop();
    expect(st.target).toBe(new FileStore(join(tmp.dir, 'mlruns')).target);
    await verifyDelivered(new FileStore(join(tmp.dir, 'mlruns')), shape);
    journal.close();
  });
});
