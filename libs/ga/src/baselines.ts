import { GaOptionsError } from './errors.js';
import { Genome } from './genome.js';
import { resolveLocks, type LockedGeneInput } from './locks.js';
import { Rng } from './rng.js';

/** Options of {@link baselineMasks}. */
export interface BaselineOptions {
  /** How many random masks, an integer in 0..10000 (default 3). */
  randomCount?: number;
  /**
   * Trainable genes in each random mask (locked-at-1 genes included), an integer from the
   * number of genes locked at 1 up to that plus the unlocked genes (default: the heuristic's count).
   */
  trainableCount?: number;
  /** PRNG seed for the random masks, an integer in 0..4294967295 (default 0). */
  seed?: number;
  /** Genes held fixed, as in the engine's `lockedGenes` option. */
  lockedGenes?: readonly LockedGeneInput[];
}

/** Kind of a baseline mask. */
export type BaselineKind = 'freeze-all' | 'train-all' | 'heuristic' | 'random';

/** One baseline mask. */
export interface BaselineMask {
  /** `freeze-all`, `train-all`, `heuristic`, or `random-1`, `random-2`, ... */
  readonly name: string;
  readonly kind: BaselineKind;
  readonly genome: Genome;
}

/**
 * The runner's baselines over L genes: freeze-all (only the head trains), train-all (classic
 * fine-tuning), heuristic (the last half of the unlocked genes trainable) and `randomCount`
 * random masks with exactly `trainableCount` trainable genes. Locked genes keep their value.
 */
export function baselineMasks(length: number, options: BaselineOptions = {}): BaselineMask[] {
  if (!Number.isInteger(length) || length < 1 || length > 1_000_000) {
    throw new GaOptionsError('length', length, 'an integer in 1..1000000 (genes of the mask)');
  }
  const locks = resolveLocks(length, options.lockedGenes);
  const base = Uint8Array.from(locks.values);
  const lockedOnes = locks.list.filter((l) => l.value === 1).length;
  const free = locks.unlocked;
  const make = (indices: ArrayLike<number>): Genome => {
    const bits = base.slice();
    for (let k = 0; k < indices.length; k++) bits[indices[k]] = 1;
    return Genome.fromBits(bits);
  };
  const heuristic = make(free.slice(Math.floor(free.length / 2)));
  const randomCount = options.randomCount ?? 3;
  if (!Number.isInteger(randomCount) || randomCount < 0 || randomCount > 10_000) {
    throw new GaOptionsError('randomCount', randomCount, 'an integer in 0..10000');
  }
  const trainableCount = options.trainableCount ?? heuristic.trainableCount;
  if (!Number.isInteger(trainableCount) || trainableCount < lockedOnes || trainableCount > lockedOnes + free.length) {
    throw new GaOptionsError('trainableCount', trainableCount, `an integer in ${lockedOnes}..${lockedOnes + free.length} (genes locked at 1 plus unlocked genes)`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new GaOptionsError('seed', seed, 'an integer in 0..4294967295');
  const out: BaselineMask[] = [
    { name: 'freeze-all', kind: 'freeze-all', genome: make([]) },
    { name: 'train-all', kind: 'train-all', genome: make(free) },
    { name: 'heuristic', kind: 'heuristic', genome: heuristic },
  ];
  const rng = Rng.fromSeed(seed);
  const pick = trainableCount - lockedOnes;
  for (let r = 0; r < randomCount; r++) {
    // partial Fisher-Yates: the first `pick` slots become a uniform sample of the unlocked genes
    const pool = Int32Array.from(free);
    for (let k = 0; k < pick; k++) {
      const j = rng.int(k, pool.length - 1);
      const t = pool[k];
      pool[k] = pool[j];
      pool[j] = t;
    }
    out.push({ name: `random-${r + 1}`, kind: 'random', genome: make(pool.subarray(0, pick)) });
  }
  return out;
}
