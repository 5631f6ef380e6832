// Start times of slt: the bin on the built code (dist/) against the same bin on the sources through
// tsx (SLT_DEV=1, what every start cost before the build), and a pool worker's time to ready
// built and from the sources, less the model build it includes; and tfjs' load by require() (the
// bundle) against ESM import (dist/).
// Run: npx tsx bench/startup.ts [--runs 7]   (median wall times; prints `uptime` load)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@slt/backend';
import * as source from '@slt/models';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 7) || 7;
const bin = path.join(repo, 'apps/cli/bin/slt.js');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall seconds of `node <args>` over `runs` runs (one warm-up run first). */
function timeNode(nodeArgs: string[], env: Record<string, string> = {}): number {
  const once = (): number => {
    const t0 = performance.now();
    execFileSync(process.execPath, nodeArgs, { env: { ...process.env, ...env }, stdio: 'ignore' });
    return (performance.now() - t0) / 1000;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

// The built code must be current: the bin rebuilds what is stale on its first run (the warm-up).
execFileSync(process.execPath, [bin, '--version'], { stdio: 'ignore' });
const built = await import(path.join(repo, 'libs/models/dist/index.js')) as typeof source;

const rows: [string, number, number | undefined][] = [];
const nodeAlone = timeNode(['-e', '0']);
rows.push(['node -e 0', nodeAlone, undefined]);
for (const cmd of [['--help'], ['--version']]) {
  rows.push([`slt ${cmd.join(' ')}`, timeNode([bin, ...cmd]), timeNode([bin, ...cmd], { SLT_DEV: '1' })]);
}

// Loading tfjs and its wasm backend as the bundle does (require) and as dist/ does (ESM import,
// which runs Node's CommonJS export lexer over tfjs' re-exports first).
const tfjsRequire = timeNode(['-e', "require('@tensorflow/tfjs'); require('@tensorflow/tfjs-backend-wasm')"]);
const tfjsImport = timeNode(['--input-type=module', '-e', "await import('@tensorflow/tfjs'); await import('@tensorflow/tfjs-backend-wasm')"]);

// A pool worker: spawn -> ready (modules loaded, backend chosen, model built, data read).
const weights = path.resolve(repo, '../shared/data/models/mobilenet_v1_0.25_224');
if (!existsSync(weights)) throw new Error(`bench/startup.ts: the shared weights are missing at ${weights}`);
const model = { kind: 'zoo' as const, options: { model: 'mobilenet_v1_0.25' as const, inputShape: [32, 32, 1] as [number, number, number], classes: 10, adapter: 'repeat' as const, weights } };
const split = (n: number) => ({ images: new Float32Array(n * 32 * 32), shape: [n, 32, 32, 1] as [number, number, number, number], labels: new Int32Array(n) });
const splits = { train: split(8), val: split(4), test: split(4) };

async function workerReady(lib: typeof source): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    const t0 = performance.now();
    const pool = await lib.createEvaluatorPool({ workers: 1, backend: 'wasm', model, splits });
    await pool.ready();
    times.push((performance.now() - t0) / 1000);
    await pool.close();
  }
  return median(times);
}

// The model build a worker does: the first build in this process, after its backend is chosen
// (module loading already paid, as in a worker; later builds would be faster than a worker's).
await selectBackend({ prefer: 'wasm' });
const b0 = performance.now();
await source.zooTaskModel(model.options).then((t) => t.dispose?.());
const modelBuild = (performance.now() - b0) / 1000;
const workerBuilt = await workerReady(built);
const workerSource = await workerReady(source);
rows.push(['worker ready (mobilenet_v1_0.25, 32 px, wasm)', workerBuilt, workerSource]);
rows.push(['  of which model build (in process)', modelBuild, modelBuild]);
rows.push(['  worker ready less model build', workerBuilt - modelBuild, workerSource - modelBuild]);

process.stdout.write(`tfjs + wasm backend loaded: require() (the bundle) ${tfjsRequire.toFixed(3)} s, ESM import (dist/) ${tfjsImport.toFixed(3)} s (${(tfjsImport / tfjsRequire).toFixed(2)}x)\n`);
process.stdout.write(`load: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}\n`);
process.stdout.write(`median of ${runs} runs, seconds\n\n| what | built (dist/) | sources (tsx) | ratio |\n|---|---|---|---|\n`);
for (const [what, a, b] of rows) {
  process.stdout.write(`| ${what} | ${a.toFixed(3)} | ${b === undefined ? '' : b.toFixed(3)} | ${b === undefined ? '' : `${(b / a).toFixed(1)}x`} |\n`);
}
