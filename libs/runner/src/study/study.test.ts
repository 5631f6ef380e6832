/**
 * A real two-model study (MobileNetV1-0.25 at two input sizes, the shared ImageNet weights) on
 * fashion-mnist-900 with a tiny budget: interrupted after its first model and resumed, then the
 * table (text, Markdown, CSV, JSON), the confusion matrices and the MLflow FileStore runs
 * (study run -> one compare run per model -> genome and baseline runs) are checked. A model
 * without weights fails the study before anything is written.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStore, readJournal, type Run } from '@slt/tracking';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../compare/table.js';
import { parseStudyConfig } from './config.js';
import { StudyPreflightError } from './errors.js';
import { resumeStudy, runStudy, syncStudy, type StudyOutcome } from './study.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const shared = path.resolve(repoRoot, '../shared/data');
const weights = path.join(shared, 'models/mobilenet_v1_0.25_224');
const data = path.join(shared, 'fashion-mnist-900');

/** The hand computation: macro precision / recall / accuracy from confusion counts [true][predicted]. */
function byHand(m: number[][]): { precision: number; recall: number; accuracy: number } {
  const k = m.length;
  let p = 0;
  let r = 0;
  let right = 0;
  let n = 0;
  for (let c = 0; c < k; c++) {
    const col = m.reduce((s, row) => s + row[c]!, 0);
    const rowSum = m[c]!.reduce((s, v) => s + v, 0);
    p += col === 0 ? 0 : m[c]![c]! / col;
    r += rowSum === 0 ? 0 : m[c]![c]! / rowSum;
    right += m[c]![c]!;
    n += rowSum;
  }
  return { precision: p / k, recall: r / k, accuracy: right / n };
}

