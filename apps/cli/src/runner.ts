/**
 * Loading tfjs (in production mode) and the full runner, once: the search commands start their
 * worker processes first (`startEvaluatorWorkers` of `@slt/runner/light`) and load this meanwhile;
 * every other command gets it from `main` before it runs.
 */
import type { EarlyWorkers } from '@slt/runner/light';

/** tfjs in production mode: no debug checks, and no "install tfjs-node" banner on every command. */
export async function loadTfjs(): Promise<void> {
  (await import('@tensorflow/tfjs')).enableProdMode();
}

/** tfjs (production mode) and `@slt/runner`; a failed load kills `started` (the early workers) first. */
export async function loadRunner(started?: EarlyWorkers): Promise<typeof import('@slt/runner')> {
  try {
    await loadTfjs();
    return await import('@slt/runner');
  } catch (err) {
    await started?.close().catch(() => undefined);
    throw err;
  }
}
