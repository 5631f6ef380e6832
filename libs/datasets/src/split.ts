/**
 * Deterministic stratified splits: every class is shuffled with slt's seeded source (`Rng` of
 * @slt/util, the seed's 'datasets.split' stream) and cut by the fractions, so the same seed always
 * gives the same split.
 */
import { Rng } from '@slt/util';
import { DatasetEmptyClassError, DatasetOptionError } from './errors.js';

/** Train/val/test fractions used when none are given. */
export const DEFAULT_FRACTIONS: [number, number, number] = [0.7, 0.15, 0.15];

/** Indices (into the source order) of each split. */
export interface SplitIndices {
  /** Indices of the training split. */
  train: number[];
  /** Indices of the validation split. */
  val: number[];
  /** Indices of the test split. */
  test: number[];
}

/** Checks a seed: an integer in [0, 2^32). */
export function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new DatasetOptionError('seed', seed, 'an integer in [0, 4294967295]');
  }
  return seed;
}

/** Checks fractions: three finite numbers >= 0 summing to 1 (within 1e-6), train > 0. */
export function checkFractions(fractions: unknown): [number, number, number] {
  const ok =
    Array.isArray(fractions) &&
    fractions.length === 3 &&
    fractions.every((f) => typeof f === 'number' && Number.isFinite(f) && f >= 0 && f <= 1) &&
    Math.abs(fractions[0] + fractions[1] + fractions[2] - 1) < 1e-6 &&
    fractions[0] > 0;
  if (!ok) {
    throw new DatasetOptionError(
      'fractions',
      fractions,
      '[train, val, test]: three numbers in [0, 1] summing to 1, train > 0',
    );
  }
  return fractions as [number, number, number];
}

/** The random stream of the splits for `seed` (its own purpose, independent of the GA's stream). */
function splitRng(seed: number): Rng {
  return Rng.fromSeed(seed, 'datasets.split');
}

function byClass(labels: ArrayLike<number>, classNames: string[], pool?: number[]): number[][] {
  const groups: number[][] = classNames.map(() => []);
  const indices = pool ?? Array.from({ length: labels.length }, (_, i) => i);
  for (const i of indices) groups[labels[i]!]!.push(i);
  return groups;
}

/**
 * Cuts `n` items of one class into [train, val, test] counts: each non-zero fraction gets at
 * least one item and train keeps at least one; too few items is an error naming the class.
 */
function cut(n: number, fractions: number[], className: string, where: string): number[] {
  const needVal = fractions[1]! > 0 ? 1 : 0;
  const needTest = fractions[2]! > 0 ? 1 : 0;
  const need = 1 + needVal + needTest;
  if (n < need) {
    throw new DatasetEmptyClassError(
      className,
      where,
      `has ${n} example(s); at least ${need} are needed for the train/val/test fractions [${fractions.join(', ')}]`,
    );
  }
  const nTest = Math.max(needTest, Math.round(n * fractions[2]!));
  const nVal = Math.max(needVal, Math.round(n * fractions[1]!));
  let nTrain = n - nTest - nVal;
  const over = 1 - nTrain;
  if (over > 0) nTrain = 1; // rounding ate train: take it back from val then test
  const val = over > 0 ? Math.max(needVal, nVal - over) : nVal;
  const test = n - nTrain - val;
  return [nTrain, val, test];
}

