// A whole search as users run it: `node apps/cli/bin/slt.js search ... --json` (the built CLI: data
// set load, model, GA, fine-tunes in worker processes, journal, FileStore delivery) beside the
// PyTorch peer (`/usr/bin/python3 ../shared/bench/peer.py search`) on the same budget, both as whole
// processes timed by this bench's clock, interleaved per seed (peer, then each setting) so that
// machine-speed drift hits all alike.
// Run: npx tsx bench/search.ts [--pop 8] [--gens 3] [--epochs 2] [--size 32] [--workers N (default:
//   the config default)] [--seeds 0,1,2] [--peer-seeds all (default: every seed; or e.g. 0)]
//   [--settings paper,fast] [--no-peer]
// Settings: paper = the defaults (--adapter conv1x1 --genes layers, no pruning);
//           fast  = --adapter repeat --genes weighted --prune median.
// Prints per run: whole-process wall time (spawn to exit, performance.now), CPU seconds, evaluations
// (pruned, shared, cached), best val accuracy, peak RSS of the search process and of each worker,
// load average; then per setting the median wall over the seeds, its ratio to the peer's median and
// the median of the per-seed paired slt/peer ratios, the best-val mean and spread over seeds.
// CPU seconds: /usr/bin/time -f '%e %U %S %M' wraps each process; its user+sys count the process
// and every descendant it waited for (node reaps its workers), so the whole tree. Peak RSS: VmHWM of
// each descendant, polled from /proc every 200 ms (a process shorter than that can be missed).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { linesOf, parseSearchJsonLines } from '@slt/cli/json-lines';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const [pop, gens, epochs, size] = ['pop', 'gens', 'epochs', 'size'].map((n, i) => Number(opt(n, ['8', '3', '2', '32'][i]!)));
const workersArg = opt('workers', '');
const seeds = opt('seeds', '0').split(',').map(Number);
const settings = opt('settings', 'paper,fast').split(',');
const peerSeedsArg = opt('peer-seeds', 'all');
const peerSeeds = peerSeedsArg === 'all' ? seeds : peerSeedsArg.split(',').map(Number);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const shared = path.resolve(repo, '../shared');
const SETTINGS: Record<string, string[]> = { paper: [], fast: ['--adapter', 'repeat', '--genes', 'weighted', '--prune', 'median'] };
for (const s of settings) if (!SETTINGS[s]) throw new Error(`unknown setting ${s} (paper, fast)`);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** How many generations `pid` is below `root` (0: root itself), -1 when it is not in root's tree. */
function depthBelow(parent: Map<number, number>, pid: number, root: number): number {
  for (let p = pid, d = 0; d < 10; p = parent.get(p) ?? 0, d++) {
    if (p === root) return d;
    if (p <= 1) return -1;
  }
  return -1;
}

/** Peak RSS (MiB) of `root` and its descendants, by depth below root, polled from /proc. */
function watchTree(root: number) {
  const peaks = new Map<number, { mib: number; depth: number; comm: string }>();
  const poll = () => {
    const parent = new Map<number, number>();
    const comm = new Map<number, string>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
        comm.set(Number(d), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      } catch {
        /* the process ended meanwhile */
      }
    }
    for (const pid of parent.keys()) {
      const depth = depthBelow(parent, pid, root);
      if (depth < 0) continue;
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (hwm) peaks.set(pid, { depth, comm: comm.get(pid)!, mib: Math.max(peaks.get(pid)?.mib ?? 0, Number(hwm[1]) / 1024) });
      } catch {
        /* ended */
      }
    }
  };
  poll();
  const timer = setInterval(poll, 200);
  return { stop: () => (clearInterval(timer), peaks) };
}

interface Proc { code: number | null; wall: number; cpu: number; stdout: string; stderr: string; rssMain: number; rssWorkers: number[]; rssOther: string[] }

