/**
 * `slt compare` through the real bin on the small seeded budget, detached (`--detach`, then
 * `slt attach` follows it to the end): the GA and every baseline run to the end; the table has
 * every row; MLflow holds the runs, tags and artifacts of one comparison.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, jsonLines, lineOf, readFileStore, readRecords, sharedData, slt, smallSearchFlags, tempDir, type Rec } from './helpers.js';

const METHODS = ['GA (best)', 'freeze-all', 'train-all', 'heuristic', 'random-1', 'random-2', 'random-3'];

describe('slt compare (fashion-mnist-900, MobileNetV1-0.25, 4 x 2, 1 epoch)', () => {
  let cwd: string;
  let out: { stdout: string; exitCode?: number; all?: string };
  let launch: { exitCode?: number; stdout: string; all?: string };
  let attach: { exitCode?: number; stdout: string; all?: string };
  let aliveAfterLaunch: boolean;
  let records: Rec[];

  beforeAll(async () => {
    cwd = await tempDir('compare');
    launch = await slt(['compare', ...smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--workers', '0', '--out', 'cmp', '--format', 'markdown', '--detach', '--json'])], cwd);
    const pid = lineOf(jsonLines(launch.stdout), 'detached').pid;
    aliveAfterLaunch = pid > 0 && isAlive(pid);
    attach = await slt(['attach', 'cmp'], cwd);
    // The detached search printed its table into its own output file.
    const log = path.join(cwd, 'cmp/search.out');
    out = { stdout: existsSync(log) ? readFileSync(log, 'utf8') : '', exitCode: attach.exitCode, all: `${attach.all}\n${existsSync(log) ? readFileSync(path.join(cwd, 'cmp/search.err'), 'utf8') : ''}` };
    records = readRecords(path.join(cwd, 'cmp/journal.jsonl'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('runs detached: the launching command returns at once, attach follows the search to its end', () => {
    expect(launch.exitCode, launch.all).toBe(0);
    expect(aliveAfterLaunch).toBe(true);
    expect(attach.exitCode, attach.all?.slice(-3000)).toBe(0);
    expect(attach.stdout).toMatch(/: finished, best val accuracy 0\.\d{4}/);
    expect(existsSync(path.join(cwd, 'cmp/search.lock'))).toBe(false);
  });

  it('prints the paper table in Markdown with every row', () => {
    expect(out.exitCode, out.all?.slice(-3000)).toBe(0);
    const rows = out.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| method') && !l.startsWith('| ---'));
    expect(rows.map((r) => r.split('|')[1].trim())).toEqual(METHODS);
    const byMethod = Object.fromEntries(rows.map((r) => [r.split('|')[1].trim(), r.split('|').map((c) => c.trim())]));
    expect(byMethod['freeze-all'][2]).toBe('0');
    expect(byMethod['train-all'][2]).toBe('86');
    expect(byMethod.heuristic[2]).toBe('43');
    // The random masks have as many layers as the GA's best.
    for (const m of ['random-1', 'random-2', 'random-3']) expect(byMethod[m][2]).toBe(byMethod['GA (best)'][2]);
    // Columns by their header (columns may be added).
    const head = out.stdout.split('\n').find((l) => l.startsWith('| method'))!.split('|').map((c) => c.trim());
    for (const col of ['test accuracy', 'test macro precision', 'test macro recall']) {
      const i = head.indexOf(col);
      expect(i, col).toBeGreaterThan(0);
      for (const r of rows) expect(r.split('|')[i].trim()).toMatch(/^0\.\d{4}$|^1\.0000$/);
    }
  });

  it('writes the table as text, Markdown and JSON and a PNG chart', () => {
    const json = JSON.parse(readFileSync(path.join(cwd, 'cmp/comparison.json'), 'utf8'));
    expect(json.rows.map((r: { method: string }) => r.method)).toEqual(METHODS);
    // Macro precision and recall of the test split beside the accuracy, from the confusion counts.
    const confusion = JSON.parse(readFileSync(path.join(cwd, 'cmp/confusion.json'), 'utf8'));
    expect(confusion.methods.map((m: { method: string }) => m.method)).toEqual(METHODS);
    for (const r of json.rows) {
      expect(r.macroPrecision).toBeGreaterThanOrEqual(0);
      expect(r.macroRecall).toBeGreaterThanOrEqual(0);
      expect(r.confusion).toHaveLength(10);
    }
    expect(json.generations.map((g: { generation: number }) => g.generation)).toEqual([0, 1]);
    const trainAll = json.rows.find((r: { method: string }) => r.method === 'train-all');
    const freeze = json.rows.find((r: { method: string }) => r.method === 'freeze-all');
    expect(trainAll.trainableParams).toBeGreaterThan(freeze.trainableParams);
    expect(readFileSync(path.join(cwd, 'cmp/comparison.txt'), 'utf8')).toContain('trainable params');
    // The differences within one image are noted in the files too (none is an empty list).
    expect(Array.isArray(json.notes)).toBe(true);
    const png = readFileSync(path.join(cwd, 'cmp/fitness.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(5000);
  });

  it('logs GA and baselines as child runs of one comparison, with the table and chart as artifacts', () => {
    const runs = readFileStore(path.join(cwd, 'mlruns')).filter((r) => r.experiment === 'slt');
    const parent = runs.find((r) => r.tags['slt.kind'] === 'compare')!;
    expect(parent.status).toBe(3);
    // The table, the chart, and each method's test confusion matrix (JSON for all, a PNG each).
    const confusion = ['confusion-freeze-all.png', 'confusion-ga-best.png', 'confusion-heuristic.png', 'confusion-random-1.png', 'confusion-random-2.png', 'confusion-random-3.png', 'confusion-train-all.png'];
    expect(parent.artifacts).toEqual(expect.arrayContaining(['comparison.json', 'comparison.md', 'comparison.txt', ...confusion, 'confusion.json', 'fitness.png']));
    const children = runs.filter((r) => r.tags['mlflow.parentRunId'] === parent.runId);
    const baselines = children.filter((r) => r.tags['slt.kind'] === 'baseline');
    expect(baselines.map((r) => r.tags['slt.baseline']).sort()).toEqual(['freeze-all', 'heuristic', 'random-1', 'random-2', 'random-3', 'train-all']);
    const genomes = children.filter((r) => r.tags['slt.kind'] === 'genome');
    expect(genomes).toHaveLength(records.filter((r) => r.type === 'eval.finished' && r.kind === 'ga').length);
    for (const c of children) {
      expect(c.tags['slt.comparison']).toBe(parent.tags['slt.comparison']);
      expect(c.metrics.test_accuracy).toHaveLength(1);
      expect(c.artifacts).toContain('mask.json');
    }
    const freeze = baselines.find((r) => r.tags['slt.baseline'] === 'freeze-all')!;
    expect(freeze.params.mask).toBe('0'.repeat(86));
    // Freeze all, alpha 0.25 at 32 px, 10 classes: 1x1 adapter (1*3+3) + Dense over the 1x1x256 features (256*10+10).
    expect(Number(freeze.params.trainable_params)).toBe(6 + 2570);
  });
});
