// A whole search with @slt/runner (data set load, model, GA, fine-tunes, journal, FileStore
// delivery) beside the PyTorch peer (../shared/bench/peer.py search) on the same budget, as ratios
// measured in one run on this machine, with the peak RSS of the search process and of each worker.
// Run: npx tsx bench/search.ts [--pop 8] [--gens 3] [--epochs 2] [--size 32] [--workers N (default:
//   the config default)] [--seeds 0,1,2] [--peer-seeds 0 (default: the first seed; 'all' = --seeds)]
//   [--settings paper,fast] [--no-peer]
// Settings: paper = the defaults (--adapter conv1x1 --genes layers, no pruning);
//           fast  = --adapter repeat --genes weighted --prune median.
// Prints per run: wall time, evaluations (and how many shared / pruned), best val accuracy, peak
// RSS; then per setting the median wall time over the seeds, the best-val mean and spread, and
// the slt/peer wall-time ratios (peer seed 0).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseSearchConfig, runSearch, type EvalFinishedRecord, type SearchEvent } from '@slt/runner';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const pop = Number(opt('pop', '8'));
const gens = Number(opt('gens', '3'));
const epochs = Number(opt('epochs', '2'));
const size = Number(opt('size', '32'));
const workersArg = opt('workers', '');
const seeds = opt('seeds', '0').split(',').map(Number);
const settings = opt('settings', 'paper,fast').split(',');
const peerSeedsArg = opt('peer-seeds', String(seeds[0]));
const peerSeeds = peerSeedsArg === 'all' ? seeds : peerSeedsArg.split(',').map(Number);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const shared = path.resolve(repo, '../shared');
const SETTINGS: Record<string, Record<string, unknown>> = {
  paper: {},
  fast: { adapter: 'repeat', genes: 'weighted', prune: 'median' },
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

/** Peak RSS (MiB) of this process's child processes (the workers), polled from /proc. */
function watchChildren(): { stop: () => Map<number, number> } {
  const peaks = new Map<number, number>();
  const poll = () => {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) continue;
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/status`, 'utf8'));
        if (hwm) peaks.set(Number(d), Math.max(peaks.get(Number(d)) ?? 0, Number(hwm[1]) / 1024));
      } catch {
        /* the process ended meanwhile */
      }
    }
  };
  const timer = setInterval(poll, 500);
  return { stop: () => (clearInterval(timer), peaks) };
}

async function slt(setting: string, seed: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'slt-bench-search-'));
  const cwd = process.cwd();
  process.chdir(dir); // the FileStore ./mlruns goes here
  const watch = watchChildren();
  try {
    const config = parseSearchConfig({
      data: path.join(shared, 'data/fashion-mnist-900'), weights: path.join(shared, 'data/models/mobilenet_v1_0.25_224'),
      input: `${size}x${size}`, population: pop, generations: gens, epochs, seed, out: path.join(dir, 'search'),
      ...(workersArg ? { workers: Number(workersArg) } : {}), ...SETTINGS[setting],
    });
    const evals: EvalFinishedRecord[] = [];
    const t0 = performance.now();
    const out = await runSearch(config, { onEvent: (e: SearchEvent) => { if (e.type === 'eval.finished') evals.push(e as unknown as EvalFinishedRecord); } });
    const wall = (performance.now() - t0) / 1000;
    const res = evals.map((e) => e.result as EvalFinishedRecord['result'] & { pruned?: boolean; reusedFrom?: string });
    return {
      wall, workers: config.workers, evaluations: evals.length, status: out.status, best: out.state.best?.fitness ?? NaN,
      shared: res.filter((r) => r.reusedFrom !== undefined).length, pruned: res.filter((r) => r.pruned).length,
      evalSeconds: median(res.filter((r) => r.reusedFrom === undefined).map((r) => r.seconds)),
      rssSelf: process.resourceUsage().maxRSS / 1024, rssWorkers: [...watch.stop().values()],
    };
  } finally {
    watch.stop();
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

function peer(seed: number) {
  const text = execFileSync('/usr/bin/python3', [path.join(shared, 'bench/peer.py'), 'search', '--pop', String(pop), '--gens', String(gens),
    '--epochs', String(epochs), '--seed', String(seed), '--size', String(size), '--threads', '2'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const summary = lines.find((l) => l.summary);
  return { wall: summary.wall_s as number, best: summary.best_fitness as number };
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
console.log(`# search bench ${new Date().toISOString()}: MobileNetV1-0.25, fashion-mnist-900 at ${size} px, population ${pop} x ${gens} generations, ${epochs} epoch(s), seeds ${seeds.join(',')}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
let peerRun: { wall: number; best: number } | undefined;
const peerBests: number[] = [];
const peerWalls: number[] = [];
if (!args.includes('--no-peer')) {
  try {
    for (const seed of peerSeeds) {
      const r = peer(seed);
      peerBests.push(r.best);
      peerWalls.push(r.wall);
      console.log(`peer (PyTorch, 2 threads) seed ${seed}: whole search ${f(r.wall, 1)} s, best val ${f(r.best, 4)}  (load ${loadavg()[0]!.toFixed(2)})`);
    }
    peerRun = { wall: median(peerWalls), best: peerBests[0]! };
  } catch (err) {
    console.log(`peer: not run (${(err as Error).message.split('\n')[0]}); needs Debian's python3-torch`);
  }
}
const summary: Record<string, { walls: number[]; bests: number[] }> = {};
for (const setting of settings) {
  summary[setting] = { walls: [], bests: [] };
  for (const seed of seeds) {
    const s = await slt(setting, seed);
    summary[setting].walls.push(s.wall);
    summary[setting].bests.push(s.best);
    console.log(`slt ${setting.padEnd(5)} seed ${seed}: whole search ${f(s.wall, 1)} s (${s.workers} workers), ${s.evaluations} evaluations (${s.shared} shared, ${s.pruned} pruned), ` +
      `one evaluation median ${f(s.evalSeconds)} s, best val ${f(s.best, 4)}; peak RSS search ${f(s.rssSelf, 0)} MiB, workers ${s.rssWorkers.map((r) => f(r, 0)).join(', ') || '-'} MiB  (load ${loadavg()[0]!.toFixed(2)})`);
  }
}
for (const [setting, { walls, bests }] of Object.entries(summary)) {
  const mean = bests.reduce((a, b) => a + b, 0) / bests.length;
  const spread = Math.max(...bests) - Math.min(...bests);
  console.log(`${setting.padEnd(5)}: median wall ${f(median(walls), 1)} s${peerRun ? ` = ${f(median(walls) / peerRun.wall)}x the peer` : ''}; best val over seeds mean ${f(mean, 4)}, spread (max-min) ${f(spread, 4)} [${bests.map((b) => f(b, 4)).join(', ')}]`);
}
if (peerBests.length > 0) {
  const mean = peerBests.reduce((a, b) => a + b, 0) / peerBests.length;
  console.log(`peer : median wall ${f(median(peerWalls), 1)} s (the ratios' base); best val over seeds mean ${f(mean, 4)}, spread (max-min) ${f(Math.max(...peerBests) - Math.min(...peerBests), 4)} [${peerBests.map((b) => f(b, 4)).join(', ')}]`);
}
if (summary.paper && summary.fast) {
  const m = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const gap = m(summary.paper.bests) - m(summary.fast.bests);
  const spread = Math.max(...summary.paper.bests, ...summary.fast.bests) - Math.min(...summary.paper.bests, ...summary.fast.bests);
  console.log(`fast vs paper: best val mean ${f(m(summary.fast.bests), 4)} vs ${f(m(summary.paper.bests), 4)} (paper - fast = ${f(gap, 4)}; seeds' spread ${f(spread, 4)})`);
}
