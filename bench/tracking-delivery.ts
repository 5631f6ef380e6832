/**
 * Tracking throughput: journal appends (fsync'd and not), and delivery of a search-shaped
 * journal (1 parent + G*N genome runs with E epochs of 4 metrics, mask.json, end) to the
 * FileStore and, over loopback, to the in-process MLflow test server; then a no-op re-delivery
 * (the idempotency check cost) and a crash re-delivery (state lost: runs found by tag, metrics
 * reconciled against their history).
 * Run: npx tsx bench/tracking-delivery.ts [genomes=60] [epochs=10]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliverJournal, deliveryStatePath, FileStore, MlflowRestClient, openJournal, type TrackingStore } from '@slt/tracking';
import { startMlflowTestServer } from '@slt/tracking/testing';

const genomes = Number(process.argv[2] ?? 60);
const epochs = Number(process.argv[3] ?? 10);
const dir = await mkdtemp(join(tmpdir(), 'slt-bench-tracking-'));

function timeIt<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}

for (const fsync of [true, false]) {
  const j = openJournal(join(dir, `appends-${fsync}.jsonl`), { fsync });
  const n = 2000;
  const [, ms] = timeIt(() => {
    for (let i = 0; i < n; i++) j.append('bench.tick', { i, payload: 'x'.repeat(100) });
  });
  j.close();
  console.log(`journal append (fsync=${fsync}): ${(n / (ms / 1000)).toFixed(0)} records/s, ${((ms * 1000) / n).toFixed(0)} us/record`);
}

const journalPath = join(dir, 'search.jsonl');
const j = openJournal(journalPath, { defaultExperimentName: 'bench' });
j.createRun({ runKey: 'search', runName: 'bench search' });
j.logParams('search', { population: genomes, epochs });
let points = 0;
for (let g = 0; g < genomes; g++) {
  const key = `g${g}`;
  j.createRun({ runKey: key, parentRunKey: 'search', runName: key });
  j.logParams(key, { mask: '0101'.repeat(22), generation: Math.floor(g / 10), index: g % 10 });
  for (let e = 0; e < epochs; e++) {
    j.logMetrics(key, ['train_loss', 'train_accuracy', 'val_loss', 'val_accuracy'].map((k) => ({ key: k, value: Math.random(), step: e })));
    points += 4;
  }
  j.logArtifact(key, 'mask.json', JSON.stringify({ layers: Array.from({ length: 88 }, (_, l) => ({ name: `layer_${l}`, trainable: l % 2 === 0 })) }));
  j.endRun(key);
}
j.endRun('search');
j.close();
console.log(`journal: ${j.lastSeq} records, ${genomes + 1} runs, ${points} metric points`);

async function measure(name: string, store: TrackingStore): Promise<void> {
  let t = performance.now();
  const first = await deliverJournal({ journalPath, store });
  const full = performance.now() - t;
  t = performance.now();
  await deliverJournal({ journalPath, store });
  const noop = performance.now() - t;
  await rm(deliveryStatePath(journalPath, store.target));
  t = performance.now();
  const crash = await deliverJournal({ journalPath, store });
  const recon = performance.now() - t;
  console.log(
    `${name}: full ${full.toFixed(0)} ms (${((first.runsCreated / full) * 1000).toFixed(1)} runs/s, ${((first.metricsLogged / full) * 1000).toFixed(0)} points/s); ` +
      `re-delivery ${noop.toFixed(0)} ms; after lost state ${recon.toFixed(0)} ms (found ${crash.runsFound} runs, skipped ${crash.metricsSkipped} points, logged ${crash.metricsLogged})`,
  );
}

await measure('FileStore', new FileStore(join(dir, 'mlruns')));
const server = await startMlflowTestServer();
await measure('REST (loopback test server)', new MlflowRestClient({ trackingUri: server.uri }));
console.log(`REST requests sent in total: ${server.requests.length}`);
await server.close();
await rm(dir, { recursive: true, force: true });