/** Runs one whole process (under /usr/bin/time when there is one) in `cwd`; wall = spawn to exit. */
function runProcess(cmd: string, argv: string[], cwd: string): Promise<Proc> {
  const timeFile = path.join(cwd, '.bench-time');
  const [file, full] = TIME ? [TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...argv]] : [cmd, argv];
  const mainDepth = TIME ? 1 : 0; // under time: the tree is time -> the search process -> its workers
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, full, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const watch = child.pid ? watchTree(child.pid) : undefined;
    let stdout = '';
    let stderr = '';
    let wall = NaN;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', (err) => (watch?.stop(), reject(err)));
    child.on('exit', () => (wall = (performance.now() - t0) / 1000));
    child.on('close', (code) => {
      const peaks = [...(watch?.stop().values() ?? [])];
      let cpu = NaN;
      try {
        const [, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
        cpu = user! + sys!;
      } catch {
        /* no /usr/bin/time */
      }
      resolve({
        code, wall, cpu, stdout, stderr, rssMain: Math.max(0, ...peaks.filter((p) => p.depth === mainDepth).map((p) => p.mib)),
        rssWorkers: peaks.filter((p) => p.depth > mainDepth && p.comm === 'node').map((p) => p.mib),
        // other descendants, e.g. esbuild when the CLI rebuilt dist/ because a source changed meanwhile
        rssOther: peaks.filter((p) => p.depth > mainDepth && p.comm !== 'node').map((p) => `${p.comm} ${f(p.mib, 0)} MiB`),
      });
    });
  });
}

/** Runs `fn` in a fresh temp dir (cwd of the process: its ./mlruns goes there), removed afterwards. */
async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'slt-bench-search-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const failure = (p: Proc) => `exit ${p.code}: ${p.stderr.trim().split('\n').at(-1)?.trim() ?? ''}`;

// The --json evaluation line says neither pruned nor shared: both come from the journal's records.
const journalEval = z.looseObject({ type: z.literal('eval.finished'), result: z.looseObject({ pruned: z.boolean().optional(), reusedFrom: z.string().optional() }) });

async function slt(setting: string, seed: number) {
  return inTempDir(async (dir) => {
    const p = await runProcess(process.execPath, [path.join(repo, 'apps/cli/bin/slt.js'), 'search', '--model', 'mobilenet_v1_0.25',
      '--weights', path.join(shared, 'data/models/mobilenet_v1_0.25_224'), '--data', path.join(shared, 'data/fashion-mnist-900'),
      '--input', `${size}x${size}`, '--population', String(pop), '--generations', String(gens), '--epochs', String(epochs), '--seed', String(seed),
      ...(workersArg ? ['--workers', workersArg] : []), ...SETTINGS[setting]!, '--out', path.join(dir, 's'), '--json'], dir);
    if (p.code !== 0) throw new Error(failure(p));
    const lines = parseSearchJsonLines(p.stdout);
    const result = linesOf(lines, 'result')[0];
    const workers = linesOf(lines, 'search')[0]?.config.workers;
    const records = result ? readFileSync(result.journalPath, 'utf8').split('\n').filter(Boolean)
      .map((l) => journalEval.safeParse(JSON.parse(l))).flatMap((r) => (r.success ? [r.data.result] : [])) : [];
    return {
      ...p, workers: typeof workers === 'number' ? workers : NaN, evaluations: linesOf(lines, 'evaluation').length, cached: linesOf(lines, 'cached').length,
      pruned: records.filter((r) => r.pruned).length, shared: records.filter((r) => r.reusedFrom !== undefined).length, best: result?.best?.fitness ?? NaN,
    };
  });
}

const peerSummary = z.looseObject({ summary: z.literal(true), wall_s: z.number(), best_fitness: z.number(), evaluations: z.number() });
async function peer(seed: number) {
  return inTempDir(async (dir) => {
    const p = await runProcess('/usr/bin/python3', [path.join(shared, 'bench/peer.py'), 'search', '--pop', String(pop), '--gens', String(gens),
      '--epochs', String(epochs), '--seed', String(seed), '--size', String(size), '--threads', '2'], dir);
    if (p.code !== 0) throw new Error(failure(p));
    const line = p.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => peerSummary.safeParse(JSON.parse(l))).find((r) => r.success);
    if (!line?.data) throw new Error('no summary line in its output');
    return { ...p, ownWall: line.data.wall_s, best: line.data.best_fitness, evaluations: line.data.evaluations };
  });
}

