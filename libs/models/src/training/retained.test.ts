import { describe, expect, it } from 'vitest';
import { RETAINED_MAX, RetainedStore, type RetainedEntry } from './retained.js';
import type { EvaluationResult } from './types.js';

const entry = (genome: string, fitness: number, trainableParams = 10, seed = 0): RetainedEntry => ({
  genome, seed, epoch: 1, values: [new Float32Array([fitness])], shapes: [[1]],
  result: { fitness, testAccuracy: fitness, epochs: [], trainableParams, totalParams: 100, trainableLayers: 1, seconds: 0, imagesPerSecond: 0, backend: 'cpu', prefixReused: 0 } as EvaluationResult,
});
const genomes = (s: RetainedStore): string[] => s.list().map((e) => `${e.genome}@${e.seed}`);

describe('RetainedStore', () => {
  it('keeps only the highest fitness: ties kept, a better one evicts them, a lower one is dropped', () => {
    const s = new RetainedStore();
    expect(s.put(entry('a', 0.5))).toBe(true);
    expect(s.put(entry('b', 0.5))).toBe(true);
    expect(s.put(entry('c', 0.4))).toBe(false);
    expect(genomes(s)).toEqual(['a@0', 'b@0']);
    expect(s.get('a', 0)?.result.fitness).toBe(0.5);
    expect(s.get('a', 1)).toBeUndefined(); // keyed by seed too
    expect(s.get('c', 0)).toBeUndefined();
    expect(s.put(entry('c', 0.6, 10, 2))).toBe(true);
    expect(genomes(s)).toEqual(['c@2']);
    expect(s.fitness).toBe(0.6);
    s.clear();
    expect(s.list()).toEqual([]);
    expect(s.fitness).toBeUndefined();
  });

  it(`holds at most ${RETAINED_MAX} ties: a new tie replaces the one with most trainable parameters if it has fewer`, () => {
    const s = new RetainedStore();
    for (const [g, p] of [['a', 10], ['b', 30], ['c', 20], ['d', 30]] as const) s.put(entry(g, 0.5, p));
    expect(s.wouldKeep(0.5, 'e', 0, 30)).toBe(false);
    expect(s.put(entry('e', 0.5, 30))).toBe(false); // no fewer than the worst: the earlier ones win
    expect(s.put(entry('f', 0.5, 15))).toBe(true); // evicts d (30, the later of the two)
    expect(genomes(s)).toEqual(['a@0', 'b@0', 'c@0', 'f@0']);
    expect(s.put(entry('b', 0.5, 30))).toBe(true); // the same key again replaces itself
    expect(genomes(s)).toEqual(['a@0', 'c@0', 'f@0', 'b@0']);
    expect(s.list().length).toBe(RETAINED_MAX);
  });
});
