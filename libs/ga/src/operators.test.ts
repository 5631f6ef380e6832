import { describe, expect, it } from 'vitest';
import {
  BitFlipMutation, Genome, PaperCrossover, Rng, TruncationSelection, halfCrossover, onePointCrossover, randomGenome,
  resolveLocks, type LockedGeneInput, type OperatorContext, type ScoredGenome,
} from './index.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => i * 101 + 3);

function ctx(seed: number, length: number, locked: LockedGeneInput[] = []): OperatorContext {
  return { rng: Rng.fromSeed(seed), genomeLength: length, locks: resolveLocks(length, locked), generation: 0 };
}

function randomParents(seed: number, count: number, length: number): Genome[] {
  const c = ctx(seed ^ 0x5eed, length);
  return Array.from({ length: count }, () => randomGenome(c.locks, 0.5, c.rng));
}

describe('crossover operators', () => {
  it('one-point: genes before the cut come from A, the rest from B', () => {
    for (const seed of SEEDS) {
      const [a, b] = randomParents(seed, 2, 37);
      for (let cut = 1; cut <= 36; cut++) {
        const child = onePointCrossover(a, b, cut);
        for (let i = 0; i < 37; i++) expect(child.bits[i]).toBe(i < cut ? a.bits[i] : b.bits[i]);
      }
    }
    const [a, b] = randomParents(1, 2, 10);
    expect(() => onePointCrossover(a, b, 0)).toThrow(/cut 0 is out of range; expected an integer in 1\.\.9/);
    expect(() => onePointCrossover(a, b, 10)).toThrow(/1\.\.9/);
  });

  it('regular: first floor(L/2) genes of A, second half of B (odd and even L)', () => {
    for (const L of [2, 9, 86, 237]) {
      const [a, b] = randomParents(L, 2, L);
      const child = halfCrossover(a, b);
      expect(child.key).toBe(a.key.slice(0, Math.floor(L / 2)) + b.key.slice(Math.floor(L / 2)));
    }
  });

  it('paper crossover: n/4 rank-paired regular children, then n/4 one-point children of two distinct survivors', () => {
    for (const seed of SEEDS) {
      const n = 4 * (1 + (seed % 7));
      const L = 5 + (seed % 60);
      const parents = randomParents(seed, n / 2, L);
      const children = new PaperCrossover().breed(parents, n / 2, ctx(seed, L));
      expect(children).toHaveLength(n / 2);
      for (let k = 0; k < n / 4; k++) expect(children[k].key).toBe(halfCrossover(parents[2 * k], parents[2 * k + 1]).key);
      for (const child of children.slice(n / 4)) {
        const explained = parents.some((a, ia) => parents.some((b, ib) => ia !== ib &&
          Array.from({ length: L - 1 }, (_, c) => c + 1).some((cut) => onePointCrossover(a, b, cut).key === child.key)));
        expect(explained, `child ${child.key} (seed ${seed})`).toBe(true);
      }
    }
  });

  it('paper crossover: the one-point cut is uniform in 1..L-1', () => {
    const L = 12;
    const parents = [Genome.filled(L, 0), Genome.filled(L, 1)];
    const counts = new Array<number>(L).fill(0);
    const c = ctx(7, L);
    const draws = 2 * 11000;
    for (const child of new PaperCrossover().breed(parents, draws, c).slice(draws / 2)) {
      // child = 0^cut 1^(L-cut) or 1^cut 0^(L-cut): the cut is where the bit changes
      const cut = child.key.indexOf(child.key[0] === '0' ? '1' : '0');
      expect(cut).toBeGreaterThanOrEqual(1);
      counts[cut]++;
    }
    expect(counts[0]).toBe(0);
    const expected = draws / 2 / (L - 1); // 1000 per cut
    for (let cut = 1; cut < L; cut++) expect(Math.abs(counts[cut] - expected)).toBeLessThan(5 * Math.sqrt(expected));
  });
});

describe('truncation selection', () => {
  it('keeps exactly the top count by fitness, ties by lower index', () => {
    for (const seed of SEEDS) {
      const rng = Rng.fromSeed(seed);
      const n = 4 * rng.int(1, 25);
      const pop: ScoredGenome[] = randomParents(seed, n, 8).map((genome, index) => ({ genome, fitness: rng.int(0, 5) / 5, index }));
      const ranked = [...pop].sort((a, b) => b.fitness - a.fitness || a.index - b.index);
      const kept = new TruncationSelection().select(ranked, n / 2, ctx(seed, 8));
      expect(kept).toHaveLength(n / 2);
      const threshold = kept[kept.length - 1].fitness;
      for (const p of pop) {
        const inKept = kept.includes(p);
        if (p.fitness > threshold) expect(inKept).toBe(true);
        if (p.fitness < threshold) expect(inKept).toBe(false);
      }
      const tied = pop.filter((p) => p.fitness === threshold);
      const keptTied = kept.filter((p) => p.fitness === threshold);
      expect(keptTied).toEqual(tied.slice(0, keptTied.length));
    }
  });
});

describe('bit-flip mutation', () => {
  it('flips unlocked bits at the given rate (within 3 standard deviations over 10^5 bits), never locked ones', () => {
    const L = 250;
    const locked = [0, 1, 7, 100, 249];
    const unlocked = L - locked.length;
    for (const seed of [1, 2, 3, 4, 5]) {
      const c = ctx(seed, L, locked);
      const m = new BitFlipMutation();
      let flips = 0;
      let bits = 0;
      while (bits < 100_000) {
        const g = randomGenome(c.locks, 0.5, c.rng);
        const out = m.mutate(g, 0.04, c);
        for (const i of locked) expect(out.bits[i]).toBe(0);
        for (let i = 0; i < L; i++) if (out.bits[i] !== g.bits[i]) flips++;
        bits += unlocked;
      }
      const rate = flips / bits;
      const sd = Math.sqrt((0.04 * 0.96) / bits);
      expect(Math.abs(rate - 0.04), `seed ${seed}: rate ${rate}`).toBeLessThan(3 * sd);
    }
  });

  it('returns the same genome at rate 0 and the complement of unlocked bits at rate 1', () => {
    const c = ctx(9, 20, [{ index: 3, value: 1 }]);
    const g = randomGenome(c.locks, 0.5, c.rng);
    expect(new BitFlipMutation().mutate(g, 0, c)).toBe(g);
    const flipped = new BitFlipMutation().mutate(g, 1, c);
    for (let i = 0; i < 20; i++) expect(flipped.bits[i]).toBe(i === 3 ? 1 : 1 - g.bits[i]);
  });
});
