import { describe, expect, it } from 'vitest';
import { compareRanked, createGa, restoreGa, type GaEngine, type Genome, type GenomeRequest } from './index.js';
import { fnv1a } from './test-support.js';
import { Rng } from './rng.js';

/** Drives `ga` with up to `parallel` open requests told in a seeded random order; `fails(g)` marks failed evaluations. */
function run(ga: GaEngine, value: (g: Genome) => { value: number; cost?: number }, fails: (r: GenomeRequest) => boolean, parallel: number, shuffle: number): GenomeRequest[] {
  const order = Rng.fromSeed(shuffle);
  const open: GenomeRequest[] = [];
  const asked: GenomeRequest[] = [];
  for (;;) {
    while (open.length < parallel) {
      const r = ga.ask();
      if (!r) break;
      open.push(r);
      asked.push(r);
    }
    if (!open.length) break;
    const [r] = open.splice(order.int(0, open.length - 1), 1);
    if (fails(r)) ga.fail(r.id, `boom ${r.id}`);
    else ga.tell(r.id, value(r.genome));
  }
  return asked;
}

describe('tie rule', () => {
  it('orders by value, then cost, then generation, then index; failed last', () => {
    const keys = [
      { value: 0.5, cost: 10, generation: 1, index: 0 },
      { value: 0.5, cost: 5, generation: 2, index: 3 },
      { value: 0.9, generation: 3, index: 1, failed: true },
      { value: 0.5, cost: 5, generation: 1, index: 7 },
      { value: 0.5, cost: 5, generation: 1, index: 2 },
      { value: 0.6, cost: 99, generation: 4, index: 0 },
    ];
    const sorted = [...keys].sort(compareRanked);
    expect(sorted.map((k) => `${k.value}/${k.cost}/${k.generation}/${k.index}`)).toEqual([
      '0.6/99/4/0', '0.5/5/1/2', '0.5/5/1/7', '0.5/5/2/3', '0.5/10/1/0', '0.9/undefined/3/1',
    ]);
  });

  it('the best genome is the same whatever order the tells arrive in (ties of value broken by cost)', () => {
    // Few distinct values: ties everywhere; the cost (e.g. trainable parameters) decides.
    const value = (g: Genome) => ({ value: (g.trainableCount % 3) / 3, cost: fnv1a(g.key) % 1000 });
    const bests = new Set<string>();
    const states = new Set<string>();
    for (const [parallel, shuffle] of [[1, 1], [2, 5], [5, 9], [8, 13]] as const) {
      const ga = createGa({ genomeLength: 20, populationSize: 8, generations: 4, seed: 42 });
      run(ga, value, () => false, parallel, shuffle);
      const b = ga.best()!;
      bests.add(`${b.genome.key}@${b.generation}/${b.index}`);
      states.add(JSON.stringify(ga.toJSON()));
    }
    expect(bests.size).toBe(1);
    expect(states.size).toBe(1);
  });
});

describe('GaEngine.fail', () => {
  it('a failed genome gets no fitness, is not cached, ranks last, and is asked again when it reappears', () => {
    const ga = createGa({ genomeLength: 6, populationSize: 4, generations: 3, seed: 3, mutationRate: 0 });
    const failedKeys = new Set<string>();
    const reasked: string[] = [];
    ga.on('genome:asked', (r) => {
      if (failedKeys.has(r.genome.key)) reasked.push(r.genome.key);
    });
    const stats: { failures: number; bestKey: string }[] = [];
    ga.on('generation:finished', (s) => stats.push({ failures: s.failures, bestKey: s.bestKey }));
    // Generation 0: the member at index 0 fails every time it is asked in generation 0.
    const first = ga.ask()!;
    ga.fail(first.id, 'worker crashed');
    failedKeys.add(first.genome.key);
    expect(ga.cached(first.genome)).toBeUndefined();
    expect(ga.population()[first.index]).toMatchObject({ status: 'failed', error: 'worker crashed' });
    // With mutation 0 and three others of fitness 1, the failed one ranks last and is dropped
    // unless it reappears through crossover; either way it never has a cached fitness.
    run(ga, () => ({ value: 1 }), () => false, 2, 7);
    expect(ga.done).toBe(true);
    expect(ga.failures).toBe(1);
    expect(stats[0]).toMatchObject({ failures: 1 });
    expect(stats[0].bestKey).not.toBe(first.genome.key);
    // Never cached as failed: if it reappeared it was asked (a request), not a cache hit, and only then cached.
    expect(ga.toJSON().cache.some((c) => c.key === first.genome.key)).toBe(reasked.length > 0);
    for (const k of reasked) expect(ga.toJSON().cache.find((c) => c.key === k)).toBeDefined();
  });

  it('a failure within a generation lets an identical pending member be asked (not cached)', () => {
    const ga = createGa({ genomeLength: 4, populationSize: 4, generations: 1, seed: 1, initialPopulation: ['1100', '1100', '0011', '0101'] });
    const a = ga.ask()!;
    expect(a.genome.key).toBe('1100');
    ga.fail(a.id, 'oom');
    const asked = [ga.ask()!, ga.ask()!, ga.ask()!];
    expect(asked.map((r) => r.genome.key).sort()).toEqual(['0011', '0101', '1100']);
    for (const r of asked) ga.tell(r.id, { value: 0.5 });
    expect(ga.done).toBe(true);
    expect(ga.history[0]).toMatchObject({ failures: 1, evaluations: 3, cacheHits: 0, best: 0.5, mean: 0.5 });
  });

  it('every member failing gives a finished generation with no best, and the state restores', () => {
    const ga = createGa({ genomeLength: 5, populationSize: 4, generations: 2, seed: 9 });
    const r0 = ga.ask()!;
    ga.fail(r0.id, 'nan');
    const copy = restoreGa(JSON.parse(JSON.stringify(ga.toJSON())));
    expect(copy.population()[r0.index]).toMatchObject({ status: 'failed', error: 'nan' });
    expect(copy.failures).toBe(1);
    run(copy, () => ({ value: 0 }), () => true, 3, 2);
    expect(copy.done).toBe(true);
    expect(copy.best()).toBeUndefined();
    expect(copy.history.map((h) => [h.failures, h.bestKey])).toEqual([[4, ''], [4, '']]);
  });

  it('rejects an unknown id and a bad cost', () => {
    const ga = createGa({ genomeLength: 5, populationSize: 4, generations: 1, seed: 9 });
    expect(() => ga.fail('0:9', 'x')).toThrow(/not an outstanding request/);
    const r = ga.ask()!;
    expect(() => ga.tell(r.id, { value: 1, cost: Number.NaN })).toThrow(/cost must be a finite number/);
  });
});
