import { Rng } from '@slt/util';
import { describe, expect, it } from 'vitest';
import { DatasetEmptyClassError, DatasetOptionError } from './errors.js';
import { carveValidation, checkFractions, checkSeed, stratifiedSplit } from './split.js';

const names = ['a', 'b', 'c'];
// 30 of class a, 20 of b, 10 of c, interleaved.
const labels = Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : i < 50 ? 1 : 2)).reverse();

describe('stratifiedSplit', () => {
  it('covers every item once, per class in proportion, and is reproducible from the seed', () => {
    const s = stratifiedSplit(labels, names, 7, [0.6, 0.2, 0.2], 'x');
    const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
    for (const [c, n] of [
      [0, 30],
      [1, 20],
      [2, 10],
    ] as const) {
      const count = (l: number[]) => l.filter((i) => labels[i] === c).length;
      expect(count(s.test)).toBe(Math.round(n * 0.2));
      expect(count(s.val)).toBe(Math.round(n * 0.2));
      expect(count(s.train)).toBe(n - 2 * Math.round(n * 0.2));
    }
    expect(stratifiedSplit(labels, names, 7, [0.6, 0.2, 0.2], 'x')).toEqual(s);
    const other = stratifiedSplit(labels, names, 8, [0.6, 0.2, 0.2], 'x');
    expect(other.test).not.toEqual(s.test);
    // the train split's order mixes classes (not sorted by class)
    const firstTen = s.train.slice(0, 10).map((i) => labels[i]);
    expect(new Set(firstTen).size).toBeGreaterThan(1);
  });

  it("draws from the seed's own 'datasets.split' stream of @slt/util, not the GA's stream", () => {
    const one = ['a'];
    const items = Array.from({ length: 20 }, () => 0);
    const s = stratifiedSplit(items, one, 7, [1, 0, 0], 'x');
    const first = Rng.fromSeed(7, 'datasets.split');
    const expected = first.shuffle(items.map((_, i) => i));
    expect(s.train).toEqual(first.shuffle(expected)); // the class shuffle, then the train shuffle
    const ga = Rng.fromSeed(7);
    const gaOrder = ga.shuffle(items.map((_, i) => i));
    expect(s.train).not.toEqual(ga.shuffle(gaOrder));
  });

  it('gives every non-zero fraction at least one item and names a class too small', () => {
    const tiny = [0, 0, 0, 1, 1, 1];
    const s = stratifiedSplit(tiny, ['x', 'y'], 1, [0.9, 0.05, 0.05], 'here');
    expect(s.val.length).toBe(2);
    expect(s.test.length).toBe(2);
    expect(() => stratifiedSplit([0, 0, 0, 1], ['x', 'y'], 1, [0.8, 0.1, 0.1], 'here')).toThrow(
      /class "y" \(here\) has 1 example/,
    );
    expect(() => stratifiedSplit([0, 0, 0], ['x', 'y'], 1, [0.8, 0.1, 0.1], 'here')).toThrow(DatasetEmptyClassError);
  });

  it('carves val from a pool and leaves the rest untouched', () => {
    const pool = labels.map((_, i) => i).filter((i) => i % 3 !== 0);
    const s = carveValidation(labels, names, pool, 3, [0.7, 0.15, 0.15], 'x');
    expect([...s.train, ...s.val].sort((a, b) => a - b)).toEqual(pool);
    const share = 0.15 / 0.85;
    const inA = pool.filter((i) => labels[i] === 0).length;
    expect(s.val.filter((i) => labels[i] === 0).length).toBe(Math.round(inA * share));
  });
});

describe('option checks', () => {
  it('rejects bad seeds and fractions, naming the option and the valid range', () => {
    expect(() => checkSeed(-1)).toThrow(/option seed: got -1, expected an integer in \[0, 4294967295\]/);
    expect(() => checkSeed(1.5)).toThrow(DatasetOptionError);
    expect(() => checkFractions([0.5, 0.5])).toThrow(/option fractions/);
    expect(() => checkFractions([0.5, 0.3, 0.3])).toThrow(/summing to 1/);
    expect(checkFractions([0.8, 0.2, 0])).toEqual([0.8, 0.2, 0]);
  });
});
