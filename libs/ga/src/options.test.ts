import { describe, expect, it } from 'vitest';
import { GaOptionsError, PRESETS, baselineMasks, createGa, type GaOptions } from './index.js';

function optionError(opts: unknown): GaOptionsError {
  try {
    createGa(opts as GaOptions);
  } catch (e) {
    expect(e).toBeInstanceOf(GaOptionsError);
    return e as GaOptionsError;
  }
  throw new Error(`no error for ${JSON.stringify(opts)}`);
}

describe('option validation', () => {
  it('n = 6: names populationSize, the value and the valid range', () => {
    const e = optionError({ genomeLength: 10, populationSize: 6 });
    expect(e.option).toBe('populationSize');
    expect(e.value).toBe(6);
    expect(e.message).toMatch(/populationSize: got 6; expected a multiple of 4 in 4\.\.100000/);
  });

  it('mutation rate 1.5 and L = 0 are rejected with the valid range', () => {
    expect(optionError({ genomeLength: 10, mutationRate: 1.5 }).message).toMatch(/mutationRate: got 1\.5; expected a number in \[0, 1\]/);
    expect(optionError({ genomeLength: 0 }).message).toMatch(/genomeLength: got 0; expected an integer in 2\.\.1000000/);
    expect(optionError({}).option).toBe('genomeLength');
  });

  it('rejects other bad options by name', () => {
    expect(optionError({ genomeLength: 10, initialBitProbability: -0.1 }).option).toBe('initialBitProbability');
    expect(optionError({ genomeLength: 10, generations: 0 }).message).toMatch(/generations: got 0; expected an integer in 1\.\.1000000/);
    expect(optionError({ genomeLength: 10, seed: -1 }).message).toMatch(/seed: got -1; expected an integer in 0\.\.4294967295/);
    expect(optionError({ genomeLength: 10, preset: 'fast' }).message).toMatch(/preset: got "fast"; expected one of paper, elitist/);
    expect(optionError({ genomeLength: 10, populationSize: 8, eliteCount: 5 }).message).toMatch(/eliteCount: got 5; expected an integer in 0\.\.4 \(survivorCount 4\)/);
    expect(optionError({ genomeLength: 10, popSize: 8 }).message).toMatch(/popSize: got 8; expected no such option; valid options: genomeLength/);
    expect(optionError({ genomeLength: 10, lockedGenes: [3, 10] }).message).toMatch(/lockedGenes\[1\]: got 10; expected a gene index, an integer in 0\.\.9/);
    expect(optionError({ genomeLength: 10, lockedGenes: [3, 3] }).message).toMatch(/appears twice/);
    expect(optionError({ genomeLength: 10, selection: { name: 'x' } }).message).toMatch(/select\(\) method \(built-in: truncation, tournament\)/);
    expect(optionError({ genomeLength: 4, populationSize: 4, lockedGenes: [0], initialPopulation: ['1000'] }).message).toMatch(/initialPopulation\[0\].*locked gene 0/);
  });

  it('applies presets: paper and elitist defaults, overridable', () => {
    expect(createGa({ genomeLength: 10 }).options).toMatchObject({ ...PRESETS.paper, survivorCount: 10, preset: 'paper', seed: 0 });
    expect(createGa({ genomeLength: 10, preset: 'elitist', populationSize: 8 }).options).toMatchObject({ eliteCount: 2, populationSize: 8, mutationRate: 0.04 });
    expect(PRESETS.paper.mutationRate).toBe(0.04);
    expect(PRESETS.paper.initialBitProbability).toBe(0.5);
  });

  it('generation 0 sets each unlocked bit with probability initialBitProbability', () => {
    for (const p of [0.5, 0.2]) {
      const ga = createGa({ genomeLength: 1000, populationSize: 100, initialBitProbability: p, seed: 77 });
      const ones = ga.population().reduce((s, m) => s + m.genome.trainableCount, 0);
      const n = 100 * 1000;
      expect(Math.abs(ones / n - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / n));
    }
  });
});

describe('baselineMasks', () => {
  it('gives freeze-all, train-all, heuristic (last half) and random masks of the given size', () => {
    const masks = baselineMasks(20, { randomCount: 50, trainableCount: 7, seed: 3, lockedGenes: [0, { index: 19, value: 1 }] });
    const by = Object.fromEntries(masks.map((m) => [m.name, m.genome.key]));
    expect(by['freeze-all']).toBe('0'.repeat(19) + '1');
    expect(by['train-all']).toBe('0' + '1'.repeat(19));
    expect(by['heuristic']).toBe('0'.repeat(10) + '1'.repeat(10)); // unlocked 1..18: last 9 of them + locked 19
    const random = masks.filter((m) => m.kind === 'random');
    expect(random).toHaveLength(50);
    const hits = new Array<number>(20).fill(0);
    for (const m of random) {
      expect(m.genome.trainableCount).toBe(7);
      expect(m.genome.bits[0]).toBe(0);
      expect(m.genome.bits[19]).toBe(1);
      m.genome.bits.forEach((b, i) => (hits[i] += b));
    }
    expect(new Set(random.map((m) => m.genome.key)).size).toBeGreaterThan(45);
    for (let i = 1; i < 19; i++) expect(hits[i]).toBeGreaterThan(0); // every unlocked gene gets picked sometimes
    expect(baselineMasks(20, { randomCount: 50, trainableCount: 7, seed: 3, lockedGenes: [0, { index: 19, value: 1 }] })).toEqual(masks);
  });

  it('rejects a trainableCount outside the possible range', () => {
    expect(() => baselineMasks(10, { trainableCount: 11 })).toThrow(/trainableCount: got 11; expected an integer in 0\.\.10/);
    expect(() => baselineMasks(0)).toThrow(/length: got 0/);
  });
});
