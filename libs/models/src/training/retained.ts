/**
 * The evaluator's store of retained weights: the best-epoch trainable values of the evaluations
 * asked to `retain` them, so the best genome's model can be saved without training it again.
 * Only the highest fitness is worth keeping (the search saves its best genome), so the store holds
 * the entries whose fitness equals the highest retained so far: ties are all kept up to
 * {@link RETAINED_MAX}, and a strictly better entry evicts the rest.
 */
import type { EvaluationResult } from './types.js';

/** Most entries a {@link RetainedStore} holds (ties on the highest fitness). */
export const RETAINED_MAX = 4;

/** One retained evaluation: the trainable values its result was measured with. */
export interface RetainedEntry {
  /** The genome evaluated. */
  genome: string;
  /** The fine-tune seed it was evaluated with. */
  seed: number;
  /** 1-based epoch the values are from (the first best-validation epoch). */
  epoch: number;
  /** The evaluation's result (a copy; `fitness` orders the store). */
  result: EvaluationResult;
  /** Values of the trainable variables, in `trainableVariables(model)` order under `genome`. */
  values: Float32Array[];
  /** Their shapes, same order (checked when they are put back). */
  shapes: number[][];
}

/** What {@link RetainedStore.list} tells of an entry (no values). */
export interface RetainedKey {
  genome: string;
  seed: number;
  fitness: number;
  epoch: number;
}

const keyOf = (genome: string, seed: number): string => `${seed}:${genome}`;

/**
 * Retained weights keyed by (genome, seed), holding only the highest fitness seen (see the file's
 * comment). When {@link RETAINED_MAX} ties are held already, a new tie replaces the held one with
 * the most trainable parameters if it has fewer (the search's own tie rule: fewer trainable
 * parameters, then the earlier evaluation), and is dropped otherwise.
 */
export class RetainedStore {
  private readonly entries = new Map<string, RetainedEntry>();

  /** The highest fitness held (undefined when empty). */
  get fitness(): number | undefined {
    for (const e of this.entries.values()) return e.result.fitness;
    return undefined;
  }

  /** Whether an entry of this fitness would be kept (so the caller copies values only then). */
  wouldKeep(fitness: number, genome: string, seed: number, trainableParams: number): boolean {
    const top = this.fitness;
    if (top === undefined || fitness > top) return true;
    if (fitness < top) return false;
    if (this.entries.has(keyOf(genome, seed)) || this.entries.size < RETAINED_MAX) return true;
    return trainableParams < this.worst()!.result.trainableParams;
  }

  /** Keeps `entry` if {@link wouldKeep} says so; returns whether it was kept. */
  put(entry: RetainedEntry): boolean {
    const { fitness, trainableParams } = entry.result;
    if (!this.wouldKeep(fitness, entry.genome, entry.seed, trainableParams)) return false;
    const top = this.fitness;
    if (top !== undefined && fitness > top) this.entries.clear();
    const key = keyOf(entry.genome, entry.seed);
    this.entries.delete(key);
    if (this.entries.size >= RETAINED_MAX) this.entries.delete(keyOf(this.worst()!.genome, this.worst()!.seed));
    this.entries.set(key, entry);
    return true;
  }

  /** The entry of (genome, seed), or undefined. */
  get(genome: string, seed: number): RetainedEntry | undefined {
    return this.entries.get(keyOf(genome, seed));
  }

  /** The held entries' keys, oldest first. */
  list(): RetainedKey[] {
    return [...this.entries.values()].map((e) => ({ genome: e.genome, seed: e.seed, fitness: e.result.fitness, epoch: e.epoch }));
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }

  /** The held tie that loses the search's tie rule: most trainable parameters, the latest among equals. */
  private worst(): RetainedEntry | undefined {
    let worst: RetainedEntry | undefined;
    for (const e of this.entries.values()) if (!worst || e.result.trainableParams >= worst.result.trainableParams) worst = e;
    return worst;
  }
}
