import { describe, expect, it } from 'vitest';
import { Genome, GenomeError } from './index.js';

describe('Genome', () => {
  it('parses a 0/1 string into frozen bits with key, length and trainableCount', () => {
    const g = Genome.fromString('0110100');
    expect(g.bits).toEqual([0, 1, 1, 0, 1, 0, 0]);
    expect(g.key).toBe('0110100');
    expect(g.length).toBe(7);
    expect(g.trainableCount).toBe(3);
    expect(g.trainableIndices()).toEqual([1, 2, 4]);
    expect(String(g)).toBe('0110100');
    expect(JSON.stringify({ g })).toBe('{"g":"0110100"}');
  });

  it('is immutable: its bits and fields cannot be changed', () => {
    const g = Genome.fromBits([1, 0, 1]);
    expect(() => {
      (g.bits as number[])[0] = 0;
    }).toThrow(TypeError);
    expect(() => {
      (g as { key: string }).key = '000';
    }).toThrow(TypeError);
    const copy = g.toUint8Array();
    copy[0] = 0;
    expect(g.key).toBe('101');
  });

  it('round-trips through fromBits and fromString', () => {
    const g = Genome.fromBits(Uint8Array.from([0, 0, 1, 1, 1]));
    expect(Genome.fromString(g.key).equals(g)).toBe(true);
    expect(Genome.filled(4, 1).key).toBe('1111');
  });

  it('rejects bad input naming the position and the allowed characters', () => {
    expect(() => Genome.fromString('01x1')).toThrow(/"x" at position 2; only '0' and '1'/);
    expect(() => Genome.fromString('')).toThrow(GenomeError);
    expect(() => Genome.fromBits([0, 2])).toThrow(/bit 1 is 2/);
    try {
      Genome.fromString('0012');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GenomeError);
      expect((e as GenomeError).position).toBe(3);
    }
  });
});
