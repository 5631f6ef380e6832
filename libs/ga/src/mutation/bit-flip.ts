import { Genome } from '../genome.js';
import type { OperatorContext } from '../operators.js';
import type { MutationStrategy } from './base.js';

/**
 * The paper's mutation: every unlocked gene flips independently with probability `rate`
 * (one `rng.chance(rate)` draw per unlocked gene, in ascending gene order).
 */
export class BitFlipMutation implements MutationStrategy {
  readonly name = 'bit-flip';
  mutate(genome: Genome, rate: number, ctx: OperatorContext): Genome {
    const unlocked = ctx.locks.unlocked;
    let bits: Uint8Array | undefined;
    for (let k = 0; k < unlocked.length; k++) {
      if (ctx.rng.chance(rate)) {
        bits ??= genome.toUint8Array();
        const i = unlocked[k];
        bits[i] ^= 1;
      }
    }
    return bits === undefined ? genome : Genome.fromBits(bits);
  }
}
