/** Helpers shared by the tests of this lib (not exported from the package). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, type Journal } from '../journal/journal.js';

/** A temp folder and its cleanup. */
export function tempDir(prefix = 'slt-tracking-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What `writeSearch` logged, to check a store against. */
export interface SearchShape {
  runKeys: string[];
  /** runKey -> metric key -> number of points. */
  points: Record<string, Record<string, number>>;
}

/**
 * Logs a small search the way the runner does: a parent run with params and per-generation
 * metrics, a child run per genome with per-epoch metrics and mask.json, one baseline.
 * `between` is called after every genome (to inject faults mid-search).
 */
export async function writeSearch(
  journal: Journal,
  opts: { generations: number; genomes: number; epochs: number; prefix?: string; between?: (g: number, i: number) => Promise<void> | void },
): Promise<SearchShape> {
  const px = opts.prefix ?? 's';
  const shape: SearchShape = { runKeys: [], points: {} };
  const count = (runKey: string, key: string, n = 1): void => {
    shape.points[runKey] ??= {};
    shape.points[runKey][key] = (shape.points[runKey][key] ?? 0) + n;
  };
  const parent = journal.createRun({ runKey: `${px}`, runName: `search ${px}`, experimentName: 'slt-test', tags: { 'slt.kind': 'search' }, note: 'a **test** search' });
  shape.runKeys.push(parent);
  journal.logParams(parent, { model: 'mobilenet_v1_0.25_224', population: opts.genomes, generations: opts.generations, epochs: opts.epochs, lr: 0.001 });
  for (let g = 0; g < opts.generations; g++) {
    for (let i = 0; i < opts.genomes; i++) {
      const key = `${px}/g${g}-i${i}`;
      journal.createRun({ runKey: key, parentRunKey: parent, runName: `g${g} #${i}`, experimentName: 'slt-test', tags: { 'slt.kind': 'genome' } });
      shape.runKeys.push(key);
      const mask = ((g * 7 + i * 3) % 16).toString(2).padStart(4, '0');
      journal.logParams(key, { mask, generation: g, index: i, trainable_layers: [...mask].filter((b) => b === '1').length });
      for (let e = 0; e < opts.epochs; e++) {
        journal.logMetrics(key, [
          { key: 'train_loss', value: 1 / (e + 1 + g), step: e },
          { key: 'val_accuracy', value: (e + i) / 10, step: e },
        ]);
        count(key, 'train_loss');
        count(key, 'val_accuracy');
      }
      journal.logMetrics(key, [{ key: 'best_val_accuracy', value: 0.5 + i / 100, step: 0 }]);
      count(key, 'best_val_accuracy');
      journal.logArtifact(key, 'mask.json', JSON.stringify({ layers: mask.split('').map((b, l) => ({ name: `layer_${l}`, trainable: b === '1' })) }));
      journal.endRun(key, 'FINISHED');
      await opts.between?.(g, i);
    }
    journal.logMetrics(parent, [
      { key: 'best_fitness', value: 0.5 + g / 10, step: g },
      { key: 'mean_fitness', value: g === 0 ? NaN : 0.4, step: g },
    ]);
    count(parent, 'best_fitness');
    count(parent, 'mean_fitness');
  }
  const base = journal.createRun({ runKey: `${px}/baseline-train-all`, parentRunKey: parent, runName: 'baseline: train all', experimentName: 'slt-test', tags: { 'slt.kind': 'baseline', 'slt.baseline': 'train-all' } });
  shape.runKeys.push(base);
  journal.logMetrics(base, [{ key: 'test_accuracy', value: 0.8, step: 0 }]);
  count(base, 'test_accuracy');
  journal.endRun(base, 'FINISHED');
  journal.setTags(parent, { 'slt.status': 'done' });
  journal.endRun(parent, 'FINISHED');
  return shape;
}

/** Opens a fresh journal in `dir`. */
export function freshJournal(dir: string, name = 'search.jsonl'): Journal {
  return openJournal(join(dir, name));
}

import type { TrackingStore } from '../store/types.js';

/**
 * Checks through the store's own API that every run of `shape` exists exactly once (by its
 * slt.run_key tag), children point at their parent, and every metric key holds exactly the
 * number of points logged. Returns runKey -> run id. Throws with a description otherwise.
 */
export async function verifyDelivered(store: TrackingStore, shape: SearchShape): Promise<Record<string, string>> {
  const exp = await store.getExperimentByName('slt-test');
  if (!exp) throw new Error('experiment slt-test missing');
  const runs = await store.searchRuns([exp.experimentId], '');
  const ids: Record<string, string> = {};
  const problems: string[] = [];
  for (const key of shape.runKeys) {
    const matching = runs.filter((r) => r.tags['slt.run_key'] === key);
    if (matching.length !== 1) problems.push(`run ${key}: ${matching.length} copies`);
    else ids[key] = matching[0].info.runId;
  }
  if (runs.length !== shape.runKeys.length) problems.push(`${runs.length} runs in the store, expected ${shape.runKeys.length}`);
  for (const key of shape.runKeys) {
    const id = ids[key];
    if (!id) continue;
    const run = await store.getRun(id);
    if (key.includes('/') && run.tags['mlflow.parentRunId'] !== ids[shape.runKeys[0]]) problems.push(`run ${key}: wrong parent ${run.tags['mlflow.parentRunId']}`);
    if (run.info.status !== 'FINISHED') problems.push(`run ${key}: status ${run.info.status}`);
    for (const [metric, n] of Object.entries(shape.points[key] ?? {})) {
      const hist = await store.getMetricHistory(id, metric);
      if (hist.length !== n) problems.push(`run ${key} metric ${metric}: ${hist.length} points, expected ${n}`);
    }
  }
  if (problems.length) throw new Error(`delivery check failed:\n${problems.slice(0, 20).join('\n')}`);
  return ids;
}
