/**
 * The Results screen says which differences are within the seeds' noise: three real finished
 * compare journals differing only in their seed, drawn by the real App (ink-testing-library).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFinishedCompare } from '@slt/runner/testing';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, expect, test } from 'vitest';
import { App } from './App.js';
import { initialAppState } from './state/app.js';
import { expectFits, until } from './testing/frames.js';

const BIG = { columns: 120, rows: 40 };

// A finished compare search's journal under `root` (validation accuracies of the GA's best, heuristic, freeze-all).
const writeCompare = (root: string, id: string, seed: number, [ga, heuristic, freeze]: number[]): string =>
  writeFinishedCompare(root, id, seed, { ga: ga!, heuristic: heuristic!, freeze: freeze! });

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
