// Helpers shared by this lib's tests (not exported from index.ts).
import type { GaEngine } from './engine.js';
import type { Genome } from './genome.js';
import { Rng } from './rng.js';
import type { Fitness, GenomeRequest } from './types.js';

/** FNV-1a hash of a string, 32-bit unsigned. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic pseudo-fitness of a genome: its own hash mapped to [0, 1). */
export function hashFitness(genome: Genome, salt = 0): Fitness {
  return { value: Rng.fromSeed(fnv1a(genome.key) ^ salt).float() };
}

export interface DriveOptions {
  /** Outstanding requests at most (simulated workers). */
  parallel?: number;
  /** Seed of the order in which outstanding requests are told; default: ask order. */
  shuffleSeed?: number;
  /** Stop after this many tells (to interrupt a run); default: run to the end. */
  maxTells?: number;
}

/**
 * Drives an engine like a runner with `parallel` workers: keeps up to `parallel` requests
 * outstanding and tells them in a (seeded) random order. Returns every request asked.
 */
export function drive(ga: GaEngine, fitness: (g: Genome) => Fitness, options: DriveOptions = {}): GenomeRequest[] {
  const parallel = options.parallel ?? 1;
  const order = options.shuffleSeed === undefined ? undefined : Rng.fromSeed(options.shuffleSeed);
  const open: GenomeRequest[] = [];
  const asked: GenomeRequest[] = [];
  let tells = 0;
  for (;;) {
    if (tells >= (options.maxTells ?? Infinity)) break;
    while (open.length < parallel) {
      const r = ga.ask();
      if (r === null) break;
      open.push(r);
      asked.push(r);
    }
    if (open.length === 0) break;
    const k = order ? order.int(0, open.length - 1) : 0;
    const [r] = open.splice(k, 1);
    ga.tell(r.id, fitness(r.genome));
    tells++;
  }
  if (options.maxTells === undefined && !ga.done) throw new Error('drive(): engine stalled before done');
  return asked;
}
