import type { LockedGene } from './locks.js';
import type { StrategySpec } from './operators.js';
import type { ResolvedGaOptions } from './options.js';
import type { Fitness, FitnessSource, GenerationStats } from './types.js';

/** The `format` tag of a serialised engine state. */
export const GA_STATE_FORMAT = 'slt.ga-state';
/** The version of the state layout written by this library. */
export const GA_STATE_VERSION = 1;

/** The whole engine state as plain JSON data (what `toJSON()` returns and `restoreGa()` takes). */
export interface GaState {
  /** Always {@link GA_STATE_FORMAT}. */
  readonly format: typeof GA_STATE_FORMAT;
  /** Always {@link GA_STATE_VERSION}. */
  readonly version: typeof GA_STATE_VERSION;
  /** Resolved options, locks and strategy names/params. */
  readonly options: ResolvedGaOptions & {
    readonly lockedGenes: readonly LockedGene[];
    readonly selection: StrategySpec;
    readonly crossover: StrategySpec;
    readonly mutation: StrategySpec;
  };
  /** PRNG state (xoroshiro128+, four 32-bit integers). */
  readonly rng: readonly number[];
  /** Current generation. */
  readonly generation: number;
  /** Whether the last generation has finished. */
  readonly done: boolean;
  /** Whether generation:started was already emitted for the current generation. */
  readonly announced: boolean;
  /** Current population: key, plus where its fitness came from once known. */
  readonly members: readonly { readonly key: string; readonly source?: FitnessSource | 'failed'; readonly error?: string }[];
  /** Every evaluated genome of the search with its fitness and where it was evaluated, in that order. */
  readonly cache: readonly { readonly key: string; readonly fitness: Fitness; readonly generation: number; readonly index: number }[];
  /** Statistics of the finished generations. */
  readonly history: readonly GenerationStats[];
  /** Best genome so far, if any was told. */
  readonly best?: { readonly key: string; readonly fitness: Fitness; readonly generation: number; readonly index: number };
  /** Genomes evaluated by the caller so far. */
  readonly evaluations: number;
  /** Cache hits so far. */
  readonly cacheHits: number;
  /** Evaluations told as failed so far (absent in states written before failures existed: 0). */
  readonly failures?: number;
}
