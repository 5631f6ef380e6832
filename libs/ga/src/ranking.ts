/**
 * The one tie rule of a search: a total order over evaluated genomes, so the best and every rank
 * are the same whatever order the evaluations finished in (worker count, timing).
 */

/** What the rule looks at for one evaluated genome. */
export interface RankKey {
  /** Fitness value (maximised). Ignored for a failed genome. */
  readonly value: number;
  /** Among equal values the lower cost ranks first (the runner passes trainable parameters). Missing: after any given cost. */
  readonly cost?: number;
  /** Generation where the genome was evaluated (earlier first). */
  readonly generation: number;
  /** Index in that generation (lower first). */
  readonly index: number;
  /** A failed evaluation ranks after every genome with a fitness. */
  readonly failed?: boolean;
}

/**
 * Sort comparator, best first: genomes with a fitness before failed ones, then higher value,
 * then lower cost, then earlier generation, then lower index.
 */
export function compareRanked(a: RankKey, b: RankKey): number {
  if (!!a.failed !== !!b.failed) return a.failed ? 1 : -1;
  if (!a.failed && a.value !== b.value) return b.value > a.value ? 1 : -1;
  const ca = a.cost ?? Number.POSITIVE_INFINITY;
  const cb = b.cost ?? Number.POSITIVE_INFINITY;
  if (ca !== cb) return ca < cb ? -1 : 1;
  return a.generation - b.generation || a.index - b.index;
}

/** {@link compareRanked} over scored genomes of one population (generation defaults to 0). */
export function rankScored(
  a: { fitness: number; index: number; cost?: number; generation?: number; failed?: boolean },
  b: { fitness: number; index: number; cost?: number; generation?: number; failed?: boolean },
): number {
  return compareRanked(
    { value: a.fitness, cost: a.cost, generation: a.generation ?? 0, index: a.index, failed: a.failed },
    { value: b.fitness, cost: b.cost, generation: b.generation ?? 0, index: b.index, failed: b.failed },
  );
}
