/**
 * The GA's random source is slt's one seeded source (`Rng` of @slt/util: pure-rand xoroshiro128+,
 * SplitMix32-style seed expansion, four-integer state): the engine and every strategy draw from
 * `Rng.fromSeed(seed)`, the plain stream of the user's seed; other purposes derive their own.
 */
export { Rng, type RngState } from '@slt/util';
