import { describe, expect, it } from 'vitest';
import {
  Genome, createGa, halfCrossover, onePointCrossover, type GaEngine, type GenerationStats, type PopulationMember,
} from './index.js';
import { drive, hashFitness } from './test-support.js';

const SEEDS = Array.from({ length: 25 }, (_, i) => 1000 + i * 37);

/**
 * Evaluates the current generation with a deterministic fitness and returns its members with
 * that fitness (cached members have the same value, since the function is deterministic).
 */
function evaluateGeneration(ga: GaEngine, fitness: (g: Genome) => number): PopulationMember[] {
  const members = ga.population();
  const gen = ga.generation;
  while (ga.generation === gen && !ga.done) {
    const r = ga.ask();
    if (r === null) throw new Error(`generation ${gen} stalled`);
    ga.tell(r.id, { value: fitness(r.genome) });
  }
  return members.map((m) => ({ ...m, fitness: { value: fitness(m.genome) } }));
}

describe('GaEngine generation step (paper preset)', () => {
  it('keeps the exact top n/2, breeds n/4 regular and n/4 one-point children, keeps size n (mutation 0)', () => {
    let checked = 0;
    for (const seed of SEEDS) {
      const n = 4 * (1 + (seed % 6));
      const L = 6 + (seed % 40);
      const ga = createGa({ genomeLength: L, populationSize: n, generations: 5, seed, mutationRate: 0 });
      const generations: Genome[][] = [];
      ga.on('generation:started', (e) => generations.push([...e.genomes]));
      // few distinct values: many ties, broken by lower index
      const fit = (g: Genome) => (g.trainableCount % 4) / 4;
      drive(ga, (g) => ({ value: fit(g) }), { parallel: 3, shuffleSeed: seed });
      expect(generations).toHaveLength(5);
      for (let gen = 0; gen + 1 < generations.length; gen++) {
        const evaluated = generations[gen].map((genome, index) => ({ genome, index, value: fit(genome) }));
        expect(evaluated).toHaveLength(n);
        const ranked = [...evaluated].sort((a, b) => b.value - a.value || a.index - b.index);
        const next = generations[gen + 1];
        expect(next).toHaveLength(n);
        for (let k = 0; k < n / 2; k++) expect(next[k].key).toBe(ranked[k].genome.key);
        const kept = ranked.slice(0, n / 2).map((m) => m.genome);
        for (let k = 0; k < n / 4; k++) expect(next[n / 2 + k].key).toBe(halfCrossover(kept[2 * k], kept[2 * k + 1]).key);
        for (const child of next.slice((3 * n) / 4)) {
          const ok = kept.some((a, ia) => kept.some((b, ib) => ia !== ib &&
            Array.from({ length: L - 1 }, (_, c) => c + 1).some((cut) => onePointCrossover(a, b, cut).key === child.key)));
          expect(ok, `seed ${seed} gen ${gen}`).toBe(true);
        }
        checked++;
      }
    }
    expect(checked).toBe(SEEDS.length * 4);
  });

  it('mutates every member of the next generation, kept ones included, at the rate (3 sd over 10^5 bits)', () => {
    const L = 237;
    const n = 100;
    let flips = 0;
    let bits = 0;
    for (const seed of [11, 12]) {
      const ga = createGa({ genomeLength: L, populationSize: n, generations: 6, seed });
      for (let gen = 0; gen < 5; gen++) {
        const evaluated = evaluateGeneration(ga, (g) => hashFitness(g).value);
        const ranked = [...evaluated].sort((a, b) => b.fitness!.value - a.fitness!.value || a.index - b.index);
        const next = ga.population();
        for (let k = 0; k < n / 2; k++) {
          for (let i = 0; i < L; i++) if (next[k].genome.bits[i] !== ranked[k].genome.bits[i]) flips++;
          bits += L;
        }
      }
    }
    expect(bits).toBeGreaterThanOrEqual(100_000);
    const rate = flips / bits;
    expect(Math.abs(rate - 0.04), `observed rate ${rate}`).toBeLessThan(3 * Math.sqrt((0.04 * 0.96) / bits));
  });

  it('elitist preset: the best eliteCount survivors pass unmutated, the others are mutated', () => {
    for (const seed of SEEDS.slice(0, 8)) {
      const ga = createGa({ genomeLength: 120, populationSize: 16, generations: 3, seed, preset: 'elitist', mutationRate: 0.2 });
      expect(ga.options.eliteCount).toBe(2);
      const evaluated = evaluateGeneration(ga, (g) => hashFitness(g).value);
      const ranked = [...evaluated].sort((a, b) => b.fitness!.value - a.fitness!.value || a.index - b.index);
      const next = ga.population();
      expect(next[0].genome.key).toBe(ranked[0].genome.key);
      expect(next[1].genome.key).toBe(ranked[1].genome.key);
      expect(next[0].status).toBe('cached');
      expect(next.slice(2, 8).some((m, k) => m.genome.key !== ranked[k + 2].genome.key)).toBe(true);
    }
  });

  it('locked genes never change over a whole search', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const lockedGenes = [0, 3, { index: 9, value: 1 as const }, 29];
      const ga = createGa({ genomeLength: 30, populationSize: 12, generations: 15, seed, lockedGenes, mutationRate: 0.3 });
      const seen: Genome[] = [];
      ga.on('generation:started', (e) => seen.push(...e.genomes));
      const asked = drive(ga, (g) => hashFitness(g));
      expect(asked.length).toBeGreaterThan(0);
      for (const g of [...seen, ...asked.map((r) => r.genome)]) {
        expect([g.bits[0], g.bits[3], g.bits[9], g.bits[29]]).toEqual([0, 0, 1, 0]);
      }
    }
  });
});

