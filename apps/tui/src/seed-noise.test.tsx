/**
 * The Results screen says which differences are within the seeds' noise: three real finished
 * compare journals differing only in their seed, drawn by the real App (ink-testing-library).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSearchConfig } from '@slt/runner/light';
import { openJournal } from '@slt/tracking';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, expect, test } from 'vitest';
import { App } from './App.js';
import { initialAppState } from './state/app.js';
import { expectFits, until } from './testing/frames.js';

const BIG = { columns: 120, rows: 40 };

// A finished compare search's journal (one generation, two baselines; 200 validation images) under `root`.
function writeCompare(root: string, id: string, seed: number, [ga, heuristic, freeze]: number[]): string {
  const dir = path.join(root, id);
  mkdirSync(dir, { recursive: true });
  const j = openJournal(path.join(dir, 'journal.jsonl'));
  j.createRun({ runKey: id, runName: 'search' });
  const res = (fitness: number) => ({ fitness, testAccuracy: fitness, epochs: [], trainableParams: 10, totalParams: 90, trainableLayers: 2, seconds: 1, imagesPerSecond: 1, backend: 'cpu', prefixReused: 0 });
  j.append('search.started', {
    searchId: id, config: { ...parseSearchConfig({ data: 'd', population: 4, generations: 1, epochs: 1, workers: 0 }), seed, out: dir }, mode: 'compare', parentRunKey: id,
    model: { name: 'm', genomeLength: 4, layerNames: ['a', 'b', 'c', 'd'], lockedGenes: [] },
    dataset: { name: 'ds', classNames: ['x', 'y'], counts: { train: 600, val: 200, test: 200 }, shape: [32, 32, 1] }, totalEvaluations: 1, totalBaselines: 2, pid: 1, host: 'h',
  });
  j.append('generation.started', { generation: 0, genomes: [{ index: 0, mask: '1100', cached: false }] });
  j.append('eval.finished', { key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '1100', fitness: ga, result: res(ga), runKey: `${id}-0` });
  j.append('generation.finished', { generation: 0, best: ga, mean: ga, worst: ga, bestMask: '1100', bestTrainableParams: 10, evaluations: 1, cacheHits: 0 });
  j.append('search.baselines', { baselines: [{ label: 'heuristic', mask: '0011' }, { label: 'freeze-all', mask: '0000' }] });
  j.append('eval.finished', { key: 'baseline/heuristic', kind: 'baseline', generation: -1, index: 0, mask: '0011', label: 'heuristic', fitness: heuristic, result: res(heuristic), runKey: `${id}-h` });
  j.append('eval.finished', { key: 'baseline/freeze-all', kind: 'baseline', generation: -1, index: 1, mask: '0000', label: 'freeze-all', fitness: freeze, result: res(freeze), runKey: `${id}-f` });
  j.append('search.finished', { population: [{ mask: '1100', fitness: ga }], seconds: 3 });
  j.close();
  return dir;
}

let root: string | undefined;
afterEach(() => {
  cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

test("results: a difference within the seeds' noise of the searches beside it is no real difference (e: the whole sentence)", async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-seeds-'));
  const dir = writeCompare(root, '20260101-000000-aaaa', 1, [0.5, 0.49, 0.4]);
  writeCompare(root, '20260101-000001-bbbb', 2, [0.52, 0.53, 0.4]);
  writeCompare(root, '20260101-000002-cccc', 3, [0.54, 0.51, 0.43]);
  const r = render(<App root={root} size={BIG} color={false} initial={initialAppState({ models: ['m'], attach: { id: '20260101-000000-aaaa', dir } })} />);
  await until(() => expect(expectFits(r.lastFrame(), BIG)).toContain('· finished ·'));
  r.stdin.write('r');
  const text = await until(() => {
    const t = expectFits(r.lastFrame(), BIG);
    expect(t).toContain("seeds' noise");
    return t;
  });
  expect(text).toContain("≈ no real difference (within the seeds' noise, sd 0.0191 over 3 seeds): GA (best) ~ heuristic");
  r.stdin.write('e');
  await until(() => expect(expectFits(r.lastFrame(), BIG)).toContain("GA (best) and heuristic: val accuracy 0.0100 apart, within the seeds' noise (pooled sd 0.0191 over 3 seeds)"));
});
