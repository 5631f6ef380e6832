import type { Genome } from '../genome.js';
import type { OperatorContext } from '../operators.js';

/** Makes the children of a generation from its survivors. */
export interface CrossoverStrategy {
  /** Registry name, stored in the state (`paper` is the paper's). */
  readonly name: string;
  /** JSON-able parameters, stored in the state and passed back to the factory on restore. */
  readonly params?: Record<string, unknown>;
  /** Returns exactly `count` children. `parents` are the survivors, best first. */
  breed(parents: readonly Genome[], count: number, ctx: OperatorContext): Genome[];
}
