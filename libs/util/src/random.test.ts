import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from './index.js';

describe('Rng', () => {
  it('expands a seed as the GA always has (the GA stream of seed 7, pinned)', () => {
    const rng = Rng.fromSeed(7);
    expect(rng.state()).toEqual([588686121, 1937383562, -8154829, -1922750130]);
    expect(rng.int(0, 1000)).toBe(123);
    expect(rng.float()).toBe(0.1546736663692746);
  });

  it('derives one independent, reproducible stream per purpose', () => {
    expect(deriveSeed(7, 'datasets.split')).toBe(2445717383);
    expect(deriveSeed(7, 'models.batches')).not.toBe(deriveSeed(7, 'datasets.split'));
    expect(deriveSeed(8, 'datasets.split')).not.toBe(deriveSeed(7, 'datasets.split'));
    const split = Rng.fromSeed(7, 'datasets.split');
    expect(split.state()).toEqual(Rng.fromSeed(deriveSeed(7, 'datasets.split')).state());
    expect(split.state()).not.toEqual(Rng.fromSeed(7).state());
    expect(Array.from(split.permutation(8))).toEqual([4, 1, 3, 7, 0, 6, 2, 5]);
    expect(() => deriveSeed(Number.NaN, 'x')).toThrow(/seed: expected a finite number, got NaN/);
  });

  it('continues bit for bit from a saved state, and shuffles as it permutes', () => {
    const a = Rng.fromSeed(3, 'test');
    a.int(0, 9);
    const b = Rng.fromState(a.state());
    expect(Array.from({ length: 5 }, () => a.float())).toEqual(Array.from({ length: 5 }, () => b.float()));
    const p = Array.from(a.clone().permutation(6));
    expect(a.shuffle([0, 1, 2, 3, 4, 5])).toEqual(p);
    expect([...p].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => Rng.fromState([1, 2])).toThrow(/state: expected four 32-bit integers/);
  });
});
