import type { OperatorContext, ScoredGenome } from '../operators.js';
import type { SelectionStrategy } from './base.js';

/** The paper's selection: keep the top `count` by fitness (ties by the tie rule: `compareRanked`). */
export class TruncationSelection implements SelectionStrategy {
  readonly name = 'truncation';
  select(ranked: readonly ScoredGenome[], count: number, _ctx: OperatorContext): ScoredGenome[] {
    return ranked.slice(0, count);
  }
}
