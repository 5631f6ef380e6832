/**
 * What the GA's genes mean and what cannot change an evaluation's answer: an {@link Evaluator}
 * decorator that (1) turns a GA genome into the layer mask the trainer applies (`--genes`),
 * (2) evaluates each really-trainable mask once (genomes that differ only in weightless bits share
 * one evaluation, also while it runs), and (3) sends each GA genome of generation g the median
 * pruning thresholds of generations < g (`--prune median`), computed when it is dispatched, so a
 * seeded search decides the same with 0, 1 or 2 workers.
 */
import { countSetBits, deriveSeed } from '@slt/util';
import type { SearchConfig } from '../config/schema.js';
import type { EvaluationResult } from '../journal/records.js';
import { geneLayoutPort, medianThresholdsPort, type GeneLayoutPort } from '../ports/models.js';
import type { EvaluateOptions, Evaluator } from '../ports/types.js';

/**
 * The seed of one fine-tune (head initialisation, batch order): derived from the search's seed and
 * what really trains (`effective`: the layer mask with weightless layers at 0). Every mask draws its
 * own initialisation, as a fresh Keras model per genome does in the paper, instead of every genome
 * of a search sharing one draw (one unlucky draw then held a whole search down: fitness over 12
 * random masks 0.153 with one seed for all, 0.246 with a seed per mask; bench/fitness.ts). The same
 * mask always gets the same seed, so the result does not depend on workers, order or sharing.
 */
export function evaluationSeed(seed: number, effective: string): number {
  return deriveSeed(seed, `eval:${effective}`);
}

/** A finished evaluation the pruner may learn from (journal replay on resume, or this run). */
export interface GeneHistoryEntry {
  generation: number;
  result: EvaluationResult;
}

/** The decorated evaluator of a search (see the file comment). */
export class GeneEvaluator {
  readonly layout: GeneLayoutPort;
  private readonly layers: GeneLayoutPort;
  private readonly byEffective = new Map<string, Promise<EvaluationResult>>();
  private readonly completed = new Map<number, number[][]>(); // generation -> per-genome val accuracies

  constructor(
    private readonly inner: Evaluator,
    private readonly config: Pick<SearchConfig, 'model' | 'genes' | 'prune' | 'pruneStartup' | 'pruneWarmup' | 'epochs'> & { seed: number },
    history: Iterable<GeneHistoryEntry> = [],
  ) {
    this.layout = geneLayoutPort(config.model, config.genes ?? 'layers');
    this.layers = config.genes === 'layers' || config.genes === undefined ? this.layout : geneLayoutPort(config.model, 'layers');
    for (const h of history) this.note(h.generation, h.result);
  }

  private note(generation: number, r: EvaluationResult): void {
    if (generation < 0 || r.error || r.pruned || r.epochs.length === 0) return;
    const list = this.completed.get(generation) ?? [];
    list.push(r.epochs.map((e) => e.valAccuracy));
    this.completed.set(generation, list);
  }

  /** The fine-tune seed of a layer mask (a baseline's, or a GA genome's expanded mask): see {@link evaluationSeed}. */
  seedFor(mask: string): number {
    return evaluationSeed(this.config.seed, this.layers.effective(mask));
  }

  /** Median thresholds for a genome of `generation` (undefined without `--prune median`). */
  thresholds(generation: number): (number | null)[] | undefined {
    if (this.config.prune !== 'median' || generation < 0) return undefined;
    const earlier = [...this.completed].filter(([g]) => g < generation).sort((a, b) => a[0] - b[0]).flatMap(([, l]) => l);
    return medianThresholdsPort(earlier, this.config.epochs, { startupTrials: this.config.pruneStartup ?? 5, warmupEpochs: this.config.pruneWarmup ?? 0 });
  }

  /** The evaluator a GA genome of `generation` is sent to (gene expansion, shared evaluations, pruning). */
  forGeneration(generation: number): Evaluator {
    return {
      backend: this.inner.backend,
      devices: this.inner.devices,
      close: () => this.inner.close(),
      evaluate: (mask, options) => this.evaluate(generation, mask, options),
    };
  }

  private async evaluate(generation: number, genome: string, options: EvaluateOptions = {}): Promise<EvaluationResult> {
    const mask = this.layout.expand(genome);
    const prune = this.thresholds(generation);
    const key = `${this.layout.effective(genome)}|${JSON.stringify(prune ?? null)}`;
    const shared = this.byEffective.get(key);
    if (shared) {
      const r = await shared;
      this.note(generation, r);
      return { ...r, trainableLayers: countSetBits(mask), reusedFrom: (r as { mask?: string }).mask ?? '' } as EvaluationResult;
    }
    const run = this.inner.evaluate(mask, { ...options, seed: this.seedFor(mask), ...(prune ? { prune } : {}) }).then((r) => ({ ...r, mask }) as EvaluationResult);
    this.byEffective.set(key, run);
    try {
      const r = await run;
      if (r.error) this.byEffective.delete(key); // a failure is retried, not shared
      this.note(generation, r);
      const { mask: _m, ...rest } = r as EvaluationResult & { mask?: string };
      return { ...rest, trainableLayers: countSetBits(mask) } as EvaluationResult;
    } catch (err) {
      this.byEffective.delete(key);
      throw err;
    }
  }
}
