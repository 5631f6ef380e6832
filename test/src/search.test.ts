/**
 * A seeded search through the real `slt` bin: its journal and FileStore output; then the same
 * search killed (SIGKILL) at several points and resumed, compared with the uninterrupted run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, lineOf, readFileStore, readRecords, sharedData, slt, smallSearchFlags, tempDir, waitFor, type Rec, linesOf, recordOf, recordsOf } from './helpers.js';

const FMNIST = path.join(sharedData, 'fashion-mnist-900');

describe('slt search (fashion-mnist-900, MobileNetV1-0.25, 4 x 2, 1 epoch)', () => {
  let cwd: string;
  let stdout: string;
  let exitCode: number | undefined;
  let records: Rec[];

  beforeAll(async () => {
    cwd = await tempDir('search');
    const r = await slt(['search', ...smallSearchFlags(FMNIST, ['--workers', '1', '--json', '--out', 'full'])], cwd);
    stdout = r.stdout;
    exitCode = r.exitCode;
    if (r.exitCode !== 0) console.error(r.all);
    records = readRecords(path.join(cwd, 'full/journal.jsonl'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('runs to the end and prints JSON lines of every evaluation and the result', () => {
    expect(exitCode).toBe(0);
    const lines = jsonLines(stdout);
    const evals = linesOf(lines, 'evaluation');
    const cached = linesOf(lines, 'cached');
    expect(evals.length + cached.length).toBe(8);
    for (const e of evals) {
      expect(e.mask).toMatch(/^[01]{86}$/);
      expect(e.fitness).toBeGreaterThan(0);
      expect(e.fitness).toBeLessThanOrEqual(1);
      expect(e.trainableParams).toBeGreaterThan(10_256 - 1);
    }
    expect(linesOf(lines, 'generation').map((l) => l.generation)).toEqual([0, 1]);
    expect(lines.at(-1)).toMatchObject({ type: 'result', status: 'finished' });
    expect(lineOf(lines, 'result').best?.fitness).toBe(Math.max(...evals.map((e) => e.fitness ?? Number.NaN)));
  });

  it('journals every evaluation exactly once, the GA state per generation, and the end', () => {
    const finished = recordsOf(records, 'eval.finished');
    const keys = finished.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(recordsOf(records, 'ga.snapshot').map((r) => r.generation)).toEqual([0, 1]);
    const started = recordOf(records, 'search.started');
    expect(started.model.layerNames).toHaveLength(86);
    expect(started.model.layerNames[1]).toBe('conv1');
    expect(started.config.seed).toBe(7);
    expect(records.at(-1)!.type === 'search.finished' || records.some((r) => r.type === 'search.finished')).toBe(true);
  });

  it('delivers the parent and child runs to the FileStore with params, metrics and mask.json', () => {
    const runs = readFileStore(path.join(cwd, 'mlruns')).filter((r) => r.experiment === 'slt');
    const parent = runs.filter((r) => r.tags['slt.kind'] === 'search');
    expect(parent).toHaveLength(1);
    const p = parent[0];
    expect(p.status).toBe(3); // FINISHED
    expect(p.params).toMatchObject({ model: 'mobilenet_v1_0.25', population: '4', generations: '2', epochs: '1', seed: '7', input_size: '32x32', dataset: 'fashion-mnist-900' });
    expect(p.metrics.best_fitness.map(([, step]) => step).sort()).toEqual([0, 1]);
    expect(p.metrics.mean_fitness).toHaveLength(2);
    const children = runs.filter((r) => r.tags['mlflow.parentRunId'] === p.runId);
    const trained = recordsOf(records, 'eval.finished');
    expect(children).toHaveLength(trained.length);
    for (const c of children) {
      expect(c.tags['slt.kind']).toBe('genome');
      expect(Object.keys(c.params)).toEqual(expect.arrayContaining(['generation', 'index', 'kind', 'mask', 'trainable_layers', 'trainable_params', 'total_params']));
      expect(Number(c.params.trainable_layers)).toBe([...c.params.mask].filter((b) => b === '1').length);
      for (const k of ['best_val_accuracy', 'test_accuracy', 'eval_seconds', 'train_loss', 'train_accuracy', 'val_loss', 'val_accuracy']) {
        expect(c.metrics[k], k).toBeDefined();
      }
      expect(c.metrics.val_accuracy).toHaveLength(1);
      const rec = trained.find((r) => r.mask === c.params.mask && String(r.generation) === c.params.generation)!;
      expect(c.metrics.best_val_accuracy[0][0]).toBeCloseTo(rec.fitness, 12);
      const mask = JSON.parse(readFileSync(path.join(c.dir, 'artifacts/mask.json'), 'utf8'));
      expect(mask.layers).toHaveLength(86);
      expect(mask.layers.filter((l: { trainable: boolean }) => l.trainable)).toHaveLength(Number(c.params.trainable_layers));
      expect(mask.layers[86 - 1].name).toBe('conv_pw_13_relu');
    }
  });

  it('resumes after SIGKILL at several points: same final population and fitness, each evaluation once', async () => {
    const out = path.join(cwd, 'killed');
    const journal = path.join(out, 'journal.jsonl');
    const count = (type: string, pred: (r: Rec) => boolean = () => true) => readRecords(journal).filter((r) => r.type === type && pred(r)).length;
    // SIGKILL mid-training of the first genome, after three evaluations, in generation 1; then a
    // Ctrl-C (SIGINT) mid-training, which must stop cleanly: run KILLED, exit 130, resumable.
    let startedBefore = 0;
    const killPoints: [() => boolean, NodeJS.Signals][] = [
      [() => count('eval.started') >= 1, 'SIGKILL'],
      [() => count('eval.finished') >= 3, 'SIGKILL'],
      [() => count('eval.started', (r) => r.generation === 1) >= 1, 'SIGKILL'],
      [() => count('eval.started') > startedBefore, 'SIGINT'],
    ];
    for (let i = 0; i < killPoints.length; i++) {
      const [point, signal] = killPoints[i];
      startedBefore = count('eval.started');
      const args = i === 0 ? ['search', ...smallSearchFlags(FMNIST, ['--workers', '0', '--out', 'killed'])] : ['resume', out];
      const child = slt(args, cwd);
      await waitFor(() => point() || child.exitCode !== null, 300_000);
      child.kill(signal);
      const r = await child;
      if (signal === 'SIGKILL') expect(r.signal ?? 'exited', `kill ${i}: ${r.all?.slice(-2000)}`).toBe('SIGKILL');
      else {
        expect(r.exitCode, r.all?.slice(-2000)).toBe(130);
        expect(r.stderr).toMatch(/slt resume/);
        const recs = readRecords(journal);
        // The journal holds the event only; the parent run's KILLED status is derived from it.
        expect(recs.at(-1)).toMatchObject({ type: 'search.interrupted' });
        expect(recs.some((x) => x.type.startsWith('run.'))).toBe(false);
      }
    }
    expect(readRecords(journal).some((r) => r.type === 'search.finished')).toBe(false);
    const last = await slt(['resume', out, '--json'], cwd);
    expect(last.exitCode, last.all).toBe(0);

    const full = recordOf(records, 'search.finished');
    const resumed = readRecords(journal);
    const end = recordOf(resumed, 'search.finished');
    expect(end.population).toEqual(full.population);
    expect(end.best).toEqual(full.best);
    const keys = recordsOf(resumed, 'eval.finished').map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(recordsOf(records, 'eval.finished').map((r) => r.key).sort());
    for (const k of keys) {
      const a = resumed.find((r) => r.type === 'eval.finished' && r.key === k)!;
      const b = records.find((r) => r.type === 'eval.finished' && r.key === k)!;
      expect([k, a.mask, a.fitness]).toEqual([k, b.mask, b.fitness]);
    }
    expect(recordsOf(resumed, 'search.resumed')).toHaveLength(4);
    // Every evaluation is one child run, created once, FINISHED; the parent FINISHED too.
    const id = recordOf(resumed, 'search.started').searchId;
    const runs = readFileStore(path.join(cwd, 'mlruns')).filter((r) => r.tags['slt.search_id'] === id);
    const names = runs.map((r) => r.tags['mlflow.runName']);
    expect(new Set(names).size).toBe(names.length);
    expect(runs).toHaveLength(keys.length + 1);
    expect(runs.every((r) => r.status === 3)).toBe(true);
    expect(existsSync(path.join(out, 'search.lock'))).toBe(false);
  });
});
