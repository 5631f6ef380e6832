import { Genome } from '../genome.js';
import { GaError } from '../errors.js';

/** Child = genes 0..cut-1 of `a`, then genes cut..L-1 of `b` (cut in 1..L-1). */
export function onePointCrossover(a: Genome, b: Genome, cut: number): Genome {
  if (a.length !== b.length) throw new GaError(`Crossover parents differ in length: ${a.length} and ${b.length}`);
  if (!Number.isInteger(cut) || cut < 1 || cut > a.length - 1) {
    throw new GaError(`Crossover cut ${cut} is out of range; expected an integer in 1..${a.length - 1}`);
  }
  return Genome.fromString(a.key.slice(0, cut) + b.key.slice(cut));
}

/** The paper's regular crossover: first half of `a` (floor(L/2) genes), second half of `b`. */
export function halfCrossover(a: Genome, b: Genome): Genome {
  return onePointCrossover(a, b, Math.floor(a.length / 2));
}
