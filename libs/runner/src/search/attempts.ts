/**
 * One evaluation with its retries: a failed attempt (worker crash, out of memory, NaN, a
 * non-finite fitness) is tried again in a fresh worker (the pool recycles a worker whose
 * evaluation failed) up to `retries` times. Failures are never turned into a fitness.
 */
import type { EpochMetrics, EvaluationResult } from '../journal/records.js';
import type { BatchProgress, Evaluator, Placement } from '../ports/types.js';

/** How an evaluation ended after its attempts. */
export type AttemptOutcome =
  | { ok: true; result: EvaluationResult; attempts: number; placement?: Placement }
  | { ok: false; error: string; attempts: number; placement?: Placement };

/** Options of {@link evaluateWithRetries}. */
export interface AttemptOptions {
  /** Extra attempts after a failure (0: none). */
  retries: number;
  signal: AbortSignal;
  /** True once the search is being interrupted: a failure then is an abandonment, not a result. */
  interrupted: () => boolean;
  /** Before each attempt (1-based). */
  onAttempt: (attempt: number) => void;
  /** An attempt failed and will be retried. */
  onRetry: (attempt: number, error: string, placement: Placement | undefined) => void;
  onEpoch: (m: EpochMetrics) => void;
  onBatch: (p: BatchProgress) => void;
  /** The fine-tune's seed (default: the evaluator's). */
  seed?: number;
}

/** Why a result is a failure, or undefined for a real fitness. */
export function failureOf(result: EvaluationResult): string | undefined {
  if (result.error !== undefined) return result.error;
  if (!Number.isFinite(result.fitness)) return `non-finite fitness ${result.fitness}`;
  return undefined;
}

/**
 * Runs the attempts. Resolves undefined when the search was interrupted meanwhile (the
 * evaluation was abandoned: nothing to record).
 */
export async function evaluateWithRetries(evaluator: Evaluator, mask: string, o: AttemptOptions): Promise<AttemptOutcome | undefined> {
  for (let attempt = 1; ; attempt++) {
    o.onAttempt(attempt);
    let placement: Placement | undefined;
    let error: string | undefined;
    let result: EvaluationResult | undefined;
    try {
      result = await evaluator.evaluate(mask, { signal: o.signal, onStart: (p) => (placement = p), onEpoch: o.onEpoch, onBatch: o.onBatch, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
      error = failureOf(result);
    } catch (err) {
      error = (err as Error)?.message ?? String(err);
    }
    if (o.interrupted()) return error === undefined && result ? { ok: true, result, attempts: attempt, placement } : undefined;
    if (error === undefined && result) return { ok: true, result, attempts: attempt, placement };
    if (attempt > o.retries) return { ok: false, error: error ?? 'failed', attempts: attempt, placement };
    o.onRetry(attempt, error ?? 'failed', placement);
  }
}