describe('a two-model study (MobileNetV1-0.25 at 32x32 and 40x40, 4 x 1, 1 epoch)', () => {
  let tmp: string;
  let out: StudyOutcome;
  let first: StudyOutcome;
  let seconds: number;
  let runs: Run[];
  const dir = () => path.join(tmp, 'study');

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'slt-study-'));
    const config = parseStudyConfig({
      data, population: 4, generations: 1, epochs: 1, seed: 7, workers: 0, out: path.join(tmp, 'study'), trackingUri: path.join(tmp, 'mlruns'), name: 'tiny',
      models: [{ model: 'mobilenet_v1_0.25', weights, input: '32x32' }, { model: 'mobilenet_v1_0.25', weights, input: '40x40' }],
    });
    const t0 = performance.now();
    // Stop once the first model is done: the study is interrupted, then resumed.
    const ctl = new AbortController();
    first = await runStudy(config, { signal: ctl.signal, studyId: 'tiny-study', onEvent: (e) => e.type === 'study.model.finished' && ctl.abort(new Error('test stop')) });
    out = await resumeStudy(dir());
    seconds = (performance.now() - t0) / 1000;
    console.log(`tiny two-model study (2 x (4 GA + 6 baselines) evaluations, 1 epoch): ${seconds.toFixed(1)} s wall`);
    const store = new FileStore(path.join(tmp, 'mlruns'));
    const exp = await store.getExperimentByName('slt');
    runs = exp ? await store.searchRuns([exp.experimentId], '') : [];
  }, 1_800_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is interrupted after its first model and resumes with the second only', async () => {
    expect(first.status).toBe('interrupted');
    expect(first.state.models.map((m) => m.status)).toEqual(['finished', 'pending']);
    expect(out.status).toBe('finished');
    expect(out.state.attempts).toBe(2);
    const types = (await readJournal(path.join(dir(), 'study.jsonl'))).map((r) => r.type);
    expect(types.filter((t) => t === 'study.model.finished')).toHaveLength(2);
    expect(types.filter((t) => t === 'study.interrupted')).toHaveLength(1);
    // The first model's search was not run again: one search.started, no resume.
    const j1 = (await readJournal(path.join(dir(), 'models/mobilenet_v1_0.25_32x32/journal.jsonl'))).map((r) => r.type);
    expect(j1.filter((t) => t === 'search.started' || t === 'search.resumed')).toEqual(['search.started']);
  });

  it('writes the paper table as text, Markdown, CSV and JSON', () => {
    const t = out.state.table!;
    expect(t.models.map((m) => m.label)).toEqual(['mobilenet_v1_0.25@32x32', 'mobilenet_v1_0.25@40x40']);
    for (const m of t.models) {
      expect(m.cells['freeze-all']!.trainableLayers).toBe(0);
      expect(m.cells['train-all']!.trainableLayers).toBe(86);
      expect(m.cells.heuristic!.trainableLayers).toBe(43);
      expect(m.cells.random!.trainableLayers).toBe(m.cells.GA!.trainableLayers);
      expect(m.cells.random!.n).toBe(3);
      expect(m.cells['train-all']!.trainableParams!).toBeGreaterThan(m.cells['freeze-all']!.trainableParams!);
      for (const c of Object.values(m.cells)) expect(c!.testAccuracy).toBeGreaterThanOrEqual(0);
    }
    const csv = readFileSync(path.join(dir(), 'study.csv'), 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('model,input,row,freeze-all,train-all,heuristic,random,GA');
    expect(csv).toHaveLength(13);
    expect(csv[1]).toMatch(/^mobilenet_v1_0\.25@32x32,32x32,number of trainable layers,0,86,43,\d+,\d+$/);
    // MobileNetV1: 54 of its 86 layers have weights
    expect(csv[2]).toMatch(/^mobilenet_v1_0\.25@32x32,32x32,layers with weights,0,54,\d+,[\d.]+,\d+$/);
    expect(csv[7]).toMatch(/^mobilenet_v1_0\.25@40x40,40x40,number of trainable layers,/);
    const gaAcc = t.models[1]!.cells.GA!.testAccuracy!;
    expect(Number(csv[9]!.split(',').at(-1))).toBe(gaAcc);
    expect(readFileSync(path.join(dir(), 'study.md'), 'utf8')).toContain('| mobilenet_v1_0.25@32x32 | number of trainable layers | 0 | 86 | 43 |');
    expect(readFileSync(path.join(dir(), 'study.txt'), 'utf8')).toMatch(/test accuracy\s+0\.\d{4}/);
    const json = JSON.parse(readFileSync(path.join(dir(), 'study.json'), 'utf8'));
    expect(json.models).toEqual(JSON.parse(JSON.stringify(t.models)));
    expect(json.confusion['mobilenet_v1_0.25@40x40'].methods.map((m: { method: string }) => m.method)).toEqual(['GA (best)', 'freeze-all', 'train-all', 'heuristic', 'random-1', 'random-2', 'random-3']);
  });

  it('gives per method macro precision and recall equal to a hand computation from its confusion matrix', async () => {
    for (const m of out.state.models) {
      const c = m.comparison as Comparison;
      const started = (await readJournal(path.join(dir(), 'models', m.slug, 'journal.jsonl'))).find((r) => r.type === 'search.started') as unknown as { dataset: { counts: { test: number } } };
      expect(c.classNames).toHaveLength(10);
      for (const r of c.rows) {
        const h = byHand(r.confusion!);
        expect(r.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(started.dataset.counts.test);
        expect(r.macroPrecision).toBeCloseTo(h.precision, 12);
        expect(r.macroRecall).toBeCloseTo(h.recall, 12);
        expect(r.testAccuracy).toBeCloseTo(h.accuracy, 12);
      }
      const files = readdirSync(path.join(dir(), 'models', m.slug));
      expect(files).toEqual(expect.arrayContaining(['confusion.json', 'confusion-ga-best.png', 'confusion-freeze-all.png', 'confusion-random-3.png', 'comparison.md', 'fitness.png']));
      const png = readFileSync(path.join(dir(), 'models', m.slug, 'confusion-ga-best.png'));
      expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    }
  });

  it('logs one MLflow study run, a child compare run per model, and the genome and baseline runs under each', async () => {
    const study = runs.filter((r) => r.tags['slt.kind'] === 'study');
    expect(study).toHaveLength(1);
    const s = study[0]!;
    expect(s.info.status).toBe('FINISHED');
    expect(s.params.models).toBe('mobilenet_v1_0.25@32x32,mobilenet_v1_0.25@40x40');
    const artifacts = readdirSync(fileURLToPath(s.info.artifactUri)).sort();
    expect(artifacts).toEqual(['study.csv', 'study.json', 'study.md', 'study.txt']);
    expect(readFileSync(path.join(fileURLToPath(s.info.artifactUri), 'study.csv'), 'utf8')).toBe(readFileSync(path.join(dir(), 'study.csv'), 'utf8'));
    const models = runs.filter((r) => r.tags['mlflow.parentRunId'] === s.info.runId);
    expect(models.map((r) => r.tags['slt.study_model']).sort()).toEqual(['mobilenet_v1_0.25@32x32', 'mobilenet_v1_0.25@40x40']);
    for (const m of models) {
      expect(m.tags['slt.kind']).toBe('compare');
      expect(m.tags['slt.study_id']).toBe('tiny-study');
      expect(m.info.status).toBe('FINISHED');
      const kids = runs.filter((r) => r.tags['mlflow.parentRunId'] === m.info.runId);
      expect(kids.filter((k) => k.tags['slt.kind'] === 'genome')).toHaveLength(4);
      expect(kids.filter((k) => k.tags['slt.kind'] === 'baseline').map((k) => k.tags['slt.baseline']).sort()).toEqual(['freeze-all', 'heuristic', 'random-1', 'random-2', 'random-3', 'train-all']);
      const art = readdirSync(fileURLToPath(m.info.artifactUri));
      expect(art).toEqual(expect.arrayContaining(['comparison.json', 'confusion.json', 'confusion-ga-best.png', 'fitness.png']));
    }
    // slt sync of a delivered study finds every run and creates none.
    const reports = await syncStudy(dir());
    expect(reports).toHaveLength(3);
    expect(reports.reduce((n, r) => n + r.runsCreated, 0)).toBe(0);
    // slt sync --tracking-uri OTHER: the model runs there are children of the study run THERE.
    const other = path.join(tmp, 'mlruns-other');
    await syncStudy(dir(), { trackingUri: other });
    const store2 = new FileStore(other);
    const runs2 = await store2.searchRuns([(await store2.getExperimentByName('slt'))!.experimentId], '');
    const study2 = runs2.filter((r) => r.tags['slt.kind'] === 'study');
    expect(study2).toHaveLength(1);
    expect(study2[0]!.info.runId).not.toBe(s.info.runId);
    const models2 = runs2.filter((r) => r.tags['slt.kind'] === 'compare');
    expect(models2).toHaveLength(2);
    for (const m of models2) expect(m.tags['mlflow.parentRunId']).toBe(study2[0]!.info.runId);
    // Per-model figures on the study run.
    expect(s.metrics.find((x) => x.key === 'mobilenet_v1_0.25_40x40.ga.test_accuracy')?.value).toBe(out.state.table!.models[1]!.cells.GA!.testAccuracy);
  });
});

