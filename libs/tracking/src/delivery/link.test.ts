/** Links of delivered runs, read from the state files two real deliveries (REST server, file store) wrote. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../store/file-store.js';
import { MlflowRestClient } from '../store/rest.js';
import { freshJournal, tempDir, writeSearch } from '../test-support/fixtures.js';
import { startMlflowTestServer } from '../testing/mlflow-test-server.js';
import { deliverJournal } from './delivery.js';
import { deliveredRunLink, readDeliveryLinks } from './link.js';
import { deliveryStatePath } from './state.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('deliveredRunLink / readDeliveryLinks', () => {
  it('gives the MLflow UI page of a run delivered over REST and the run folder of a file store', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const journal = freshJournal(tmp.dir);
    await writeSearch(journal, { generations: 1, genomes: 2, epochs: 1 });
    journal.close();
    // Nothing delivered yet: no link (and no throw for a folder without state files).
    expect(deliveredRunLink(journal.path, 's')).toBeUndefined();
    expect(readDeliveryLinks(join(tmp.dir, 'missing', 'journal.jsonl'))).toEqual([]);

    const server = await startMlflowTestServer();
    cleanups.push(() => server.close());
    const rest = await deliverJournal({ journalPath: journal.path, store: new MlflowRestClient({ trackingUri: server.uri }) });
    const link = deliveredRunLink(journal.path, 's');
    expect(link).toBe(`${server.uri.replace(/\/+$/, '')}/#/experiments/${readDeliveryLinks(journal.path)[0].experimentId}/runs/${rest.runIds.s}`);

    const store = new FileStore(join(tmp.dir, 'mlruns'));
    const file = await deliverJournal({ journalPath: journal.path, store });
    const links = readDeliveryLinks(journal.path);
    // Both targets, every run of each (the parent, two genomes, the baseline).
    expect(links.filter((l) => l.runKey === 's').map((l) => l.target).sort()).toEqual([store.target, new MlflowRestClient({ trackingUri: server.uri }).target].sort());
    expect(links).toHaveLength(2 * Object.keys(rest.runIds).length);
    expect(Object.keys(rest.runIds)).toHaveLength(4);
    const local = links.find((l) => l.runKey === 's/g0-i1' && l.target === store.target)!;
    expect(local.runId).toBe(file.runIds['s/g0-i1']);
    // The run's own folder in the file store (it exists: it holds the run's meta.yaml).
    expect(local.url.endsWith(file.runIds['s/g0-i1'])).toBe(true);
    expect(existsSync(join(local.url.replace(/^file:\/\//, ''), 'meta.yaml'))).toBe(true);
  });

  it('skips a state file that is half-written or of another shape instead of casting it', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const journalPath = join(tmp.dir, 'journal.jsonl');
    writeFileSync(journalPath, '');
    writeFileSync(deliveryStatePath(journalPath, 'http://a:5000'), '{"version":1,"target":"http://a:5000","runs":{"s":{"runId":');
    writeFileSync(deliveryStatePath(journalPath, 'http://b:5000'), JSON.stringify({ version: 2, target: 'http://b:5000', runs: { s: { runId: 'r1', experimentId: '1' } } }));
    writeFileSync(deliveryStatePath(journalPath, 'http://c:5000'), JSON.stringify({ version: 1, target: 'http://c:5000', runs: { s: { runId: 42 } } }));
    expect(readDeliveryLinks(journalPath)).toEqual([]);
    writeFileSync(deliveryStatePath(journalPath, 'http://d:5000/'), JSON.stringify({ version: 1, target: 'http://d:5000/', deliveredSeq: 3, experiments: {}, runs: { s: { runId: 'r9', experimentId: '7', artifactUri: 'x' } } }));
    expect(deliveredRunLink(journalPath, 's')).toBe('http://d:5000/#/experiments/7/runs/r9');
    expect(deliveredRunLink(journalPath, 'other')).toBeUndefined();
  });
});
