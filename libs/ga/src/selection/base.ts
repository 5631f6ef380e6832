import type { OperatorContext, ScoredGenome } from '../operators.js';

/** Chooses the survivors of a generation (the parents of the next one). */
export interface SelectionStrategy {
  /** Registry name, stored in the state (`truncation` is the paper's). */
  readonly name: string;
  /** JSON-able parameters, stored in the state and passed back to the factory on restore. */
  readonly params?: Record<string, unknown>;
  /**
   * Returns exactly `count` survivors, best first. `ranked` is the whole evaluated population
   * sorted by fitness descending, ties by population index ascending.
   */
  select(ranked: readonly ScoredGenome[], count: number, ctx: OperatorContext): ScoredGenome[];
}
