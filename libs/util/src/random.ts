/**
 * The one seeded random source of slt: pure-rand's xoroshiro128+, its 128-bit state expanded from
 * a 32-bit seed with SplitMix32-style hashing (xoroshiro128+ seeded directly from nearby small
 * seeds gives correlated first outputs), serialisable to four integers so a restored user
 * continues bit for bit. Each purpose (the GA, a data set split, training batch order) derives
 * its own stream from the user's seed with {@link deriveSeed}, so the streams are independent
 * even though they share one seed.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { UtilArgumentError } from './errors.js';

/** Serialised generator state (xoroshiro128+ from pure-rand: four 32-bit integers). */
export type RngState = readonly [number, number, number, number];

/** murmur3's 32-bit finaliser: every input bit flips each output bit with probability ~1/2. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * The seed of `purpose`'s stream for the user's `seed`: FNV-1a of the purpose's UTF-16 code units
 * folded into the seed, then avalanched. Integer-exact (the same on every machine).
 */
export function deriveSeed(seed: number, purpose: string): number {
  if (!Number.isFinite(seed)) throw new UtilArgumentError('seed', seed, 'a finite number');
  let h = 0x811c9dc5 ^ fmix32(seed >>> 0);
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193);
  return fmix32(h) >>> 0;
}

/** A seeded random source (see the module's note). */
export class Rng {
  private readonly gen: RandomGenerator;

  private constructor(gen: RandomGenerator) {
    this.gen = gen;
  }

  /**
   * A generator seeded with a 32-bit integer; with `purpose`, the stream of that purpose
   * (`Rng.fromSeed(deriveSeed(seed, purpose))`).
   */
  static fromSeed(seed: number, purpose?: string): Rng {
    let x = (purpose === undefined ? seed : deriveSeed(seed, purpose)) >>> 0;
    const state: number[] = [];
    for (let k = 0; k < 4; k++) {
      x = (x + 0x9e3779b9) | 0;
      state.push(fmix32(x));
    }
    if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1; // the all-zero state is a fixed point
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** A generator continuing from a state produced by {@link Rng.state}. */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || !state.every((v) => Number.isInteger(v))) throw new UtilArgumentError('state', `[${state.join(', ')}]`, 'four 32-bit integers');
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** Current state, to be serialised. */
  state(): RngState {
    const s = this.gen.getState();
    return [s[0]!, s[1]!, s[2]!, s[3]!];
  }

  /** Uniform integer in `from..to` (both included). */
  int(from: number, to: number): number {
    return uniformInt(this.gen, from, to);
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /**
   * True with probability `p` (resolution 2^-32): one raw 32-bit draw compared with p * 2^32.
   * Integer-exact, so identical on every machine, and ~10x cheaper than a float draw.
   */
  chance(p: number): boolean {
    return this.gen.next() >>> 0 < p * 4294967296;
  }

  /** Fisher-Yates shuffle of `items` in place; returns `items`. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** An independent copy (same state). */
  clone(): Rng {
    return new Rng(this.gen.clone());
  }
}
