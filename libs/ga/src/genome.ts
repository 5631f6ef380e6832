import { GenomeError } from './errors.js';

/** One bit of a genome: 1 = the layer is trainable, 0 = frozen. */
export type Bit = 0 | 1;

/**
 * An immutable bit mask over L genes (bit i = layer i of the backbone in keras.applications
 * order; 1 = trainable). Its `key` is the '0'/'1' string that crosses lib boundaries.
 */
export class Genome {
  /** The genes, frozen. */
  readonly bits: readonly Bit[];
  /** The '0'/'1' string of the genes (cache key, journal form). */
  readonly key: string;
  /** Number of set bits (trainable layers). */
  readonly trainableCount: number;

  private constructor(bits: readonly Bit[], key: string, trainableCount: number) {
    this.bits = bits;
    this.key = key;
    this.trainableCount = trainableCount;
    Object.freeze(this);
  }

  /** Number of genes L. */
  get length(): number {
    return this.bits.length;
  }

  /** Parses a '0'/'1' string (at least one character). */
  static fromString(text: string): Genome {
    if (typeof text !== 'string') throw new GenomeError(`A genome must be a string of '0' and '1', got ${typeof text}`, String(text));
    if (text.length === 0) throw new GenomeError(`A genome string must have at least one gene, got ""`, text);
    const bits: Bit[] = new Array(text.length);
    let count = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 49) {
        bits[i] = 1;
        count++;
      } else if (c === 48) bits[i] = 0;
      else throw new GenomeError(`Genome string has ${JSON.stringify(text[i])} at position ${i}; only '0' and '1' are allowed`, text, i);
    }
    return new Genome(Object.freeze(bits), text, count);
  }

  /** Builds a genome from any array-like of 0/1 (copied). */
  static fromBits(bits: ArrayLike<number>): Genome {
    const n = bits.length;
    if (n === 0) throw new GenomeError('A genome must have at least one gene, got an empty array', '');
    const out: Bit[] = new Array(n);
    const codes = new Array<number>(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const b = bits[i];
      if (b !== 0 && b !== 1) {
        throw new GenomeError(`Genome bit ${i} is ${String(b)}; only 0 and 1 are allowed`, Array.from(bits).join(','), i);
      }
      out[i] = b;
      count += b;
      codes[i] = 48 + b;
    }
    let key = '';
    for (let i = 0; i < n; i += 8192) key += String.fromCharCode(...codes.slice(i, i + 8192));
    return new Genome(Object.freeze(out), key, count);
  }

  /** A genome of `length` genes all equal to `bit`. */
  static filled(length: number, bit: Bit): Genome {
    return Genome.fromString((bit === 1 ? '1' : '0').repeat(length));
  }

  /** Gene i (0 or 1). */
  get(i: number): Bit {
    return this.bits[i];
  }

  /** Indices of the set bits, ascending. */
  trainableIndices(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.bits.length; i++) if (this.bits[i] === 1) out.push(i);
    return out;
  }

  /** A copy of the genes as a Uint8Array (mutable scratch for operators). */
  toUint8Array(): Uint8Array {
    const out = new Uint8Array(this.bits.length);
    for (let i = 0; i < out.length; i++) out[i] = this.bits[i];
    return out;
  }

  /** Same genes. */
  equals(other: Genome): boolean {
    return this.key === other.key;
  }

  toString(): string {
    return this.key;
  }

  toJSON(): string {
    return this.key;
  }
}
