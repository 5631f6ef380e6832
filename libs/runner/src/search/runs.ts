/**
 * The one mapping from a search's journal events onto MLflow runs: a parent run per search
 * (params, dataset input, per-generation metrics, final figures, comparison artifacts) and a
 * child run per evaluation (created RUNNING when it starts, one metric point per epoch as it
 * ends, final metrics, mask.json, FINISHED / FAILED). Nothing here writes: the delivery of
 * @slt/tracking applies the operations idempotently, so a crash between an event and its MLflow
 * records leaves nothing to repair by hand (resume and `slt sync` deliver what is missing).
 *
 * Deterministic and causal: the operations of record k depend only on records 1..k, and every
 * time comes from a record's `time`. A new MLflow-relevant fact = a field on an event + a few
 * lines in the matching `case` below.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { countSetBits } from '@slt/util';
import { recordTime, trackingRecordMapper, type JournalRecord, type RunOp, type RunOpsMapper, type RunOpsMapperFactory } from '@slt/tracking';
import { checkRecord, type SearchStartedRecord } from '../journal/records.js';
import { dataSettingsParams } from '../config/audio.js';

/** Options of {@link createSearchRunMapper}. */
export interface SearchRunMapperOptions {
  /** The search folder where it is now (artifact files are read from it; default: the recorded `config.out`). */
  dir?: string;
}

/** mask.json: every layer by name and whether it trained; `genome` = the GA genome where it differs from the mask (`--genes blocks`). */
export function maskJson(mask: string, layerNames: string[], genome?: string): string {
  const layers = [...mask].map((b, i) => ({ index: i, name: layerNames[i] ?? `layer_${i}`, trainable: b === '1' }));
  return `${JSON.stringify({ mask, ...(genome !== undefined ? { genome } : {}), trainableLayers: countSetBits(mask), genomeLength: mask.length, layers }, null, 2)}\n`;
}


/** The child run key of an evaluation of a search. */
export const evaluationRunKey = (searchId: string, evalKey: string): string => `${searchId}/${evalKey}`;

/** The run name of an evaluation (unique across searches: prefixed by the search id). */
export const evaluationRunName = (searchId: string, evalKey: string): string => `${searchId}/${evalKey.replace('/', '-')}`;

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Per-run state of the fold. */
interface RunFold {
  created: boolean;
  /** Status of the last status op (RUNNING after create). */
  status: string;
  params: Map<string, string>;
  /** `key|step` -> value of every metric point emitted (to skip an identical repeat after a resume). */
  points: Map<string, number>;
}

