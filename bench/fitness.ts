/**
 * One fitness evaluation, slt beside the PyTorch peer, on the SAME masks: the peer's baselines
 * (freeze_all, train_all, heuristic_last_half, random_1..3 of its seed) are run by
 * `../shared/bench/peer.py baselines`, and slt fine-tunes the same masks in process with the
 * search's defaults (MobileNetV1-0.25, 1x1 conv adapter, Adam lr 1e-4 eps 1e-7, batch 32).
 * Prints per mask the validation accuracy per epoch and the fitness of both.
 * Run: npx tsx bench/fitness.ts [--size 32] [--epochs 2] [--seed 0] [--split slt|peer] [--vary-seed]
 *   [--adapter conv1x1] [--backend wasm] [--peer FILE.jsonl (reuse a peer run)] [--no-peer]
 * `--split peer` uses the peer's fractions (2/3, 1/6, 1/6) in place of slt's (0.7, 0.15, 0.15).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { selectBackend } from '@slt/backend';
import { loadDataset } from '@slt/datasets';
import { createLocalEvaluator, zooTaskModel, type AdapterKind } from '@slt/models';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const size = Number(opt('size', '32'));
const epochs = Number(opt('epochs', '2'));
const seed = Number(opt('seed', '0'));
const split = opt('split', 'slt');
const adapter = opt('adapter', 'conv1x1') as AdapterKind;
const backend = opt('backend', 'wasm') as 'wasm' | 'cpu';
const peerFile = opt('peer', '');
const varySeed = argv.includes('--vary-seed'); // evaluation k uses seed + k (the peer varies its seed per evaluation too)
const shared = resolve(import.meta.dirname, '..', '../shared');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

interface PeerRow { method: string; mask: string; val_acc: number[]; fitness: number; test_acc: number }
let peer: PeerRow[] = [];
if (peerFile && existsSync(peerFile)) {
  peer = readFileSync(peerFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PeerRow).filter((r) => r.method);
} else if (!argv.includes('--no-peer')) {
  const out = `/tmp/slt-bench-fitness-peer-${process.pid}.jsonl`;
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/python3', [resolve(shared, 'bench/peer.py'), 'baselines', '--epochs', String(epochs), '--seed', String(seed), '--size', String(size), '--json', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`peer.py failed: ${r.stderr}`);
  console.log(`# peer baselines: ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${load()}`);
  peer = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PeerRow).filter((r) => r.method);
}
const masks = peer.length > 0 ? peer.map((p) => ({ method: p.method, mask: p.mask })) : [
  { method: 'freeze_all', mask: '0'.repeat(86) },
  { method: 'train_all', mask: '1'.repeat(86) },
  { method: 'heuristic_last_half', mask: '0'.repeat(43) + '1'.repeat(43) },
];

await selectBackend({ prefer: backend });
const fractions: [number, number, number] | undefined = split === 'peer' ? [2 / 3, 1 / 6, 1 / 6] : undefined;
const data = await loadDataset({ path: resolve(shared, 'data/fashion-mnist-900'), seed, imageSize: [size, size], ...(fractions ? { fractions } : {}) });
const task = await zooTaskModel({
  model: 'mobilenet_v1_0.25', inputShape: [size, size, 1], classes: 10, seed, adapter,
  weights: resolve(shared, 'data/models/mobilenet_v1_0.25_224'),
});
const ev = createLocalEvaluator(task, { train: data.train, val: data.val, test: data.test }, { epochs, seed });
console.log(`# slt fitness bench (${new Date().toISOString()}, ${backend}, ${size} px, ${epochs} epochs, seed ${seed}, adapter ${adapter}, split ${split}: train ${data.train.shape[0]} val ${data.val.shape[0]} test ${data.test.shape[0]}), load ${load()}`);
console.log('| mask | slt val per epoch | slt fitness | slt test | peer val per epoch | peer fitness | peer test |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
const fits: number[][] = [[], []];
for (const [k, m] of masks.entries()) {
  const r = await ev.evaluate(m.mask, varySeed ? { seed: seed + k } : {});
  const p = peer.find((x) => x.method === m.method);
  const vals = r.epochs.map((e) => e.valAccuracy.toFixed(4)).join(' ');
  fits[0]!.push(r.fitness);
  if (p) fits[1]!.push(p.fitness);
  console.log(`| ${m.method} | ${vals} | ${r.fitness.toFixed(4)} | ${r.testAccuracy.toFixed(4)} | ${p ? p.val_acc.join(' ') : '-'} | ${p?.fitness ?? '-'} | ${p?.test_acc ?? '-'} |`);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / Math.max(xs.length - 1, 1));
console.log(`fitness over ${masks.length} masks: slt mean ${mean(fits[0]!).toFixed(4)} sd ${sd(fits[0]!).toFixed(4)} max ${Math.max(...fits[0]!).toFixed(4)}` +
  (fits[1]!.length ? `; peer mean ${mean(fits[1]!).toFixed(4)} sd ${sd(fits[1]!).toFixed(4)} max ${Math.max(...fits[1]!).toFixed(4)}` : ''));
ev.dispose();
task.dispose();
console.log(`# done, load ${load()}`);
