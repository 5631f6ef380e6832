import { describe, expect, it } from 'vitest';
import { Rng, createGa, type Genome } from './index.js';

describe('search quality', () => {
  it('finds a hidden 86-bit target under a noisy fitness within 4000 evaluations (paper operators, mutation 0.01)', () => {
    const L = 86;
    const budget = 4000; // evaluations (cache hits are free)
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const targetRng = Rng.fromSeed(seed * 7919);
      const target = Array.from({ length: L }, () => (targetRng.chance(0.5) ? 1 : 0)).join('');
      const noise = Rng.fromSeed(seed + 100);
      // fraction of matching genes plus uniform noise of +-0.01 (one gene is worth 0.0116)
      const fitness = (g: Genome) => {
        let match = 0;
        for (let i = 0; i < L; i++) if (g.key[i] === target[i]) match++;
        return { value: match / L + (noise.float() - 0.5) * 0.02 };
      };
      const ga = createGa({ genomeLength: L, populationSize: 20, generations: 1000, seed, mutationRate: 0.01 });
      let foundAt = -1;
      while (!ga.done && foundAt < 0 && ga.evaluations < budget) {
        const r = ga.ask()!;
        ga.tell(r.id, fitness(r.genome));
        if (r.genome.key === target) foundAt = ga.evaluations;
      }
      expect(foundAt, `seed ${seed}`).toBeGreaterThan(0);
      expect(foundAt).toBeLessThanOrEqual(budget);
      expect(ga.cached(target)!.value).toBeGreaterThan(0.98);
    }
  });
});
