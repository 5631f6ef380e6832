import type { Bit } from './genome.js';
import { Genome } from './genome.js';
import { GaOptionsError, GenomeError, describe } from './errors.js';

/** A gene held at a fixed value for the whole search (e.g. a layer without weights). */
export interface LockedGene {
  /** Gene index, 0..genomeLength-1. */
  readonly index: number;
  /** The value the gene always has (default 0 = frozen). */
  readonly value: Bit;
}

/** A locked gene given as its index alone (held at 0) or as `{ index, value }`. */
export type LockedGeneInput = number | { readonly index: number; readonly value?: Bit };

/** Resolved locks over one genome length, shared by the engine and the operators. */
export interface GeneLocks {
  /** Genome length L. */
  readonly length: number;
  /** 1 where the gene is locked. */
  readonly locked: Uint8Array;
  /** The fixed value at locked positions (0 elsewhere). */
  readonly values: Uint8Array;
  /** Indices of the unlocked genes, ascending. */
  readonly unlocked: Int32Array;
  /** The locks as a sorted list. */
  readonly list: readonly LockedGene[];
}

/** Validates and resolves the `lockedGenes` option. `option` names it in errors. */
export function resolveLocks(length: number, input: readonly LockedGeneInput[] | undefined, option = 'lockedGenes'): GeneLocks {
  const locked = new Uint8Array(length);
  const values = new Uint8Array(length);
  if (input !== undefined && !Array.isArray(input)) {
    throw new GaOptionsError(option, input, 'an array of gene indices or { index, value } objects');
  }
  for (let k = 0; k < (input?.length ?? 0); k++) {
    const item = input![k];
    const index = typeof item === 'number' ? item : item?.index;
    const value = typeof item === 'number' ? 0 : (item?.value ?? 0);
    if (!Number.isInteger(index) || index < 0 || index >= length) {
      throw new GaOptionsError(`${option}[${k}]`, item, `a gene index, an integer in 0..${length - 1} (genomeLength ${length})`);
    }
    if (value !== 0 && value !== 1) throw new GaOptionsError(`${option}[${k}].value`, value, '0 or 1');
    if (locked[index] === 1) throw new GaOptionsError(`${option}[${k}]`, item, `a gene not already locked (index ${index} appears twice)`);
    locked[index] = 1;
    values[index] = value;
  }
  const unlocked: number[] = [];
  const list: LockedGene[] = [];
  for (let i = 0; i < length; i++) {
    if (locked[i] === 1) list.push({ index: i, value: values[i] as Bit });
    else unlocked.push(i);
  }
  return { length, locked, values, unlocked: Int32Array.from(unlocked), list };
}

/** Index of the first locked gene that `genome` breaks, or -1. */
export function lockViolation(genome: Genome, locks: GeneLocks): number {
  for (const { index, value } of locks.list) if (genome.bits[index] !== value) return index;
  return -1;
}

/** Parses a genome given as a string or Genome and checks its length and locks. */
export function checkGenome(input: unknown, locks: GeneLocks, what: string): Genome {
  let genome: Genome;
  if (input instanceof Genome) genome = input;
  else if (typeof input === 'string') {
    try {
      genome = Genome.fromString(input);
    } catch (e) {
      throw new GenomeError(`${what}: ${(e as Error).message}`, input, (e as GenomeError).position, { cause: e });
    }
  } else throw new GenomeError(`${what} must be a '0'/'1' string or a Genome, got ${describe(input)}`, String(input));
  if (genome.length !== locks.length) {
    throw new GenomeError(`${what} has ${genome.length} genes; expected genomeLength ${locks.length}`, genome.key);
  }
  const bad = lockViolation(genome, locks);
  if (bad >= 0) {
    throw new GenomeError(`${what} has ${genome.bits[bad]} at locked gene ${bad}; that gene is locked to ${locks.values[bad]}`, genome.key, bad);
  }
  return genome;
}