execFileSync(process.execPath, [path.join(repo, 'tools/build.mjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] }); // dist/ fresh
console.log(`# search bench ${new Date().toISOString()}: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${f(totalmem() / 2 ** 30, 1)} GiB, load ${load()}; ` +
  `MobileNetV1-0.25, fashion-mnist-900 at ${size} px, population ${pop} x ${gens} generations, ${epochs} epoch(s), seeds ${seeds.join(',')}; ` +
  `whole processes: node apps/cli/bin/slt.js (built) vs python3 peer.py --threads 2${TIME ? '' : '; no /usr/bin/time: no CPU seconds'}`);
const rss = (p: Proc) => `peak RSS search ${f(p.rssMain, 0)} MiB, workers ${p.rssWorkers.map((r) => f(r, 0)).join(', ') || '-'} MiB` +
  (p.rssOther.length ? ` (+ ${p.rssOther.join(', ')})` : '');
let peerOn = !args.includes('--no-peer');
const peerRuns = new Map<number, { wall: number; cpu: number; best: number }>();
const summary: Record<string, { seed: number; wall: number; cpu: number; best: number }[]> = Object.fromEntries(settings.map((s) => [s, []]));
for (const seed of seeds) {
  if (peerOn && peerSeeds.includes(seed)) {
    try {
      const r = await peer(seed);
      peerRuns.set(seed, { wall: r.wall, cpu: r.cpu, best: r.best });
      console.log(`peer  seed ${seed}: whole process ${f(r.wall, 1)} s (its own clock ${f(r.ownWall, 1)} s), CPU ${f(r.cpu, 1)} s, ${r.evaluations} evaluations, best val ${f(r.best, 4)}; peak RSS ${f(r.rssMain, 0)} MiB${r.rssWorkers.length + r.rssOther.length ? ` (${rss(r)})` : ''}  (load ${load()})`);
    } catch (err) {
      console.log(`peer: not run (${(err as Error).message.split('\n')[0]}); needs Debian's python3-torch; going on with slt only`);
      peerOn = false;
    }
  }
  for (const setting of settings) {
    try {
      const s = await slt(setting, seed);
      summary[setting]!.push({ seed, wall: s.wall, cpu: s.cpu, best: s.best });
      console.log(`slt ${setting.padEnd(5)} seed ${seed}: whole process ${f(s.wall, 1)} s, CPU ${f(s.cpu, 1)} s (${s.workers} workers), ${s.evaluations} evaluations ` +
        `(${s.pruned} pruned, ${s.shared} shared, ${s.cached} cached), best val ${f(s.best, 4)}; ${rss(s)}  (load ${load()})`);
    } catch (err) {
      console.log(`slt ${setting.padEnd(5)} seed ${seed}: failed (${(err as Error).message.split('\n')[0]})`);
    }
  }
}
const peerWall = median([...peerRuns.values()].map((r) => r.wall));
for (const [setting, runs] of Object.entries(summary)) {
  if (runs.length === 0) continue;
  const bests = runs.map((r) => r.best);
  const paired = runs.filter((r) => peerRuns.has(r.seed)).map((r) => r.wall / peerRuns.get(r.seed)!.wall);
  console.log(`${setting.padEnd(5)}: median wall ${f(median(runs.map((r) => r.wall)), 1)} s` +
    (peerRuns.size ? ` = ${f(median(runs.map((r) => r.wall)) / peerWall)}x the peer's median, per-seed paired slt/peer median ${f(median(paired))}x [${paired.map((x) => f(x)).join(', ')}]` : '') +
    `, median CPU ${f(median(runs.map((r) => r.cpu)), 1)} s; best val over seeds mean ${f(mean(bests), 4)}, spread (max-min) ${f(Math.max(...bests) - Math.min(...bests), 4)} [${bests.map((b) => f(b, 4)).join(', ')}]`);
}
if (peerRuns.size > 0) {
  const bests = [...peerRuns.values()].map((r) => r.best);
  const cpu = median([...peerRuns.values()].map((r) => r.cpu));
  console.log(`peer : median wall ${f(peerWall, 1)} s (the ratios' base), median CPU ${f(cpu, 1)} s; best val over seeds mean ${f(mean(bests), 4)}, spread (max-min) ${f(Math.max(...bests) - Math.min(...bests), 4)} [${bests.map((b) => f(b, 4)).join(', ')}]`);
}
if (summary.paper?.length && summary.fast?.length) {
  const [paper, fast] = [summary.paper.map((r) => r.best), summary.fast.map((r) => r.best)];
  const spread = Math.max(...paper, ...fast) - Math.min(...paper, ...fast);
  console.log(`fast vs paper: best val mean ${f(mean(fast), 4)} vs ${f(mean(paper), 4)} (paper - fast = ${f(mean(paper) - mean(fast), 4)}; seeds' spread ${f(spread, 4)})`);
}