describe('GaEngine ask/tell', () => {
  it('allows many outstanding requests, told in any order, with the same result as sequential', () => {
    for (const seed of SEEDS.slice(0, 6)) {
      const opts = { genomeLength: 40, populationSize: 12, generations: 8, seed, mutationRate: 0.1 };
      const a = createGa(opts);
      drive(a, (g) => hashFitness(g, seed));
      const b = createGa(opts);
      drive(b, (g) => hashFitness(g, seed), { parallel: 5, shuffleSeed: seed });
      expect(JSON.stringify(b.toJSON().history)).toBe(JSON.stringify(a.toJSON().history));
      expect(b.best()?.genome.key).toBe(a.best()?.genome.key);
      expect(b.population().map((m) => m.genome.key)).toEqual(a.population().map((m) => m.genome.key));
    }
  });

  it('returns null while the rest of a generation is outstanding, and after done', () => {
    const ga = createGa({ genomeLength: 10, populationSize: 4, generations: 1, seed: 5, initialPopulation: ['0000000001', '0000000010', '0000000100', '0000001000'] });
    const reqs = [ga.ask(), ga.ask(), ga.ask(), ga.ask()];
    expect(reqs.map((r) => r?.id)).toEqual(['0:0', '0:1', '0:2', '0:3']);
    expect(ga.ask()).toBeNull();
    expect(ga.pending).toBe(4);
    for (const r of reqs.reverse()) ga.tell(r!.id, { value: r!.index, objectives: { params: 10 }, metadata: { note: 'x' } });
    expect(ga.done).toBe(true);
    expect(ga.ask()).toBeNull();
    expect(ga.best()).toMatchObject({ generation: 0, index: 3, fitness: { value: 3, objectives: { params: 10 }, metadata: { note: 'x' } } });
    expect(ga.history).toHaveLength(1);
    expect(ga.history[0]).toMatchObject({ best: 3, mean: 1.5, worst: 0, evaluations: 4, cacheHits: 0, bestKey: '0000001000' });
  });

  it('rejects unknown, repeated and malformed tells with the id and what is wrong', () => {
    const ga = createGa({ genomeLength: 10, populationSize: 4, generations: 2, seed: 1 });
    const r = ga.ask()!;
    expect(() => ga.tell('9:9', { value: 1 })).toThrow(/"9:9" is not an outstanding request.*outstanding: 0:0/);
    expect(() => ga.tell(r.id, { value: Number.NaN })).toThrow(/fitness.value must be a finite number, got NaN/);
    expect(() => ga.tell(r.id, { value: 1, objectives: { loss: Infinity } })).toThrow(/objectives.loss must be a finite number/);
    ga.tell(r.id, { value: 0.5 });
    expect(() => ga.tell(r.id, { value: 0.5 })).toThrow(/"0:0" is not an outstanding request.*outstanding: none/);
  });
});

describe('fitness cache', () => {
  it('a population of identical genomes costs one evaluation', () => {
    const same = '1010101010';
    const ga = createGa({ genomeLength: 10, populationSize: 8, generations: 5, seed: 3, mutationRate: 0, initialPopulation: Array(8).fill(same) });
    const cached: number[] = [];
    ga.on('genome:cached', (e) => cached.push(e.index));
    const asked = drive(ga, () => ({ value: 0.7 }), { parallel: 8 });
    expect(asked.map((r) => r.genome.key)).toEqual([same]);
    expect(ga.evaluations).toBe(1);
    expect(ga.cacheHits).toBe(8 * 5 - 1);
    expect(cached).toHaveLength(ga.cacheHits);
    expect(ga.history.map((h: GenerationStats) => [h.evaluations, h.cacheHits])).toEqual([[1, 7], [0, 8], [0, 8], [0, 8], [0, 8]]);
  });

  it('never asks for a genome already evaluated in the search', () => {
    for (const seed of SEEDS.slice(0, 8)) {
      const ga = createGa({ genomeLength: 8, populationSize: 16, generations: 12, seed });
      const asked = drive(ga, (g) => hashFitness(g), { parallel: 3, shuffleSeed: seed });
      const keys = asked.map((r) => r.genome.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(ga.evaluations).toBe(keys.length);
      expect(ga.evaluations + ga.cacheHits).toBe(16 * 12);
      expect(ga.cacheHits).toBeGreaterThan(0); // 2^8 genomes: repeats are certain
    }
  });
});
