import { Genome } from '../genome.js';
import type { OperatorContext } from '../operators.js';
import type { CrossoverStrategy } from './base.js';

/**
 * Beyond the paper: each child takes every gene from one of two distinct random parents with
 * probability 1/2 each.
 */
export class UniformCrossover implements CrossoverStrategy {
  readonly name = 'uniform';
  breed(parents: readonly Genome[], count: number, ctx: OperatorContext): Genome[] {
    const out: Genome[] = [];
    const last = parents.length - 1;
    for (let k = 0; k < count; k++) {
      const ia = ctx.rng.int(0, last);
      let ib = last > 0 ? ctx.rng.int(0, last - 1) : 0;
      if (last > 0 && ib >= ia) ib++;
      const a = parents[ia].bits;
      const b = parents[ib].bits;
      const bits = new Uint8Array(a.length);
      for (let i = 0; i < bits.length; i++) bits[i] = ctx.rng.chance(0.5) ? a[i] : b[i];
      out.push(Genome.fromBits(bits));
    }
    return out;
  }
}