/**
 * Splits items stratified by class. `labels[i]` is item i's class (0..K-1). Every class is
 * shuffled with one PRNG in class order, cut by `fractions`, and each split is shuffled again
 * so that its order mixes classes.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  classNames: string[],
  seed: number,
  fractions: [number, number, number],
  where: string,
): SplitIndices {
  const rng = splitRng(seed);
  const out: SplitIndices = { train: [], val: [], test: [] };
  byClass(labels, classNames).forEach((group, c) => {
    if (group.length === 0) throw new DatasetEmptyClassError(classNames[c]!, where);
    rng.shuffle(group);
    const [a, b] = cut(group.length, fractions, classNames[c]!, where);
    out.train.push(...group.slice(0, a));
    out.val.push(...group.slice(a, a + b!));
    out.test.push(...group.slice(a + b!));
  });
  rng.shuffle(out.train);
  rng.shuffle(out.val);
  rng.shuffle(out.test);
  return out;
}

/**
 * Carves a stratified val split out of `pool` (indices into `labels`) with fraction
 * val / (train + val) of `fractions`; the test split is given by the source.
 */
export function carveValidation(
  labels: ArrayLike<number>,
  classNames: string[],
  pool: number[],
  seed: number,
  fractions: [number, number, number],
  where: string,
): { train: number[]; val: number[] } {
  const rng = splitRng(seed);
  const valShare = fractions[1] / (fractions[0] + fractions[1]);
  const inner = [1 - valShare, valShare, 0];
  const out = { train: [] as number[], val: [] as number[] };
  byClass(labels, classNames, pool).forEach((group, c) => {
    if (group.length === 0) throw new DatasetEmptyClassError(classNames[c]!, where, 'has no example outside the test split');
    rng.shuffle(group);
    const [a] = cut(group.length, inner, classNames[c]!, where);
    out.train.push(...group.slice(0, a));
    out.val.push(...group.slice(a));
  });
  rng.shuffle(out.train);
  rng.shuffle(out.val);
  return out;
}

/**
 * A split size limit: an integer N >= 1 (examples) or a fraction in (0, 1) of the split.
 * Returns the value, or throws naming the option and the valid range.
 */
export function checkLimit(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === 'number' && Number.isFinite(value) && ((value > 0 && value < 1) || (Number.isInteger(value) && value >= 1));
  if (!ok) throw new DatasetOptionError(option, value, 'an integer number of examples >= 1, or a fraction in (0, 1)');
  return value as number;
}

/**
 * A seeded, stratified subset of a split: `limit` examples (or that fraction of them), each class
 * keeping its share (largest remainder, at least one example of every class present). The subset
 * keeps the split's order. A limit at or above the split's size keeps it whole.
 * @param indices the split (indices into `labels`).
 * @param salt tells the splits apart, so each gets its own draw for one seed.
 */
export function limitSplit(
  indices: number[],
  labels: ArrayLike<number>,
  classNames: string[],
  limit: number,
  seed: number,
  salt: number,
  option: string,
): number[] {
  const total = indices.length;
  const groups = byClass(labels, classNames, indices).filter((g) => g.length > 0);
  const want = limit < 1 ? Math.max(groups.length, Math.round(limit * total)) : limit;
  if (want >= total) return indices;
  if (want < groups.length) {
    throw new DatasetOptionError(option, limit, `at least ${groups.length} (one example of each class in the split), or a fraction in (0, 1)`);
  }
  // Largest remainder over the classes, each at least one.
  const exact = groups.map((g) => (want * g.length) / total);
  const quota = exact.map((x, c) => Math.min(groups[c]!.length, Math.max(1, Math.floor(x))));
  let left = want - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((x, c) => [x - Math.floor(x), c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let progressed = true; left > 0 && progressed; ) {
    progressed = false;
    for (const [, c] of order) {
      if (left === 0) break;
      if (quota[c]! < groups[c]!.length) {
        quota[c]!++;
        left--;
        progressed = true;
      }
    }
  }
  while (left < 0) {
    const c = quota.indexOf(Math.max(...quota));
    quota[c]!--;
    left++;
  }
  const rng = Rng.fromSeed(seed, `datasets.limit.${salt}`);
  const keep = new Set<number>();
  groups.forEach((g, c) => {
    for (const i of rng.shuffle([...g]).slice(0, quota[c])) keep.add(i);
  });
  return indices.filter((i) => keep.has(i));
}
