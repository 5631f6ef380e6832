import { describe, expect, it } from 'vitest';
import { countSetBits, maskProblem } from './index.js';

describe('masks', () => {
  it('names what is wrong with a mask, or nothing', () => {
    expect(maskProblem('0101', 4)).toBeUndefined();
    expect(maskProblem('', 0)).toBeUndefined();
    expect(maskProblem('010', 4)).toBe('has 3 characters');
    expect(maskProblem('01x1', 4)).toBe("character 2 is 'x'");
    expect(maskProblem(5, 4)).toBe('not a string but number');
    expect(maskProblem(null, 4)).toBe('not a string but null');
  });

  it('counts the set bits', () => {
    expect(countSetBits('')).toBe(0);
    expect(countSetBits('0000')).toBe(0);
    expect(countSetBits('1011')).toBe(3);
  });
});