/** The mapper of a search journal (`journal.jsonl`); see the module comment. */
export function createSearchRunMapper(options: SearchRunMapperOptions = {}): RunOpsMapper {
  let started: SearchStartedRecord | undefined;
  const runs = new Map<string, RunFold>();
  let lastGeneration = -1;
  const fold = (runKey: string): RunFold => {
    let f = runs.get(runKey);
    if (!f) runs.set(runKey, (f = { created: false, status: '', params: new Map(), points: new Map() }));
    return f;
  };
  /** Params not logged yet (MLflow params are immutable: a changed value is kept as the first). */
  const params = (runKey: string, ps: Record<string, string | number | boolean | undefined>): RunOp[] => {
    const f = fold(runKey);
    const fresh: Record<string, string> = {};
    for (const [k, raw] of Object.entries(ps)) {
      if (raw === undefined) continue;
      const v = String(raw);
      if (f.params.has(k)) continue;
      f.params.set(k, v);
      fresh[k] = v;
    }
    return Object.keys(fresh).length ? [{ op: 'params', runKey, params: fresh }] : [];
  };
  const metrics = (runKey: string, points: Array<{ key: string; value: unknown; step: number }>, timestamp: number, skipRepeats = false): RunOp[] => {
    const f = fold(runKey);
    const out = [];
    for (const p of points) {
      if (typeof p.value !== 'number') continue;
      const id = `${p.key}|${p.step}`;
      const before = f.points.get(id);
      if (skipRepeats && before !== undefined && (before === p.value || (Number.isNaN(before) && Number.isNaN(p.value)))) continue;
      f.points.set(id, p.value);
      out.push({ key: p.key, value: p.value, step: p.step, timestamp });
    }
    return out.length ? [{ op: 'metrics', runKey, metrics: out }] : [];
  };
  const status = (runKey: string, s: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED', time: number): RunOp[] => {
    const f = fold(runKey);
    if (!f.created || f.status === s) return [];
    f.status = s;
    return [{ op: 'status', runKey, status: s, ...(s === 'RUNNING' ? {} : { endTime: time }) }];
  };
  const dir = (): string => options.dir ?? started?.config.out ?? '.';
  const childKey = (evalKey: string): string => evaluationRunKey(started!.searchId, evalKey);

  return {
    next(record: JournalRecord): RunOp[] {
      const checked = checkRecord(record);
      if (!checked.ok) return [];
      const r = checked.record;
      const time = recordTime(record);
      if (r.type !== 'search.started' && !started) return [];
      switch (r.type) {
        case 'search.started': {
          if (started) return [];
          started = r;
          const c = r.config;
          const key = r.parentRunKey;
          const study = r.study;
          // The study run in THIS store (found by its journal id and run key); older journals only have the first store's run id.
          const parentRef = study?.journalId && study.runKey ? { journalId: study.journalId, runKey: study.runKey } : undefined;
          const f = fold(key);
          f.created = true;
          f.status = 'RUNNING';
          const total = r.dataset.counts.train + r.dataset.counts.val + r.dataset.counts.test;
          const digest = createHash('sha256').update(JSON.stringify([c.data, r.dataset.name, r.dataset.counts, r.dataset.classNames, r.dataset.shape, c.seed])).digest('hex').slice(0, 8);
          return [
            {
              op: 'create', runKey: key, experimentName: c.experiment, runName: c.name ?? `${r.mode}-${r.searchId}`, startTime: time, ...(parentRef ? { parentRef } : {}),
              tags: {
                'slt.kind': r.mode, 'slt.search_id': r.searchId, 'slt.comparison': r.searchId, 'mlflow.source.name': 'slt', 'mlflow.source.type': 'LOCAL',
                'mlflow.note.content': `slt ${r.mode}: ${c.model} on ${r.dataset.name}, population ${c.population} x ${c.generations} generations, ${c.epochs} epochs`,
                ...(study?.studyId ? { 'slt.study_id': study.studyId } : {}),
                ...(study?.label ? { 'slt.study_model': study.label } : {}),
                ...(!parentRef && study?.parentRunId ? { 'mlflow.parentRunId': study.parentRunId } : {}),
              },
            },
            ...params(key, {
              model: c.model, dataset: r.dataset.name, data_path: c.data, input_size: `${c.input[0]}x${c.input[1]}`, population: c.population,
              generations: c.generations, epochs: c.epochs, batch: c.batch, lr: c.lr, seed: c.seed, backend_requested: c.backend,
              preset: c.preset, workers: c.workers, genome_length: r.model.genomeLength, mode: r.mode,
              ...dataSettingsParams(c),
            }),
            {
              op: 'inputs', runKey: key,
              datasets: [{
                name: r.dataset.name, digest, sourceType: 'local', source: JSON.stringify({ uri: c.data }),
                schema: JSON.stringify({ image_shape: r.dataset.shape, classes: r.dataset.classNames }),
                profile: JSON.stringify({ num_rows: total, splits: r.dataset.counts, num_classes: r.dataset.classNames.length }), context: 'training',
              }],
            },
          ];
        }
        case 'search.resumed':
          return status(started!.parentRunKey, 'RUNNING', time);
        case 'search.provenance': {
          const ga = Object.fromEntries(Object.entries(r.ga ?? {}).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)).map(([k, v]) => [`ga.${k}`, v as string | number | boolean]));
          return params(started!.parentRunKey, {
            slt_version: r.slt.version, slt_commit: r.slt.commit, backend: r.backend, weights_source: r.weights.source, weights_sha256: r.weights.sha256,
            data_fingerprint: r.data.fingerprint, ...ga,
          });
        }
        case 'eval.started': {
          const key = childKey(r.key);
          const f = fold(key);
          const ops: RunOp[] = [];
          if (!f.created) {
            f.created = true;
            f.status = 'RUNNING';
            ops.push({
              op: 'create', runKey: key, parentRunKey: started!.parentRunKey, experimentName: started!.config.experiment,
              runName: evaluationRunName(started!.searchId, r.key), startTime: time,
              tags: { 'slt.kind': r.kind === 'ga' ? 'genome' : 'baseline', 'slt.search_id': started!.searchId, 'slt.comparison': started!.searchId, ...(r.label ? { 'slt.baseline': r.label } : {}) },
            });
          } else ops.push(...status(key, 'RUNNING', time));
          ops.push(...params(key, { mask: r.mask, genome: r.genome, seed: r.seed, generation: r.generation, index: r.index, trainable_layers: r.trainableLayers, kind: r.kind, baseline: r.label }));
          if (r.attempt !== undefined && r.attempt > 1) ops.push({ op: 'tags', runKey: key, tags: { 'slt.attempt': String(r.attempt) } });
          return ops;
        }
        case 'eval.epoch': {
          const key = childKey(r.key);
          if (!fold(key).created) return [];
          const m = r.metrics;
          return metrics(key, [
            { key: 'train_loss', value: m.trainLoss, step: m.epoch }, { key: 'train_accuracy', value: m.trainAccuracy, step: m.epoch },
            { key: 'val_loss', value: m.valLoss, step: m.epoch }, { key: 'val_accuracy', value: m.valAccuracy, step: m.epoch },
          ], time, true);
        }
        case 'eval.retry': {
          const key = childKey(r.key);
          if (!fold(key).created) return [];
          return [{ op: 'tags', runKey: key, tags: { 'slt.retries': String(r.attempt), 'slt.last_error': r.error.slice(0, 4000) } }];
        }
        case 'eval.finished': {
          const key = childKey(r.key);
          if (!fold(key).created) return [];
          const res = r.result;
          const failed = res.error !== undefined || !finite(r.fitness);
          const ops: RunOp[] = [
            ...params(key, { trainable_params: res.trainableParams, total_params: res.totalParams, ...(r.device !== undefined ? { device: r.device } : {}) }),
            ...metrics(key, [
              { key: 'fitness', value: r.fitness, step: 0 }, { key: 'best_val_accuracy', value: r.fitness, step: 0 },
              { key: 'test_accuracy', value: res.testAccuracy, step: 0 }, { key: 'eval_seconds', value: res.seconds, step: 0 },
              { key: 'images_per_second', value: res.imagesPerSecond, step: 0 }, { key: 'trainable_params', value: res.trainableParams, step: 0 },
            ].filter((p) => !failed || p.key !== 'fitness'), time),
            ...(res.pruned ? [{ op: 'tags' as const, runKey: key, tags: { 'slt.pruned': 'true' } }] : []),
            ...(res.trainableWeightedLayers !== undefined ? params(key, { trainable_weighted_layers: res.trainableWeightedLayers }) : []),
            ...(failed ? [{ op: 'tags' as const, runKey: key, tags: { 'slt.error': (res.error ?? `non-finite fitness ${r.fitness}`).slice(0, 4000) } }] : []),
            { op: 'artifact', runKey: key, path: 'mask.json', content: maskJson(r.mask, started!.model.layerNames, r.genome) },
            ...status(key, failed ? 'FAILED' : 'FINISHED', time),
          ];
          return ops;
        }
        case 'eval.failed': {
          const key = childKey(r.key);
          if (!fold(key).created) return [];
          return [
            { op: 'tags', runKey: key, tags: { 'slt.error': r.error.slice(0, 4000), 'slt.attempts': String(r.attempts), ...(r.device !== undefined ? { 'slt.device': r.device } : {}) } },
            { op: 'artifact', runKey: key, path: 'mask.json', content: maskJson(r.mask, started!.model.layerNames, r.genome) },
            ...status(key, 'FAILED', time),
          ];
        }
        case 'generation.finished': {
          lastGeneration = Math.max(lastGeneration, r.generation);
          return metrics(started!.parentRunKey, [
            { key: 'best_fitness', value: r.best, step: r.generation }, { key: 'mean_fitness', value: r.mean, step: r.generation },
            { key: 'worst_fitness', value: r.worst, step: r.generation }, { key: 'best_trainable_params', value: r.bestTrainableParams, step: r.generation },
            { key: 'evaluations', value: r.evaluations, step: r.generation }, { key: 'cache_hits', value: r.cacheHits, step: r.generation },
            ...(r.failures !== undefined ? [{ key: 'failures', value: r.failures, step: r.generation }] : []),
          ], time);
        }
        case 'search.model': {
          const files = (r as { files?: unknown }).files;
          if (!Array.isArray(files)) return [];
          const base = options.dir ? path.join(options.dir, path.relative(started!.config.out ?? r.dir, r.dir)) : r.dir;
          return files.filter((f): f is string => typeof f === 'string').map((f) => ({ op: 'artifact' as const, runKey: r.key.startsWith('baseline/') ? childKey(r.key) : started!.parentRunKey, path: `model/${f}`, file: path.join(base, f) }));
        }
        case 'search.finished': {
          const parent = started!.parentRunKey;
          const step = lastGeneration + 1;
          const ops: RunOp[] = [];
          if (r.best) {
            ops.push(...metrics(parent, [
              { key: 'best_val_accuracy', value: r.best.fitness, step }, { key: 'best_test_accuracy', value: r.best.testAccuracy, step },
              { key: 'best_trainable_params', value: r.best.trainableParams, step }, { key: 'best_trainable_layers', value: r.best.trainableLayers, step },
            ], time));
            ops.push({ op: 'tags', runKey: parent, tags: { 'slt.best_mask': r.best.mask, 'slt.best_key': r.best.key } });
          }
          const artifacts = (r as { artifacts?: unknown }).artifacts;
          if (Array.isArray(artifacts)) {
            for (const a of artifacts) if (typeof a === 'string') ops.push({ op: 'artifact', runKey: parent, path: a, file: path.join(dir(), a) });
          }
          for (const [key, f] of runs) if (key !== parent && f.status === 'RUNNING') ops.push(...status(key, 'KILLED', time));
          ops.push(...status(parent, 'FINISHED', time));
          return ops;
        }
        case 'search.interrupted':
        case 'search.failed': {
          const ops: RunOp[] = [];
          for (const [key, f] of runs) if (key !== started!.parentRunKey && f.status === 'RUNNING') ops.push(...status(key, 'KILLED', time));
          ops.push(...status(started!.parentRunKey, r.type === 'search.failed' ? 'FAILED' : 'KILLED', time));
          return ops;
        }
        default:
          return [];
      }
    },
  };
}

/**
 * The mapper factory for a journal's delivery: the search mapping, or, for a journal written by
 * an older slt with `run.*` records, the replay of those records.
 */
export function searchRunMapperFor(records: readonly JournalRecord[], options: SearchRunMapperOptions = {}): RunOpsMapperFactory {
  if (records.some((r) => r.type.startsWith('run.'))) return trackingRecordMapper;
  return () => createSearchRunMapper(options);
}
