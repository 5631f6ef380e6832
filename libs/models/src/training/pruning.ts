/**
 * Median pruning of fine-tunes (Optuna's MedianPruner semantics): a genome stops after an epoch
 * whose validation accuracy is below the median of the completed genomes' accuracies at that same
 * epoch, once `startupTrials` genomes have completed and after `warmupEpochs` epochs. The
 * thresholds are computed before the fine-tune starts (from genomes that finished before it), so
 * the decision does not depend on which evaluation happens to finish first.
 */
import { TrainingInputError } from './errors.js';

/** Options of {@link medianThresholds} (Optuna's MedianPruner names in brackets). */
export interface MedianPrunerOptions {
  /** Completed genomes needed before any pruning [n_startup_trials]. Default 5. */
  startupTrials?: number;
  /** Epochs that are never pruned after [n_warmup_steps]: pruning starts after epoch warmupEpochs + 1. Default 0. */
  warmupEpochs?: number;
}

/** Per epoch (index e-1 for epoch e), the validation accuracy below which a fine-tune stops; null: never. */
export type PruneThresholds = (number | null)[];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The thresholds for a fine-tune of `epochs` epochs, from `completed`: the per-epoch validation
 * accuracies of each genome that completed (neither pruned nor failed) before this one.
 */
export function medianThresholds(completed: ReadonlyArray<readonly number[]>, epochs: number, options: MedianPrunerOptions = {}): PruneThresholds {
  const startup = options.startupTrials ?? 5;
  const warmup = options.warmupEpochs ?? 0;
  if (!Number.isInteger(startup) || startup < 0) throw new TrainingInputError('startupTrials', startup, 'an integer >= 0');
  if (!Number.isInteger(warmup) || warmup < 0) throw new TrainingInputError('warmupEpochs', warmup, 'an integer >= 0');
  return Array.from({ length: epochs }, (_, i) => {
    if (i < warmup || completed.length < Math.max(1, startup)) return null;
    const at = completed.map((c) => c[i]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return at.length > 0 ? median(at) : null;
  });
}
