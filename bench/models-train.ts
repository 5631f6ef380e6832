/**
 * Fine-tuning throughput of MobileNetV1-0.25 (shared ImageNet weights) on fashion-mnist-900:
 *  1. training images/s at 32, 64 and 96 px on each backend (cpu, wasm), for train-all, and for the
 *     "last half" mask with and without frozen-prefix reuse (channel-repeat adapter, so the frozen
 *     first half is computed once); the first batch of each run is a warm-up and not counted;
 *  2. one generation (8 seeded random genomes, 1 epoch, 32 px, the paper's 1x1 conv adapter) with
 *     1 and 2 worker processes (wasm);
 *  3. the PyTorch peer (../shared/bench/peer.py bench --size 64 --threads 2) and the ratio.
 * Run: npx tsx bench/models-train.ts [--quick] [--backends cpu,wasm] [--sizes 32,64,96]
 *      [--cpu-sizes 32,64] [--images N (wasm training images per run, default 256)]
 *      [--no-throughput] [--no-pool] [--no-peer]
 * The cpu backend is ~100x slower than wasm here, so it runs batch 8 on 32 images (the first batch a
 * warm-up) and by default skips 96 px (pass --cpu-sizes 32,64,96 to include it).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { loadDataset } from '@slt/datasets';
import { createEvaluatorPool, createLocalEvaluator, zooTaskModel, type TrainingSplits } from '@slt/models';

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const quick = flag('quick');
const backends = opt('backends', 'cpu,wasm').split(',') as ('cpu' | 'wasm')[];
const sizes = opt('sizes', quick ? '32' : '32,64,96').split(',').map(Number);
const cpuSizes = opt('cpu-sizes', quick ? '32' : '32,64').split(',').map(Number);
const images = Number(opt('images', quick ? '128' : '256'));

const shared = resolve(import.meta.dirname, '..', '../shared');
const weights = resolve(shared, 'data/models/mobilenet_v1_0.25_224');
const dataset = await loadDataset({ path: resolve(shared, 'data/fashion-mnist-900'), seed: 0 });
const full: TrainingSplits = { train: dataset.train, val: dataset.val, test: dataset.test };
const L = 86;

/** The first n images of a split (the split is already shuffled and stratified). */
function head(s: TrainingSplits['train'], n: number): TrainingSplits['train'] {
  const m = Math.min(n, s.shape[0]);
  const row = s.shape[1] * s.shape[2] * s.shape[3];
  return { images: s.images.subarray(0, m * row), shape: [m, s.shape[1], s.shape[2], s.shape[3]], labels: s.labels.subarray(0, m) };
}

interface Row { backend: string; size: number; mask: string; reuse: boolean; imgPerSec: number; seconds: number }
const rows: Row[] = [];
const masks: Record<string, string> = { train_all: '1'.repeat(L), last_half: '0'.repeat(43) + '1'.repeat(43) };

console.log(`# slt models-train bench  (${new Date().toISOString()}; wasm: ${images} training images per run, batch 32; cpu: 32 images, batch 8)`);
for (const backend of flag('no-throughput') ? [] : backends) {
  await selectBackend({ prefer: backend });
  const n = backend === 'cpu' ? 32 : images;
  const batch = backend === 'cpu' ? 8 : 32;
  for (const size of backend === 'cpu' ? cpuSizes : sizes) {
    const splits: TrainingSplits = { train: head(full.train, n), val: head(full.val, 32), test: head(full.test, 32) };
    const task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [size, size, 1], classes: 10, adapter: 'repeat', weights });
    const ev = createLocalEvaluator(task, splits, { batchSize: batch });
    for (const [mask, reuse] of [['train_all', false], ['last_half', false], ['last_half', true]] as const) {
      let t1 = 0;
      let counted = 0;
      const r = await ev.evaluate(masks[mask]!, {
        epochs: 1,
        prefixReuse: reuse,
        onBatch: (b) => {
          if (b.batch === 1) t1 = performance.now();
          else counted += Math.min(batch, n - (b.batch - 1) * batch);
        },
      });
      const imgPerSec = counted / ((performance.now() - t1) / 1000);
      rows.push({ backend, size, mask, reuse, imgPerSec, seconds: r.seconds });
      console.log(`${backend.padEnd(5)} ${String(size).padStart(3)} px  ${mask.padEnd(9)} reuse=${reuse ? 'yes' : 'no '}  ${imgPerSec.toFixed(1).padStart(7)} img/s  (evaluation ${r.seconds.toFixed(1)} s, prefix ${r.prefixReused} layers)`);
    }
    ev.dispose();
    task.dispose?.();
  }
}
console.log(`tensors left: ${tf.memory().numTensors}`);

// A whole generation: 8 seeded random genomes, 1 epoch at 32 px, paper setting (conv adapter).
const genTimes: Record<number, number> = {};
if (!flag('no-pool')) {
  let s = 12345;
  const rand = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const genomes = Array.from({ length: 8 }, () => Array.from({ length: L }, () => (rand() < 0.5 ? '1' : '0')).join(''));
  for (const workers of [1, 2]) {
    const pool = await createEvaluatorPool({
      workers, backend: 'wasm', splits: full, training: { epochs: 1 },
      model: { kind: 'zoo', options: { model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, weights } },
    });
    // Start the workers (process start, model build, data read) outside the timed generation.
    const s0 = performance.now();
    await pool.ready();
    console.log(`pool of ${workers} worker(s) ready in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
    const t0 = performance.now();
    const results = await Promise.all(genomes.map((g) => pool.evaluate(g)));
    genTimes[workers] = (performance.now() - t0) / 1000;
    await pool.close();
    const best = Math.max(...results.map((r) => r.fitness));
    console.log(`generation of 8 genomes (1 epoch, 32 px, wasm) with ${workers} worker(s): ${genTimes[workers]!.toFixed(1)} s, best fitness ${best.toFixed(3)}, errors ${results.filter((r) => r.error).length}`);
  }
  if (genTimes[1] && genTimes[2]) console.log(`2-worker speed-up: ${(genTimes[1] / genTimes[2]).toFixed(2)}x`);
}

// The PyTorch peer on the same machine, same moment.
if (!flag('no-peer')) {
  const peer = spawnSync('/usr/bin/python3', [resolve(shared, 'bench/peer.py'), 'bench', '--size', '64', '--threads', '2'], { encoding: 'utf8' });
  if (peer.status !== 0) {
    console.log(`peer failed (${peer.status}): ${peer.stderr.trim().split('\n').slice(-2).join(' ')}  (apt-get install -y python3-torch)`);
  } else {
    const lines = peer.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { bench: string; img_s_median: number });
    for (const p of lines) {
      const ours = rows.find((r) => r.size === 64 && r.backend === 'wasm' && r.mask === (p.bench === 'train_all' ? 'train_all' : 'last_half') && !r.reuse);
      console.log(`peer pytorch 64 px ${p.bench.padEnd(11)} ${p.img_s_median.toFixed(1).padStart(7)} img/s` +
        (ours ? `   slt wasm ${ours.mask} ${ours.imgPerSec.toFixed(1)} img/s -> ratio slt/peer ${(ours.imgPerSec / p.img_s_median).toFixed(3)}` : ''));
    }
  }
}
