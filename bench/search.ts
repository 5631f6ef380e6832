// A whole small search with @slt/runner (data set load, model, GA, fine-tunes, journal, FileStore
// delivery) beside the PyTorch peer (../shared/bench/peer.py search) on the same budget, as ratios
// measured in one run on this machine. Run: npx tsx bench/search.ts [--pop 4] [--gens 2] [--epochs 1]
//   [--size 32] [--workers 0] [--seed 0] [--no-peer]
// Prints: the wall time of the whole search, the median seconds of one fitness evaluation, the
// training images/s, and slt/peer ratios (peer faster = ratio > 1 for seconds).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSearchConfig, runSearch, type EvalFinishedRecord, type SearchEvent } from '@slt/runner';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const pop = opt('pop', 4);
const gens = opt('gens', 2);
const epochs = opt('epochs', 1);
const size = opt('size', 32);
const workers = opt('workers', 0);
const seed = opt('seed', 0);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const shared = path.resolve(repo, '../shared');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function slt() {
  const dir = mkdtempSync(path.join(tmpdir(), 'slt-bench-search-'));
  const cwd = process.cwd();
  process.chdir(dir); // the FileStore ./mlruns goes here
  try {
    const config = parseSearchConfig({
      data: path.join(shared, 'data/fashion-mnist-900'), weights: path.join(shared, 'data/models/mobilenet_v1_0.25_224'),
      input: `${size}x${size}`, population: pop, generations: gens, epochs, seed, workers, out: path.join(dir, 'search'),
    });
    const evals: EvalFinishedRecord[] = [];
    let firstEvalAt = 0;
    const t0 = performance.now();
    const out = await runSearch(config, {
      onEvent: (e: SearchEvent) => {
        if (e.type === 'eval.started' && !firstEvalAt) firstEvalAt = performance.now();
        if (e.type === 'eval.finished') evals.push(e as unknown as EvalFinishedRecord);
      },
    });
    const wall = (performance.now() - t0) / 1000;
    return {
      wall, setup: (firstEvalAt - t0) / 1000, evaluations: evals.length, status: out.status,
      evalSeconds: median(evals.map((e) => e.result.seconds)), imagesPerSecond: median(evals.map((e) => e.result.imagesPerSecond)),
      best: out.state.best?.fitness, backend: evals[0]?.result.backend,
    };
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

function peer() {
  const text = execFileSync('/usr/bin/python3', [path.join(shared, 'bench/peer.py'), 'search', '--pop', String(pop), '--gens', String(gens),
    '--epochs', String(epochs), '--seed', String(seed), '--size', String(size), '--threads', '2'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const evals = lines.filter((l) => !l.summary);
  const summary = lines.find((l) => l.summary);
  return { wall: summary.wall_s as number, evaluations: evals.length, evalSeconds: median(evals.map((e) => e.seconds)), imagesPerSecond: median(evals.map((e) => e.train_img_s)), best: summary.best_fitness as number };
}

const fmt = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
console.log(`search: MobileNetV1-0.25, fashion-mnist-900 at ${size} px, population ${pop} x ${gens} generations, ${epochs} epoch(s), seed ${seed}, slt workers ${workers}`);
const s = await slt();
console.log(`slt : whole search ${fmt(s.wall, 1)} s (setup ${fmt(s.setup, 1)} s), ${s.evaluations} evaluations, one evaluation median ${fmt(s.evalSeconds)} s, training ${fmt(s.imagesPerSecond, 0)} img/s on ${s.backend}, best val ${fmt(s.best, 4)}`);
if (!args.includes('--no-peer')) {
  try {
    const p = peer();
    console.log(`peer: whole search ${fmt(p.wall, 1)} s, ${p.evaluations} evaluations, one evaluation median ${fmt(p.evalSeconds)} s, training ${fmt(p.imagesPerSecond, 0)} img/s (PyTorch), best val ${fmt(p.best, 4)}`);
    console.log(`ratio slt/peer: whole search ${fmt(s.wall / p.wall)}x, one evaluation ${fmt(s.evalSeconds / p.evalSeconds)}x, training throughput ${fmt(s.imagesPerSecond / p.imagesPerSecond)}x`);
  } catch (err) {
    console.log(`peer: not run (${(err as Error).message.split('\n')[0]}); needs Debian's python3-torch`);
  }
}