describe('study preflight', () => {
  it('fails before anything is written when a model has no weights, naming it and how to get them', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'slt-study-pre-'));
    const cache = process.env.SLT_CACHE_DIR;
    process.env.SLT_CACHE_DIR = path.join(tmp, 'empty-cache');
    try {
      const config = parseStudyConfig({
        data, population: 4, generations: 1, epochs: 1, workers: 0, out: path.join(tmp, 'study'), trackingUri: path.join(tmp, 'mlruns'),
        models: [{ model: 'mobilenet_v1_0.25', weights }, { model: 'mobilenet_v1_0.5' }, { model: 'vgg16', weights: path.join(tmp, 'no-such.h5') }],
      });
      const err = await runStudy(config).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StudyPreflightError);
      const e = err as StudyPreflightError;
      expect(e.problems.map((p) => p.label)).toEqual(['model mobilenet_v1_0.5', 'model vgg16']);
      expect(e.message).toMatch(/mobilenet_v1_0\.5[^]*slt cache add/);
      expect(e.message).toContain('no-such.h5');
      expect(e.kind).toBe('bad-input');
      expect(existsSync(path.join(tmp, 'study'))).toBe(false);
      expect(existsSync(path.join(tmp, 'mlruns'))).toBe(false);
    } finally {
      if (cache === undefined) delete process.env.SLT_CACHE_DIR;
      else process.env.SLT_CACHE_DIR = cache;
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
