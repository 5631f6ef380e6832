/**
 * The best model kept: the fine-tuned weights of the search's best genome (and, in compare, of
 * each baseline) are saved in the search folder for `slt predict` and as MLflow artifacts.
 * Each worker keeps the best-epoch weights of its best evaluation in memory, so the best genome is
 * saved from there without training again. When no worker holds them (a resumed search, a
 * restarted worker, a baseline below the best), the genome is trained again with its seed for as
 * many epochs as its best validation epoch: training is deterministic for a seed (the same journal
 * with 0, 1 or 2 workers), so these are the weights the search measured; the test accuracy of the
 * re-run is checked against the recorded one.
 */
import path from 'node:path';
import type { EvalFinishedRecord, ModelSavedRecord, SearchStartedRecord } from '../journal/records.js';
import type { Evaluator, ImageDataset } from '../ports/types.js';
import type { SearchState } from '../state/types.js';
import { failureOf } from './attempts.js';

/** The folder of a saved model in the search folder: `model` for the GA's best, `model-<baseline>` for baselines. */
export function modelDirName(key: string): string {
  return key.startsWith('baseline/') ? `model-${key.slice('baseline/'.length).replace(/[^\w.-]+/g, '_')}` : 'model';
}

/** The 1-based epoch of the first best validation accuracy (the weights the fitness and test accuracy are from). */
export function bestEpoch(rec: EvalFinishedRecord): number {
  let best = -1;
  let at = rec.result.epochs.length;
  for (const e of rec.result.epochs) {
    if (e.valAccuracy > best) {
      best = e.valAccuracy;
      at = e.epoch;
    }
  }
  return Math.max(1, at);
}

/** What {@link saveModels} needs from the session. */
export interface SaveModelsContext {
  dir: string;
  started: SearchStartedRecord;
  state: SearchState;
  finished: ReadonlyMap<string, EvalFinishedRecord>;
  /** Keys whose model the journal already records (a resume does not save them again). */
  saved: ReadonlySet<string>;
  evaluator: Evaluator;
  /** The fine-tune seed the search gave `mask` (the saved model retrains it with the same one). */
  seedOf: (mask: string) => number | undefined;
  dataset: ImageDataset;
  signal: AbortSignal;
  append: (r: ModelSavedRecord) => void;
  log: (level: 'info' | 'warn', message: string) => void;
}

/** Saves the best genome's model (and the baselines' in compare mode); one `search.model` record each. */
export async function saveModels(c: SaveModelsContext): Promise<void> {
  const keys: string[] = [];
  if (c.state.best) keys.push(c.state.best.key);
  if (c.started.mode === 'compare' || c.started.mode === 'baselines') keys.push(...c.state.baselines.filter((b) => b.state === 'done').map((b) => b.key));
  for (const key of keys) {
    if (c.saved.has(key) || c.signal.aborted) continue;
    const rec = c.finished.get(key);
    if (!rec) continue;
    const dir = path.join(c.dir, modelDirName(key));
    const saveModel = { dir, classNames: c.dataset.classNames, key, ...(c.dataset.settings ? { data: JSON.parse(JSON.stringify(c.dataset.settings)) as Record<string, unknown> } : {}) };
    const seed = c.seedOf(rec.mask);
    let result;
    try {
      const kept = await c.evaluator.saveRetained?.(rec.mask, seed, saveModel);
      result = kept ? { ...rec.result, testAccuracy: kept.testAccuracy } : await c.evaluator.evaluate(rec.mask, { signal: c.signal, epochs: bestEpoch(rec), ...(seed !== undefined ? { seed } : {}), saveModel });
    } catch (err) {
      if (c.signal.aborted) return;
      c.log('warn', `${key}: could not save its model: ${(err as Error).message}`);
      continue;
    }
    const failure = failureOf(result);
    if (failure) {
      c.log('warn', `${key}: could not save its model: ${failure}`);
      continue;
    }
    if (result.testAccuracy !== rec.result.testAccuracy) {
      c.log('warn', `${key}: the saved model's test accuracy ${result.testAccuracy} differs from the search's ${rec.result.testAccuracy} (training not deterministic on this backend)`);
    }
    c.append({ type: 'search.model', key, dir, testAccuracy: result.testAccuracy, files: ['model.json', 'weights.bin', 'slt-model.json'] });
    c.log('info', `${key}: model saved in ${dir} (slt predict ${dir} FILES...)`);
  }
}
