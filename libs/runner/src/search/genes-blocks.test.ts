/**
 * `--genes blocks` records what really trained: a real seeded search (MobileNetV1-0.25 at 32 px,
 * 4 x 2, 1 epoch, small splits, in process) journals each GA evaluation's expanded layer mask as
 * `mask` and the GA genome beside it as `genome`; the tables' state, MLflow (params, mask.json),
 * the saved best model and a resume after an interruption all use them consistently.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStore, type Run } from '@slt/tracking';
import { countSetBits } from '@slt/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchConfig } from '../config/schema.js';
import { readSearchJournal } from '../journal/read.js';
import type { RunnerRecord, SearchEvent } from '../journal/records.js';
import { geneLayoutPort } from '../ports/models.js';
import { resumeSearch, runSearch, type SearchOutcome } from './run.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const shared = path.resolve(repoRoot, '../shared/data');
const layout = geneLayoutPort('mobilenet_v1_0.25', 'blocks');
type Of<T extends RunnerRecord['type']> = Extract<RunnerRecord, { type: T }>;
/** The journal's records of `type`, as parsed by readSearchJournal with each type's schema. */
const of = <T extends RunnerRecord['type']>(records: readonly SearchEvent[], type: T): Of<T>[] =>
  records.filter((r): r is Of<T> => r.type === type);

describe('a --genes blocks search (4 x 2, 1 epoch, interrupted and resumed)', () => {
  let tmp: string;
  let first: SearchOutcome;
  let out: SearchOutcome;
  let records: SearchEvent[];
  let runs: Run[];
  const dir = () => path.join(tmp, 'search');

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'slt-blocks-'));
    const config = parseSearchConfig({
      data: path.join(shared, 'fashion-mnist-900'), weights: path.join(shared, 'models/mobilenet_v1_0.25_224'), input: '32x32',
      population: 4, generations: 2, epochs: 1, seed: 3, workers: 0, genes: 'blocks', trainLimit: 120, valLimit: 40, testLimit: 40,
      out: dir(), trackingUri: path.join(tmp, 'mlruns'),
    });
    // Stop after the third GA evaluation; the resume replays the GA from the journal.
    const ctl = new AbortController();
    let n = 0;
    first = await runSearch(config, { signal: ctl.signal, onEvent: (e) => { if (e.type === 'eval.finished' && ++n === 3) ctl.abort(new Error('test stop')); } });
    out = await resumeSearch(dir());
    records = await readSearchJournal(path.join(dir(), 'journal.jsonl'));
    const store = new FileStore(path.join(tmp, 'mlruns'));
    const exp = await store.getExperimentByName('slt');
    runs = exp ? await store.searchRuns([exp.experimentId], '') : [];
  }, 900_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('journals the expanded mask that trained and the GA genome beside it', () => {
    expect(first.status).toBe('interrupted');
    expect(out.status).toBe('finished');
    const finished = of(records, 'eval.finished').filter((r) => r.kind === 'ga');
    const cached = of(records, 'eval.cached');
    expect(finished.length + cached.length).toBe(8); // GA cache hits are not trained again
    expect(finished.length).toBeGreaterThan(4);
    for (const r of cached) expect(r.mask).toBe(layout.expand(r.genome ?? r.mask));
    for (const r of finished) {
      const genome = (r.genome ?? r.mask) as string;
      expect(r.mask).toBe(layout.expand(genome));
      if (r.mask !== genome) expect(r.genome).toBe(genome);
      else expect(r.genome).toBeUndefined();
      // locked genes stay 0 in the genome; the mask sets every weighted layer of a chosen block
      for (const i of layout.locked) expect(genome[i]).toBe('0');
      const result = r.result as { trainableLayers: number; trainableWeightedLayers: number };
      expect(result.trainableLayers).toBe(countSetBits(r.mask as string));
      expect(result.trainableWeightedLayers).toBe(layout.weightedTrainable(genome));
    }
    expect(finished.some((r) => r.genome !== undefined)).toBe(true);
    // eval.started and generation.started agree with eval.finished
    for (const r of of(records, 'eval.started').filter((x) => x.kind === 'ga')) {
      const f = finished.find((x) => x.key === r.key)!;
      expect([r.mask, r.genome]).toEqual([f.mask, f.genome]);
    }
    for (const g of of(records, 'generation.started')) {
      for (const a of g.genomes as { index: number; mask: string; genome?: string }[]) expect(a.mask).toBe(layout.expand(a.genome ?? a.mask));
    }
  });

  it('shows the trained mask in the state, the best genome and the generation records', () => {
    const best = out.state.best!;
    const rec = of(records, 'eval.finished').find((r) => r.key === best.key)!;
    expect(best.mask).toBe(rec.mask);
    expect(best.trainableLayers).toBe(countSetBits(rec.mask as string));
    const fin = of(records, 'search.finished')[0]!;
    expect((fin.best as { mask: string }).mask).toBe(rec.mask);
    for (const g of of(records, 'generation.finished')) {
      expect(layout.expand(g.bestMask as string)).toBe(g.bestMask);
      expect(g.bestTrainableParams).toBeGreaterThan(0);
    }
    for (const row of out.state.generations.flatMap((g) => g.rows)) expect(layout.expand(row.mask)).toBe(row.mask);
  });

  it('saves the best model from the mask that trained (same test accuracy as in the search)', () => {
    const saved = of(records, 'search.model')[0]!;
    expect(saved.key).toBe(out.state.best!.key);
    expect(saved.testAccuracy).toBe(out.state.best!.testAccuracy);
    const warned = of(records, 'search.log').filter((r) => /differs from the search/.test(String(r.message)));
    expect(warned).toEqual([]);
  });

  it('gives MLflow the trained mask, the genome and a mask.json with both', () => {
    const ga = runs.filter((r) => r.tags['slt.kind'] === 'genome');
    expect(ga).toHaveLength(of(records, 'eval.finished').filter((r) => r.kind === 'ga').length);
    for (const run of ga) {
      const param = (k: string) => run.params[k];
      const rec = of(records, 'eval.finished').find((r) => param('mask') === r.mask && r.kind === 'ga')!;
      expect(rec).toBeDefined();
      expect(param('genome')).toBe(rec.genome);
      const art = path.join(fileURLToPath(run.info.artifactUri), 'mask.json');
      const json = JSON.parse(readFileSync(art, 'utf8')) as { mask: string; genome?: string; trainableLayers: number };
      expect([json.mask, json.genome, json.trainableLayers]).toEqual([rec.mask, rec.genome, countSetBits(rec.mask as string)]);
    }
    expect(readdirSync(dir())).toContain('journal.jsonl');
  });
});
