import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDataset } from './load.js';
import { checkLimit, limitSplit } from './split.js';
import { FASHION_900 } from './testing/fixtures.js';

const counts = (idx: number[], labels: number[], k: number) => {
  const c = new Array<number>(k).fill(0);
  for (const i of idx) c[labels[i]!]!++;
  return c;
};

describe('limitSplit: a seeded, stratified subset', () => {
  // 3 classes of 60 / 30 / 10 examples, in a shuffled order.
  const labels = [...Array(60).fill(0), ...Array(30).fill(1), ...Array(10).fill(2)] as number[];
  const split = labels.map((_, i) => (i * 37) % 100);
  const names = ['a', 'b', 'c'];

  it('keeps each class its share, the split order, and is the same for the same seed', () => {
    const sub = limitSplit(split, labels, names, 20, 7, 0, 'trainLimit');
    expect(sub).toHaveLength(20);
    expect(counts(sub, labels, 3)).toEqual([12, 6, 2]);
    const pos = sub.map((i) => split.indexOf(i));
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    expect(limitSplit(split, labels, names, 20, 7, 0, 'trainLimit')).toEqual(sub);
    expect(limitSplit(split, labels, names, 20, 8, 0, 'trainLimit')).not.toEqual(sub);
    expect(limitSplit(split, labels, names, 20, 7, 1, 'trainLimit')).not.toEqual(sub);
  });

  it('fractions, small limits (one per class at least), and limits at or above the size', () => {
    expect(counts(limitSplit(split, labels, names, 0.5, 1, 0, 'trainLimit'), labels, 3)).toEqual([30, 15, 5]);
    expect(counts(limitSplit(split, labels, names, 4, 1, 0, 'trainLimit'), labels, 3)).toEqual([2, 1, 1]);
    expect(counts(limitSplit(split, labels, names, 0.01, 1, 0, 'trainLimit'), labels, 3)).toEqual([1, 1, 1]);
    expect(limitSplit(split, labels, names, 100, 1, 0, 'trainLimit')).toBe(split);
    expect(limitSplit(split, labels, names, 5000, 1, 0, 'trainLimit')).toBe(split);
    expect(() => limitSplit(split, labels, names, 2, 1, 0, 'valLimit')).toThrow(
      'option valLimit: got 2, expected at least 3 (one example of each class in the split), or a fraction in (0, 1)',
    );
  });

  it('checkLimit names the option and the valid range', () => {
    expect(checkLimit('trainLimit', 0.25)).toBe(0.25);
    expect(checkLimit('trainLimit', undefined)).toBeUndefined();
    for (const bad of [0, -3, 1.5, Number.NaN, '10', Number.POSITIVE_INFINITY]) {
      expect(() => checkLimit('trainLimit', bad)).toThrow(/^option trainLimit: got .+, expected an integer number of examples >= 1, or a fraction in \(0, 1\)$/);
    }
  });
});

describe('loadDataset with trainLimit / valLimit / testLimit', () => {
  it('subsets train only; val and test are those of the whole split', async () => {
    const whole = await loadDataset({ path: FASHION_900, seed: 3 });
    const part = await loadDataset({ path: FASHION_900, seed: 3, trainLimit: 100 });
    expect(part.train.shape[0]).toBe(100);
    expect(part.counts.train).toEqual(new Array(10).fill(10));
    expect(part.split.items.val).toEqual(whole.split.items.val);
    expect(part.split.items.test).toEqual(whole.split.items.test);
    expect(part.val.images).toEqual(whole.val.images);
    expect(part.split.items.train.every((id) => whole.split.items.train.includes(id))).toBe(true);
    expect(part.split.limits).toEqual({ train: 100 });
    expect(part.split.available).toEqual({ train: whole.train.shape[0], val: whole.val.shape[0], test: whole.test.shape[0] });
    // Each kept row is the image of the record its id names (same pixels as in the whole load).
    const at = whole.split.items.train.indexOf(part.split.items.train[0]!);
    const per = 28 * 28;
    expect(part.train.images.subarray(0, per)).toEqual(whole.train.images.subarray(at * per, (at + 1) * per));
    const both = await loadDataset({ path: FASHION_900, seed: 3, trainLimit: 0.5, valLimit: 20, testLimit: 0.2 });
    expect([both.train.shape[0], both.val.shape[0], both.test.shape[0]]).toEqual([Math.round(0.5 * whole.train.shape[0]), 20, Math.round(0.2 * whole.test.shape[0])]);
    await expect(loadDataset({ path: FASHION_900, seed: 3, trainLimit: 5 })).rejects.toThrow(/option trainLimit: got 5, expected at least 10/);
    await expect(loadDataset({ path: FASHION_900, seed: 3, testLimit: 1.5 })).rejects.toThrow(/option testLimit: got 1.5/);
  });

  const DEBIAN = '/usr/share/datasets/fashion-mnist';
  const have = existsSync(`${DEBIAN}/train-images-idx3-ubyte.gz`);
  if (!have) console.warn(`limit.test: ${DEBIAN} not found (apt-get install dataset-fashion-mnist): skipping the full Fashion-MNIST test`);
  it.skipIf(!have)('the full Debian Fashion-MNIST (60,000 + 10,000, .gz IDX): a 2,000-image stratified train subset', async () => {
    const ds = await loadDataset({ path: DEBIAN, seed: 1, imageSize: [32, 32], trainLimit: 2000, valLimit: 500, testLimit: 1000 });
    expect(ds.kind).toBe('idx');
    expect(ds.split.testSource).toBe('t10k-images-idx3-ubyte.gz');
    expect(ds.split.available!.test).toBe(10_000);
    expect(ds.split.available!.train + ds.split.available!.val).toBe(60_000);
    expect(ds.train.shape).toEqual([2000, 32, 32, 1]);
    expect(ds.counts.train).toEqual(new Array(10).fill(200));
    expect(ds.counts.val).toEqual(new Array(10).fill(50));
    expect(ds.counts.test).toEqual(new Array(10).fill(100));
    expect(ds.split.items.test.every((id) => id.startsWith('t10k-images-idx3-ubyte.gz#'))).toBe(true);
    expect(ds.split.items.train.every((id) => id.startsWith('train-images-idx3-ubyte.gz#'))).toBe(true);
  });
});
