/**
 * Maps a search onto tracking runs: a parent run per search (params, per-generation metrics) and a
 * child run per evaluation (params, per-epoch metrics, mask.json). Idempotent: a run or record
 * already in the journal (a killed process may have written part of them) is not written again.
 */
import type { Journal, JournalRecord } from '@slt/tracking';
import { dataSettingsParams } from '../config/audio.js';
import type { SearchConfig } from '../config/schema.js';
import type { EvalFinishedRecord, GenerationFinishedRecord } from '../journal/records.js';

/** Which tracking records exist per run key (from the journal so far). */
export class RunLedger {
  private readonly seen = new Map<string, Set<string>>();
  constructor(records: readonly JournalRecord[] = []) {
    for (const r of records) this.note(r);
  }
  /** Notes an appended record. */
  note(r: JournalRecord): void {
    if (!r.type.startsWith('run.') || typeof r.runKey !== 'string') return;
    let s = this.seen.get(r.runKey);
    if (!s) this.seen.set(r.runKey, (s = new Set()));
    s.add(r.type === 'run.metrics' ? `run.metrics:${metricTag(r)}` : r.type);
    if (r.type === 'run.artifact') s.add(`run.artifact:${String(r.path)}`);
  }
  has(runKey: string, what: string): boolean {
    return this.seen.get(runKey)?.has(what) ?? false;
  }
}

function metricTag(r: JournalRecord): string {
  const m = (r.metrics as { key: string; step: number }[] | undefined) ?? [];
  return m.length ? `${m[0].key}@${m[0].step}` : '';
}

/** Creates the parent run of a search with its params (when not there yet). */
export function logParentRun(journal: Journal, ledger: RunLedger, o: {
  runKey: string; searchId: string; mode: string; config: SearchConfig & { seed: number }; datasetName: string;
  genomeLength: number; backend: string;
}): void {
  const c = o.config;
  if (!ledger.has(o.runKey, 'run.created')) {
    journal.createRun({
      runKey: o.runKey,
      experimentName: c.experiment,
      runName: c.name ?? `${o.mode}-${o.searchId}`,
      tags: { 'slt.kind': o.mode, 'slt.search_id': o.searchId, 'slt.comparison': o.searchId },
      note: `slt ${o.mode}: ${c.model} on ${o.datasetName}, population ${c.population} x ${c.generations} generations, ${c.epochs} epochs`,
    });
  }
  journal.logParams(o.runKey, {
    model: c.model, dataset: o.datasetName, data_path: c.data, input_size: `${c.input[0]}x${c.input[1]}`, population: c.population,
    generations: c.generations, epochs: c.epochs, batch: c.batch, lr: c.lr, mutation_rate: 0.04, seed: c.seed, backend: o.backend,
    preset: c.preset, workers: c.workers, genome_length: o.genomeLength, mode: o.mode,
    ...dataSettingsParams(c),
  });
}

/** Logs a finished generation's figures on the parent run (step = generation). */
export function logGenerationMetrics(journal: Journal, ledger: RunLedger, runKey: string, g: GenerationFinishedRecord): void {
  if (ledger.has(runKey, `run.metrics:best_fitness@${g.generation}`)) return;
  journal.logMetrics(runKey, [
    { key: 'best_fitness', value: g.best, step: g.generation },
    { key: 'mean_fitness', value: g.mean, step: g.generation },
    { key: 'worst_fitness', value: g.worst, step: g.generation },
    { key: 'best_trainable_params', value: g.bestTrainableParams, step: g.generation },
    { key: 'evaluations', value: g.evaluations, step: g.generation },
    { key: 'cache_hits', value: g.cacheHits, step: g.generation },
  ]);
}

/** The child run of one evaluation, completed where a killed process left it partial. */
export function logEvaluationRun(journal: Journal, ledger: RunLedger, o: {
  parentRunKey: string; experiment: string; searchId: string; record: EvalFinishedRecord; layerNames: string[];
}): void {
  const r = o.record;
  const res = r.result;
  const key = r.runKey;
  if (!ledger.has(key, 'run.created')) {
    const tags: Record<string, string> = { 'slt.kind': r.kind === 'ga' ? 'genome' : 'baseline', 'slt.search_id': o.searchId, 'slt.comparison': o.searchId };
    if (r.label) tags['slt.baseline'] = r.label;
    if (res.error) tags['slt.error'] = res.error.slice(0, 4000);
    journal.createRun({ runKey: key, parentRunKey: o.parentRunKey, experimentName: o.experiment, runName: r.kind === 'ga' ? `g${r.generation}-${r.index}` : `baseline-${r.label}`, tags });
  }
  journal.logParams(key, {
    mask: r.mask, generation: r.generation, index: r.index, trainable_layers: res.trainableLayers ?? countBits(r.mask),
    trainable_params: res.trainableParams, kind: r.kind, ...(r.label ? { baseline: r.label } : {}),
  });
  if (!ledger.has(key, 'run.metrics:fitness@0')) {
    const metrics = [
      { key: 'fitness', value: r.fitness, step: 0 },
      { key: 'best_val_accuracy', value: r.fitness, step: 0 },
      { key: 'test_accuracy', value: res.testAccuracy, step: 0 },
      { key: 'eval_seconds', value: res.seconds, step: 0 },
      { key: 'images_per_second', value: res.imagesPerSecond, step: 0 },
      { key: 'trainable_params', value: res.trainableParams, step: 0 },
    ];
    for (const e of res.epochs ?? []) {
      metrics.push(
        { key: 'train_loss', value: e.trainLoss, step: e.epoch },
        { key: 'train_accuracy', value: e.trainAccuracy, step: e.epoch },
        { key: 'val_loss', value: e.valLoss, step: e.epoch },
        { key: 'val_accuracy', value: e.valAccuracy, step: e.epoch },
      );
    }
    journal.logMetrics(key, metrics.filter((m) => typeof m.value === 'number'));
  }
  if (!ledger.has(key, 'run.artifact')) journal.logArtifact(key, 'mask.json', maskJson(r.mask, o.layerNames));
  if (!ledger.has(key, 'run.ended')) journal.endRun(key, res.error ? 'FAILED' : 'FINISHED');
}

/** mask.json: every layer by name and whether it trained. */
export function maskJson(mask: string, layerNames: string[]): string {
  const layers = [...mask].map((b, i) => ({ index: i, name: layerNames[i] ?? `layer_${i}`, trainable: b === '1' }));
  return `${JSON.stringify({ mask, trainableLayers: countBits(mask), genomeLength: mask.length, layers }, null, 2)}\n`;
}

function countBits(mask: string): number {
  let n = 0;
  for (const c of mask) if (c === '1') n++;
  return n;
}
