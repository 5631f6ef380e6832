import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** Serialised generator state (xoroshiro128+ from pure-rand: four 32-bit integers). */
export type RngState = readonly [number, number, number, number];

/**
 * Seeded random source used by the engine and by every strategy: a thin wrapper over pure-rand's
 * xoroshiro128+ whose state serialises to four integers, so a restored engine continues bit for bit.
 */
export class Rng {
  private readonly gen: RandomGenerator;

  private constructor(gen: RandomGenerator) {
    this.gen = gen;
  }

  /** A generator seeded with a 32-bit integer. */
  static fromSeed(seed: number): Rng {
    return new Rng(xoroshiro128plus(seed));
  }

  /** A generator continuing from a state produced by {@link Rng.state}. */
  static fromState(state: readonly number[]): Rng {
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** Current state, to be serialised. */
  state(): RngState {
    const s = this.gen.getState();
    return [s[0], s[1], s[2], s[3]];
  }

  /** Uniform integer in `from..to` (both included). */
  int(from: number, to: number): number {
    return uniformInt(this.gen, from, to);
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** An independent copy (same state). */
  clone(): Rng {
    return new Rng(this.gen.clone());
  }
}
