/**
 * Data set loading throughput on the shared data, single thread:
 *   fashion-mnist-900   IDX -> split -> Float32Array per split (native 28x28x1, and resized to 96x96x3)
 *   fsdd-480 inspect    header read of 480 WAVs (what `slt data inspect` does)
 *   fsdd-480 cold/warm  WAV -> log-mel images at 22050 Hz through a fresh FeatureCache, then again
 * Also prints the bytes held per split (one Float32Array each).
 * Run: npx tsx bench/datasets-load.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspectDataset, loadDataset, type ImageDataset } from '@slt/datasets';

const shared = resolve(import.meta.dirname, '..', '../shared/data');

function items(ds: ImageDataset): number {
  return ds.train.shape[0] + ds.val.shape[0] + ds.test.shape[0];
}
function mb(ds: ImageDataset): string {
  const bytes = ds.train.images.byteLength + ds.val.images.byteLength + ds.test.images.byteLength;
  return (bytes / 2 ** 20).toFixed(1);
}
async function timed<T>(label: string, count: (r: T) => number, unit: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  const s = (performance.now() - t) / 1000;
  console.log(`${label.padEnd(34)} ${s.toFixed(2).padStart(7)} s  ${(count(r) / s).toFixed(0).padStart(8)} ${unit}/s`);
  return r;
}

const fm = join(shared, 'fashion-mnist-900');
const a = await timed('fashion-mnist-900 28x28x1', items, 'images', () => loadDataset({ path: fm, seed: 1 }));
console.log(`  held: ${mb(a)} MiB in 3 Float32Arrays, shape train ${a.train.shape.join('x')}`);
const b = await timed('fashion-mnist-900 96x96x3', items, 'images', () =>
  loadDataset({ path: fm, seed: 1, imageSize: [96, 96], channels: 3 }),
);
console.log(`  held: ${mb(b)} MiB`);

const fsdd = join(shared, 'fsdd-480');
await timed('fsdd-480 inspect (headers)', (r) => r.total, 'files', () => inspectDataset(fsdd));
const cacheDir = await mkdtemp(join(tmpdir(), 'slt-bench-datasets-'));
try {
  const cold = await timed('fsdd-480 load cold (22050 Hz)', items, 'clips', () => loadDataset({ path: fsdd, seed: 1, cacheDir }));
  console.log(`  image ${cold.train.shape.slice(1).join('x')}, held: ${mb(cold)} MiB`);
  await timed('fsdd-480 load warm (cache hits)', items, 'clips', () => loadDataset({ path: fsdd, seed: 1, cacheDir }));
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
