import type { GeneLocks } from './locks.js';
import type { Genome } from './genome.js';
import type { Rng } from './rng.js';

/** What every strategy is given besides its inputs. */
export interface OperatorContext {
  /** The engine's seeded random source: the only randomness a strategy may use. */
  readonly rng: Rng;
  /** Genome length L. */
  readonly genomeLength: number;
  /** Locked genes (already correct in every input genome; operators must keep them). */
  readonly locks: GeneLocks;
  /** The generation being bred (the one just evaluated). */
  readonly generation: number;
}

/** A genome of the evaluated population with its fitness and its index in that population. */
export interface ScoredGenome {
  readonly genome: Genome;
  /** Fitness value (maximised). */
  readonly fitness: number;
  /** Index in the evaluated population. */
  readonly index: number;
  /** Tie-breaker cost (lower first; see `compareRanked`). */
  readonly cost?: number;
  /** Generation where the fitness was first evaluated (a cache hit: an earlier one). */
  readonly generation?: number;
  /** The evaluation failed: ranked after every genome with a fitness. */
  readonly failed?: boolean;
}

/** JSON-able description of a strategy, stored in the engine state. */
export interface StrategySpec {
  readonly name: string;
  readonly params?: Record<string, unknown>;
}
