import type { Genome } from '../genome.js';
import type { OperatorContext } from '../operators.js';

/** Perturbs one genome of the next generation. */
export interface MutationStrategy {
  /** Registry name, stored in the state (`bit-flip` is the paper's). */
  readonly name: string;
  /** JSON-able parameters, stored in the state and passed back to the factory on restore. */
  readonly params?: Record<string, unknown>;
  /** Returns the mutated genome (or `genome` itself if unchanged). Must keep locked genes. */
  mutate(genome: Genome, rate: number, ctx: OperatorContext): Genome;
}
