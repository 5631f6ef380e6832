import type { Genome } from '../genome.js';
import type { OperatorContext } from '../operators.js';
import type { CrossoverStrategy } from './base.js';
import { halfCrossover, onePointCrossover } from './operators.js';

/**
 * The paper's crossover. Of `count` children, the first floor(count/2) come from regular
 * crossover of parents paired by rank ((1st, 2nd), (3rd, 4th), ...; the pairs wrap around when
 * there are more children than pairs); the rest from one-point crossover of two distinct parents
 * drawn uniformly among the survivors, with the cut uniform in 1..L-1.
 * Random draws per one-point child, in order: parent A, parent B, cut.
 */
export class PaperCrossover implements CrossoverStrategy {
  readonly name = 'paper';
  breed(parents: readonly Genome[], count: number, ctx: OperatorContext): Genome[] {
    const out: Genome[] = [];
    const regular = Math.floor(count / 2);
    const pairs = Math.max(1, Math.floor(parents.length / 2));
    for (let k = 0; k < regular; k++) {
      const p = k % pairs;
      const a = parents[2 * p];
      const b = parents[Math.min(2 * p + 1, parents.length - 1)];
      out.push(halfCrossover(a, b));
    }
    const last = parents.length - 1;
    for (let k = regular; k < count; k++) {
      const ia = ctx.rng.int(0, last);
      let ib = last > 0 ? ctx.rng.int(0, last - 1) : 0;
      if (last > 0 && ib >= ia) ib++; // distinct from ia
      const cut = ctx.rng.int(1, ctx.genomeLength - 1);
      out.push(onePointCrossover(parents[ia], parents[ib], cut));
    }
    return out;
  }
}
