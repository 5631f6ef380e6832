import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSearchState } from '../search/run.js';
import { writeFinishedCompare } from '../testing.js';
import { searchSeedNoise } from './seeds.js';
import { buildComparison, comparisonNotes } from './table.js';

const writeCompare = writeFinishedCompare;

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'slt-seeds-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("the seeds' noise of a comparison", () => {
  it('pools the per-method standard deviations over searches differing only in their seed, and says so in the notes', async () => {
    const self = writeCompare(root, '20260101-000000-aaaa', 1, { ga: 0.5, heuristic: 0.49, freeze: 0.4 });
    writeCompare(root, '20260101-000001-bbbb', 2, { ga: 0.52, heuristic: 0.53, freeze: 0.4 });
    // Run with 2 workers and logged elsewhere: what does not change results does not matter.
    writeCompare(root, '20260101-000002-cccc', 3, { ga: 0.54, heuristic: 0.51, freeze: 0.43 }, { workers: 2, experiment: 'other' });
    // Another config (population): not a seed sibling, however far its accuracies are.
    writeCompare(root, '20260101-000003-dddd', 4, { ga: 0.9, heuristic: 0.1, freeze: 0.1 }, { population: 8 });
    const noise = await searchSeedNoise(self);
    expect(noise?.seeds).toBe(3);
    expect(noise?.searches.map((s) => s.seed).sort()).toEqual([1, 2, 3]);
    const sd = Object.fromEntries(noise!.methods.map((m) => [m.method, m.sd]));
    expect(sd['GA (best)']).toBeCloseTo(0.02, 10);
    expect(sd.heuristic).toBeCloseTo(0.02, 10);
    expect(sd['freeze-all']).toBeCloseTo(Math.sqrt(0.0003), 10);
    // Pooled: the square root of the mean variance.
    expect(noise!.val).toBeCloseTo(Math.sqrt((0.0004 + 0.0004 + 0.0003) / 3), 10);

    const c = buildComparison(await readSearchState(self));
    const notes = comparisonNotes(c, { seedNoise: noise });
    // GA 0.50 vs heuristic 0.49: 2 validation images apart (not within one), below the noise 0.0191.
    expect(notes.map((n) => n.text)).toEqual(["GA (best) and heuristic: val accuracy 0.0100 apart, within the seeds' noise (pooled sd 0.0191 over 3 seeds): no real difference"]);
    expect(notes[0].within).toEqual({ noise: noise!.val, seeds: 3 });
  });

  it('is unknown with a single seed (a second search of the same seed, or of another config, does not count): no noise note', async () => {
    const self = writeCompare(root, '20260101-000000-aaaa', 1, { ga: 0.5, heuristic: 0.49, freeze: 0.4 });
    writeCompare(root, '20260101-000001-bbbb', 1, { ga: 0.52, heuristic: 0.53, freeze: 0.4 });
    writeCompare(root, '20260101-000003-dddd', 4, { ga: 0.5, heuristic: 0.49, freeze: 0.4 }, { epochs: 2 });
    expect(await searchSeedNoise(self)).toBeUndefined();
    const c = buildComparison(await readSearchState(self));
    expect(comparisonNotes(c, { seedNoise: await searchSeedNoise(self) })).toEqual([]);
  });
});
