/**
 * Every crash window, one by one: a finished journal of a real seeded search is cut after EVERY
 * record k (as a kill -9 right after record k would leave it), what the cut journal says is
 * delivered to a fresh MLflow FileStore (the crashed process may have done so), the search is
 * resumed to its end and synced, and the result is compared with the uninterrupted run: journal
 * evaluations, final population, FileStore runs, statuses, params, tags, metric steps and values.
 * A 200-image subset of Fashion-MNIST keeps each evaluation short.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchConfig, readSearchState, resumeSearch, runSearch, syncSearch } from '@slt/runner';
import { compareResults, leftovers, readResult, type SearchResult } from './crash.js';
import { sharedData, tempDir } from './helpers.js';

/** A class-balanced IDX subset of Fashion-MNIST-900 (`perClass` images of each of the 10 classes). */
export function idxSubset(dir: string, perClass: number): string {
  const src = path.join(sharedData, 'fashion-mnist-900');
  const images = readFileSync(path.join(src, 'images-idx3-ubyte'));
  const labels = readFileSync(path.join(src, 'labels-idx1-ubyte'));
  const n = labels.readUInt32BE(4);
  const size = images.readUInt32BE(8) * images.readUInt32BE(12);
  const pick: number[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = labels[8 + i];
    if ((seen.get(c) ?? 0) < perClass) {
      pick.push(i);
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
  }
  const img = Buffer.alloc(16 + pick.length * size);
  images.copy(img, 0, 0, 16);
  img.writeUInt32BE(pick.length, 4);
  const lab = Buffer.alloc(8 + pick.length);
  labels.copy(lab, 0, 0, 8);
  lab.writeUInt32BE(pick.length, 4);
  pick.forEach((i, j) => {
    images.copy(img, 16 + j * size, 16 + i * size, 16 + (i + 1) * size);
    lab[8 + j] = labels[8 + i];
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'images-idx3-ubyte'), img);
  writeFileSync(path.join(dir, 'labels-idx1-ubyte'), lab);
  return dir;
}

/** The first `k` records of a journal, re-homed into `dir` (its folder and its MLflow store). */
function cutJournal(lines: string[], k: number, dir: string, mlruns: string): void {
  mkdirSync(dir, { recursive: true });
  const out = lines.slice(0, k).map((l) => {
    const r = JSON.parse(l);
    if (r.type === 'search.started') {
      r.config = { ...r.config, out: dir, trackingUri: mlruns };
      r.tracking = { uri: mlruns };
    }
    return JSON.stringify(r);
  });
  writeFileSync(path.join(dir, 'journal.jsonl'), out.length ? `${out.join('\n')}\n` : '');
}

describe('a finished journal cut after every record k resumes and syncs to the uninterrupted result', () => {
  let cwd: string;
  let data: string;
  let ref: SearchResult;
  let lines: string[];
  let searchId: string;
  const config = (out: string, mlruns: string) =>
    parseSearchConfig({
      model: 'mobilenet_v1_0.25', weights: path.join(sharedData, 'models/mobilenet_v1_0.25_224'), data, input: '32x32', population: 4, generations: 2,
      epochs: 1, batch: 32, seed: 11, workers: 0, out, trackingUri: mlruns, experiment: 'cut-test',
    }, 'test');

  beforeAll(async () => {
    cwd = await tempDir('cut');
    data = idxSubset(path.join(cwd, 'data'), 20);
    const refDir = path.join(cwd, 'ref');
    const out = await runSearch(config(refDir, path.join(cwd, 'ref-mlruns')));
    expect(out.status).toBe('finished');
    expect(out.pendingRuns).toBe(0);
    searchId = out.searchId;
    lines = readFileSync(path.join(refDir, 'journal.jsonl'), 'utf8').trim().split('\n');
    ref = readResult(path.join(refDir, 'journal.jsonl'), path.join(cwd, 'ref-mlruns'));
    expect(ref.evaluations.length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(ref.store).length).toBe(ref.evaluations.length + 1);
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('for every k', async () => {
    const failures: string[] = [];
    for (let k = 1; k <= lines.length; k++) {
      const dir = path.join(cwd, `k${k}`);
      const mlruns = path.join(cwd, `k${k}-mlruns`);
      cutJournal(lines, k, dir, mlruns);
      const started = lines.slice(0, k).some((l) => JSON.parse(l).type === 'search.started');
      if (started) {
        // What the crashed process may have delivered already: everything up to record k.
        await syncSearch(dir);
        const out = await resumeSearch(dir);
        expect(out.status).toBe('finished');
        if (k === lines.length) expect(out.alreadyFinished).toBe(true);
      } else {
        // Killed before search.started: the folder is accepted by a new search of the same id.
        await expect(resumeSearch(dir)).rejects.toThrow(/never started/);
        await runSearch(config(dir, mlruns), { searchId });
      }
      const report = await syncSearch(dir);
      expect(report.pendingRuns).toBe(0);
      const c = compareResults(ref, readResult(path.join(dir, 'journal.jsonl'), mlruns));
      const left = leftovers(dir);
      if (!c.identical || !c.exactStore || left.length) failures.push(`k=${k} (${JSON.parse(lines[k - 1]).type}): ${[...c.differences.slice(0, 4), ...left].join('; ')}`);
      expect((await readSearchState(dir)).status).toBe('finished');
      await rm(dir, { recursive: true, force: true });
      await rm(mlruns, { recursive: true, force: true });
    }
    expect(failures).toEqual([]);
  }, 3_600_000);
});
