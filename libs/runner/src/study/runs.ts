/**
 * The mapping of a study's journal onto its MLflow run (the parent of every model's compare
 * run): created at `study.started` with the shared params, per-model figures as metrics when a
 * model finishes, the table files as artifacts and FINISHED at `study.finished`, KILLED / FAILED
 * when interrupted or failed. Pure and causal like the search mapper: times come from records.
 */
import path from 'node:path';
import { recordTime, type JournalRecord, type RunOp, type RunOpsMapper } from '@slt/tracking';
import { checkStudyRecord, type StudyRecordBody, type StudyStartedRecord } from './records.js';
import { STUDY_COLUMNS, studyCells } from './table.js';

/** The files of a finished study (in its folder; artifacts of its run). */
export const STUDY_TABLE_FILES = ['study.txt', 'study.md', 'study.csv', 'study.json'] as const;

/** Options of {@link createStudyRunMapper}. */
export interface StudyRunMapperOptions {
  /** The study folder where it is now (artifact files are read from it; default: the recorded `base.out`). */
  dir?: string;
}

const metricName = (s: string): string => s.replace(/[^A-Za-z0-9_\-./ ]+/g, '_');

/** The mapper of a study journal (`study.jsonl`). */
export function createStudyRunMapper(options: StudyRunMapperOptions = {}): RunOpsMapper {
  let started: StudyStartedRecord | undefined;
  let status = '';
  const setStatus = (s: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED', time: number): RunOp[] => {
    if (!started || status === s) return [];
    status = s;
    return [{ op: 'status', runKey: started.parentRunKey, status: s, ...(s === 'RUNNING' ? {} : { endTime: time }) }];
  };
  return {
    next(record: JournalRecord): RunOp[] {
      const checked = checkStudyRecord(record);
      if (!checked.ok) return [];
      const r = checked.record as StudyRecordBody;
      const time = recordTime(record);
      if (r.type === 'study.started') {
        if (started) return [];
        started = r;
        status = 'RUNNING';
        const b = r.base;
        return [
          {
            op: 'create', runKey: r.parentRunKey, experimentName: b.experiment, runName: b.name ?? `study-${r.studyId}`, startTime: time,
            tags: {
              'slt.kind': 'study', 'slt.study_id': r.studyId, 'mlflow.source.name': 'slt', 'mlflow.source.type': 'LOCAL',
              'mlflow.note.content': `slt study: ${r.models.map((m) => m.label).join(', ')} on ${b.data}, population ${b.population} x ${b.generations} generations, ${b.epochs} epochs`,
            },
          },
          {
            op: 'params', runKey: r.parentRunKey,
            params: {
              models: r.models.map((m) => m.label).join(',').slice(0, 6000), model_count: r.models.length, data_path: b.data, population: b.population, generations: b.generations,
              epochs: b.epochs, batch: b.batch, lr: b.lr, seed: b.seed, preset: b.preset, random_baselines: b.randomBaselines, workers: b.workers, backend_requested: b.backend,
            },
          },
        ];
      }
      if (!started) return [];
      const key = started.parentRunKey;
      switch (r.type) {
        case 'study.resumed':
          return setStatus('RUNNING', time);
        case 'study.model.finished': {
          const cells = studyCells(r.comparison);
          const slug = started.models[r.index]?.slug ?? metricName(r.label);
          const metrics = STUDY_COLUMNS.flatMap((col) => {
            const c = cells[col];
            if (!c) return [];
            const base = `${metricName(slug)}.${col === 'GA' ? 'ga' : col}`;
            return ([['test_accuracy', c.testAccuracy], ['trainable_params', c.trainableParams], ['trainable_weighted_layers', c.trainableWeightedLayers], ['macro_precision', c.macroPrecision], ['macro_recall', c.macroRecall]] as const)
              .filter(([, v]) => typeof v === 'number')
              .map(([k, v]) => ({ key: `${base}.${k}`, value: v as number, step: 0, timestamp: time }));
          });
          return metrics.length ? [{ op: 'metrics', runKey: key, metrics }] : [];
        }
        case 'study.finished': {
          const dir = options.dir ?? started.base.out ?? '.';
          return [
            ...STUDY_TABLE_FILES.map((f): RunOp => ({ op: 'artifact', runKey: key, path: f, file: path.join(dir, f) })),
            { op: 'metrics', runKey: key, metrics: [{ key: 'study_seconds', value: r.seconds, step: 0, timestamp: time }] },
            ...setStatus('FINISHED', time),
          ];
        }
        case 'study.interrupted':
          return setStatus('KILLED', time);
        case 'study.failed':
          return [{ op: 'tags', runKey: key, tags: { 'slt.error': r.error.slice(0, 4000) } }, ...setStatus('FAILED', time)];
        default:
          return [];
      }
    },
  };
}
