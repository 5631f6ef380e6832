// Engine overhead of @slt/ga: ask/tell bookkeeping, selection, crossover, mutation, cache and
// events, without any evaluation. Run: npx tsx bench/ga-overhead.ts [--n 100] [--L 237] [--generations 200]
// Prints CPU microseconds per generation and per genome, plus toJSON/restore cost.
import { createGa, restoreGa, type Genome } from '@slt/ga';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const n = opt('n', 100);
const L = opt('L', 237);
const generations = opt('generations', 200);

/** CPU milliseconds of this process (user + system): steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// A cheap deterministic fitness, so the measured time is the engine's.
const fitness = (g: Genome) => ({ value: g.trainableCount / g.length });

function run(preset: 'paper' | 'elitist', parallel: number) {
  const ga = createGa({ genomeLength: L, populationSize: n, generations, seed: 1, preset });
  let events = 0;
  ga.on('genome:asked', () => events++);
  ga.on('generation:finished', () => events++);
  const t0 = cpuMs();
  const w0 = performance.now();
  const open: { id: string; genome: Genome }[] = [];
  while (!ga.done) {
    while (open.length < parallel) {
      const r = ga.ask();
      if (!r) break;
      open.push(r);
    }
    const r = open.shift()!;
    ga.tell(r.id, fitness(r.genome));
  }
  const cpu = cpuMs() - t0;
  const wall = performance.now() - w0;
  const genomes = ga.evaluations + ga.cacheHits;
  return { ga, cpu, wall, genomes, events };
}

run('paper', 1); // warm-up (JIT)
console.log(`@slt/ga engine overhead, n=${n}, L=${L}, ${generations} generations (fitness is trivial)`);
for (const preset of ['paper', 'elitist'] as const) {
  for (const parallel of [1, 8]) {
    const { ga, cpu, wall, genomes } = run(preset, parallel);
    console.log(
      `${preset.padEnd(8)} parallel=${String(parallel).padEnd(2)} ` +
        `${(cpu / generations).toFixed(3)} ms CPU/generation  ${((cpu * 1000) / genomes).toFixed(2)} us CPU/genome  ` +
        `(wall ${(wall / generations).toFixed(3)} ms/generation; ${ga.evaluations} evaluations, ${ga.cacheHits} cache hits)`,
    );
  }
}
const { ga } = run('paper', 1);
const t0 = cpuMs();
const text = JSON.stringify(ga.toJSON());
const t1 = cpuMs();
const restored = restoreGa(JSON.parse(text));
const t2 = cpuMs();
console.log(`state after ${generations} generations: ${(text.length / 1024).toFixed(0)} KiB JSON (cache of ${ga.evaluations} genomes); ` +
  `toJSON+stringify ${(t1 - t0).toFixed(1)} ms, parse+restoreGa ${(t2 - t1).toFixed(1)} ms; restored.done=${restored.done}`);
