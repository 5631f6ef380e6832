import { GaOptionsError } from '../errors.js';
import { rankScored } from '../ranking.js';
import type { OperatorContext, ScoredGenome } from '../operators.js';
import type { SelectionStrategy } from './base.js';

/** Options of {@link TournamentSelection}. */
export interface TournamentSelectionOptions {
  /** Contestants per tournament, an integer >= 2 (default 2). */
  size?: number;
}

/**
 * Beyond the paper: `count` distinct survivors, each the best of `size` contestants drawn
 * uniformly (without replacement) from the not-yet-chosen genomes.
 */
export class TournamentSelection implements SelectionStrategy {
  readonly name = 'tournament';
  readonly params: { size: number };
  constructor(options: TournamentSelectionOptions = {}) {
    const size = options.size ?? 2;
    if (!Number.isInteger(size) || size < 2) throw new GaOptionsError('selection.size', size, 'an integer >= 2');
    this.params = { size };
  }
  select(ranked: readonly ScoredGenome[], count: number, ctx: OperatorContext): ScoredGenome[] {
    const pool = ranked.slice(); // best first: the lowest position wins a tournament
    const out: ScoredGenome[] = [];
    while (out.length < count) {
      const k = Math.min(this.params.size, pool.length);
      let winner = pool.length;
      const seen = new Set<number>();
      while (seen.size < k) {
        const pos = ctx.rng.int(0, pool.length - 1);
        if (seen.has(pos)) continue;
        seen.add(pos);
        if (pos < winner) winner = pos;
      }
      out.push(pool[winner]);
      pool.splice(winner, 1);
    }
    return out.sort(rankScored);
  }
}
