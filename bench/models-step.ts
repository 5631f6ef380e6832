/**
 * Kernel calls and milliseconds of one training step (forward + backward + Adam) of the paper's
 * task model (MobileNetV1-0.25, 1x1 conv adapter, every layer trainable, batch 32) on a backend, at
 * 32, 64 and 96 px, beside the PyTorch peer's training images/s at the same sizes, in three
 * settings: fused kernels off (tfjs' own gradients), fused on over JavaScript loops (SIMD off; the
 * state before slt's SIMD kernels), and fused on with slt's wasm SIMD kernels (the default).
 * Prints wall and CPU milliseconds per step (the CPU figure is steadier on a shared machine).
 * Run: npx tsx bench/models-step.ts [--backend wasm] [--sizes 32,64,96] [--steps 5] [--no-peer] [--top 12]
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsEnabled, selectBackend, setFusedKernels, setSimdKernels, simdKernelsEnabled } from '@slt/backend';
import { createLocalEvaluator, zooTaskModel, type TrainingSplits } from '@slt/models';
import { loadDataset } from '@slt/datasets';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const backend = opt('backend', 'wasm') as 'wasm' | 'cpu';
const sizes = opt('sizes', '32,64,96').split(',').map(Number);
const steps = Number(opt('steps', '5'));
const top = Number(opt('top', '0'));
const shared = resolve(import.meta.dirname, '..', '../shared');
const weights = resolve(shared, 'data/models/mobilenet_v1_0.25_224');
const data = await loadDataset({ path: resolve(shared, 'data/fashion-mnist-900'), seed: 0 });
await selectBackend({ prefer: backend });
const batch = 32;
const cut = (s: TrainingSplits['train'], n: number): TrainingSplits['train'] => {
  const row = s.shape[1] * s.shape[2] * s.shape[3];
  return { images: s.images.subarray(0, n * row), shape: [n, s.shape[1], s.shape[2], s.shape[3]], labels: s.labels.subarray(0, n) };
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row { size: number; fused: boolean; simd: boolean; kernels: number; ms: number; cpuMs: number; imgPerSec: number }
const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const SETTINGS = [{ fused: false, simd: false }, { fused: true, simd: false }, { fused: true, simd: true }];
const tag = (r: { fused: boolean; simd: boolean }): string => (r.fused ? (r.simd ? 'fused+simd' : 'fused JS  ') : 'unfused   ');
const rows: Row[] = [];
console.log(`# slt models-step bench (${new Date().toISOString()}, backend ${backend}, batch ${batch}, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')})`);
for (const size of sizes) {
  for (const { fused, simd } of SETTINGS) {
    setFusedKernels(fused);
    setSimdKernels(simd);
    const task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [size, size, 1], classes: 10, weights, adapter: 'conv1x1' });
    const all = '1'.repeat(86);
    const small = (n: number) => ({ train: cut(data.train, n), val: cut(data.val, 8), test: cut(data.test, 8) });
    // kernel calls of one step: a 2-batch evaluation minus a 1-batch one (tf.profile of each)
    const profiles: { kernels: { name: string; kernelTimeMs: number | { error: string } }[] }[] = []; // tf.profile reuses its result object: copy
    for (const n of [batch, 2 * batch]) {
      const e = createLocalEvaluator(task, small(n), { batchSize: batch, epochs: 1 });
      await e.evaluate(all); // warm-up (first-call allocations)
      const p = await tf.profile(() => e.evaluate(all));
      profiles.push({ kernels: [...p.kernels] });
      e.dispose();
    }
    const stepKernels = profiles[1]!.kernels.length - profiles[0]!.kernels.length;
    const prof = profiles[1]!;
    const ev = createLocalEvaluator(task, small(batch * (steps + 1)), { batchSize: batch, epochs: 1 });
    const times: number[] = [];
    const cpus: number[] = [];
    let last = 0;
    let lastCpu = 0;
    await ev.evaluate(all, {
      onBatch: () => {
        const now = performance.now(), c = cpuNow();
        if (last) {
          times.push(now - last);
          cpus.push(c - lastCpu);
        }
        last = now;
        lastCpu = c;
      },
    });
    const ms = median(times);
    const row = { size, fused: fusedKernelsEnabled(), simd: simdKernelsEnabled(), kernels: stepKernels, ms, cpuMs: median(cpus), imgPerSec: (batch / ms) * 1000 };
    rows.push(row);
    console.log(`${String(size).padStart(3)} px  ${tag(row)}  kernel calls per step ${String(stepKernels).padStart(5)}  ${ms.toFixed(1).padStart(7)} ms/step (cpu ${row.cpuMs.toFixed(1)})  ${row.imgPerSec.toFixed(1).padStart(6)} img/s`);
    if (top > 0) {
      const by = new Map<string, { n: number; ms: number }>();
      for (const k of prof.kernels) {
        const e = by.get(k.name) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        by.set(k.name, e);
      }
      for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) console.log(`      ${name.padEnd(36)} ${String(e.n).padStart(5)} calls ${e.ms.toFixed(1).padStart(8)} ms`);
    }
    ev.dispose();
    task.dispose?.();
  }
}
setFusedKernels(true);
setSimdKernels(true);
if (!argv.includes('--no-peer')) {
  for (const size of sizes) {
    const peer = spawnSync('/usr/bin/python3', [resolve(shared, 'bench/peer.py'), 'bench', '--size', String(size), '--threads', '2'], { encoding: 'utf8' });
    if (peer.status !== 0) {
      console.log(`peer failed at ${size} px (${peer.status}): ${peer.stderr.trim().split('\n').slice(-1)[0]} (apt-get install -y python3-torch)`);
      continue;
    }
    const lines = peer.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { bench: string; img_s_median: number });
    const p = lines.find((l) => l.bench === 'train_all');
    if (p) {
      const ratios = rows.filter((r) => r.size === size).map((r) => `${tag(r).trim()} ${r.imgPerSec.toFixed(1)} (${(r.imgPerSec / p.img_s_median).toFixed(3)}x)`);
      console.log(`${String(size).padStart(3)} px  peer train_all ${p.img_s_median.toFixed(1)} img/s; slt ${ratios.join(', ')}`);
    }
  }
}
console.log(`tensors left: ${tf.memory().numTensors}`);
