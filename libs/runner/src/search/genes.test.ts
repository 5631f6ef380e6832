import { describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../journal/records.js';
import type { EvaluateOptions, Evaluator } from '../ports/types.js';
import { GeneEvaluator, evaluationSeed } from './genes.js';

/** An inner evaluator whose accuracy is a fixed function of the mask; it records what it was sent. */
function recording(): Evaluator & { calls: { mask: string; prune?: (number | null)[]; seed?: number }[] } {
  const calls: { mask: string; prune?: (number | null)[]; seed?: number }[] = [];
  return {
    calls, backend: 'test', devices: [''], close: async () => undefined,
    async evaluate(mask: string, o: EvaluateOptions = {}): Promise<EvaluationResult> {
      calls.push({ mask, prune: o.prune, seed: o.seed });
      const acc = (mask.split('1').length - 1) / mask.length;
      const epochs = [1, 2].map((epoch) => ({ epoch, trainLoss: 1, trainAccuracy: acc, valLoss: 1, valAccuracy: acc * epoch / 2, seconds: 0 }));
      const stop = o.prune?.[0] != null && epochs[0]!.valAccuracy < o.prune[0]!;
      return {
        fitness: stop ? epochs[0]!.valAccuracy : acc, testAccuracy: acc, epochs: stop ? epochs.slice(0, 1) : epochs, trainableParams: 1, totalParams: 1,
        trainableLayers: 0, seconds: 0, imagesPerSecond: 1, backend: 'test', prefixReused: 0, ...(stop ? { pruned: true } : {}),
      };
    },
  };
}

const config = { model: 'mobilenet_v1_0.25', genes: 'layers' as const, prune: 'median' as const, pruneStartup: 2, pruneWarmup: 0, epochs: 2, seed: 5 };

describe('GeneEvaluator', () => {
  it('shares one evaluation between genomes that differ only in weightless bits, also while it runs', async () => {
    const inner = recording();
    const g = new GeneEvaluator(inner, { ...config, prune: 'none' });
    const a = '0'.repeat(80) + '1'.repeat(6);
    const b = `${a.slice(0, 3)}1${a.slice(4)}`; // + conv1_relu (weightless)
    const [ra, rb] = await Promise.all([g.forGeneration(0).evaluate(a), g.forGeneration(0).evaluate(b)]);
    expect(inner.calls).toHaveLength(1);
    expect(rb.fitness).toBe(ra.fitness);
    expect(rb.trainableLayers).toBe(7); // the paper's bit count of the mask that trained (here the genome itself)
    expect((rb as { reusedFrom?: string }).reusedFrom).toBe(a);
  });

  it('gives every mask its own fine-tune seed, from the search seed and the layers with weights only', async () => {
    const inner = recording();
    const g = new GeneEvaluator(inner, { ...config, prune: 'none' });
    const a = '0'.repeat(80) + '1'.repeat(6);
    const c = '1'.repeat(86);
    await g.forGeneration(0).evaluate(a);
    await g.forGeneration(1).evaluate(c);
    expect(inner.calls.map((x) => x.seed)).toEqual([evaluationSeed(5, g.layout.effective(a)), evaluationSeed(5, g.layout.effective(c))]);
    expect(inner.calls[0]!.seed).not.toBe(inner.calls[1]!.seed);
    // a weightless bit (conv1_relu) does not change the seed; another search seed does
    expect(g.seedFor(`${a.slice(0, 3)}1${a.slice(4)}`)).toBe(g.seedFor(a));
    expect(new GeneEvaluator(inner, { ...config, seed: 6 }).seedFor(a)).not.toBe(g.seedFor(a));
    // blocks: the seed follows the expanded mask that trains, the same rule as a baseline's layer mask
    const innerB = recording();
    const gb = new GeneEvaluator(innerB, { ...config, genes: 'blocks', prune: 'none' });
    const carrier = [...Array(86).keys()].find((i) => !gb.layout.locked.includes(i))!;
    const genome = '0'.repeat(carrier) + '1' + '0'.repeat(85 - carrier);
    const expanded = gb.layout.expand(genome);
    expect(expanded).not.toBe(genome);
    await gb.forGeneration(0).evaluate(genome);
    expect(innerB.calls).toEqual([expect.objectContaining({ mask: expanded, seed: g.seedFor(expanded) })]);
  });

  it('prunes generation g with the median of generations < g only, whatever finished first', async () => {
    const inner = recording();
    const g = new GeneEvaluator(inner, config);
    const masks = ['1'.repeat(86), '0'.repeat(43) + '1'.repeat(43), '1'.repeat(20) + '0'.repeat(66)];
    // generation 0: nothing earlier, no thresholds
    for (const m of masks) await g.forGeneration(0).evaluate(m);
    expect(inner.calls.every((c) => c.prune?.every((t) => t === null) ?? true)).toBe(true);
    expect(g.thresholds(0)).toEqual([null, null]);
    // generation 1: thresholds from the three genomes of generation 0 (median of epoch-1 accuracies)
    const t = g.thresholds(1)!;
    expect(t[0]).toBeCloseTo(0.25, 6);
    const r = await g.forGeneration(1).evaluate('1'.repeat(10) + '0'.repeat(76));
    expect(r.pruned).toBe(true);
    // a genome of the same generation finishing does not move generation 1's thresholds
    expect(g.thresholds(1)).toEqual(t);
    const gb = new GeneEvaluator(recording(), { ...config, genes: 'blocks' });
    expect(gb.layout.genes).toBe(14);
  });
});
