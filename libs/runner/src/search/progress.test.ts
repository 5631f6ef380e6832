import { describe, expect, it } from 'vitest';
import { parseSearchConfig } from '../config/schema.js';
import type { SearchEvent } from '../journal/records.js';
import { initialSearchState, reduceJournal, reduceSearch } from '../state/reducer.js';
import { livenessText, progressLine, progressParts, searchLiveness, workersText } from './progress.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const config = { ...parseSearchConfig({ data: 'd', population: 4, generations: 2, epochs: 2, batch: 10, workers: 2 }), seed: 3 };
let seq = 0;
const rec = (t: number, body: Record<string, unknown>): SearchEvent => ({ seq: ++seq, time: at(t), ...body }) as SearchEvent;
const start = (): SearchEvent[] => {
  seq = 0;
  return [
    rec(0, {
      type: 'search.started', searchId: 's1', config, mode: 'search', parentRunKey: 's1', totalEvaluations: 8, totalBaselines: 0, pid: 1, host: 'h',
      model: { name: 'm', genomeLength: 4, layerNames: ['a', 'b', 'c', 'd'], lockedGenes: [] },
      dataset: { name: 'ds', classNames: ['x', 'y'], counts: { train: 6, val: 2, test: 2 }, shape: [32, 32, 1] },
    }),
    rec(1, { type: 'generation.started', generation: 0, genomes: ['1100', '0011', '1010', '0101'].map((mask, index) => ({ index, mask, cached: false })) }),
    rec(2, { type: 'eval.started', key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '1100', trainableLayers: 2, epochs: 2 }),
    rec(2, { type: 'eval.started', key: 'g0/1', kind: 'ga', generation: 0, index: 1, mask: '0011', trainableLayers: 2, epochs: 2 }),
  ];
};
const live = (t: number, key: string, batch: number, ips: number): SearchEvent => ({ type: 'eval.progress', key, epoch: 0, batch, batches: 10, imagesPerSecond: ips, time: at(t) });

describe('progress figures', () => {
  it('setup phases are shown until evaluations start', () => {
    seq = 0;
    let s = reduceSearch(initialSearchState(), { type: 'search.phase', phase: 'data', message: 'loading the data set ds', time: at(0) });
    expect(progressParts(s).at(-1)).toBe('loading the data set ds');
    s = reduceJournal(start(), s);
    expect(s.phase).toBeUndefined();
    expect(s.logs.some((l) => l.message === 'setup: loading the data set ds')).toBe(true);
  });

  it('the journal says why the search uses its worker count, as the CLI does (journals without the reason: no line)', () => {
    expect(reduceJournal(start()).logs.some((l) => l.message.startsWith('setup: 2 workers'))).toBe(false);
    const [started, ...rest] = start();
    const s = reduceJournal([{ ...started, workersReason: 'one per core (2)' } as SearchEvent, ...rest]);
    expect(s.logs.map((l) => l.message)).toContain('setup: 2 workers, one per core (2)');
    expect(workersText(1, 'one per GPU (1)')).toBe('1 worker, one per GPU (1)');
  });

  it('images/s is the sum over the workers training; the ETA comes from batch progress before any genome finished', () => {
    let s = reduceJournal(start());
    expect(s.progress.etaSeconds).toBeUndefined();
    s = reduceSearch(s, live(5, 'g0/0', 4, 100));
    s = reduceSearch(s, live(5, 'g0/1', 3, 50));
    expect(s.progress.imagesPerSecond).toBe(150);
    // One evaluation: 2 epochs x 10 batches x 10 images at 100 img/s = 2 s; 8 left over 2 workers.
    expect(s.progress.etaSeconds).toBeCloseTo((8 * 2) / 2);
    expect(progressParts(s)).toEqual(['0/8 evals', 'gen 1/2', 'cache 0', '150 img/s', 'ETA 8s', 'g0/0 ep 1/2 b 4/10 (+1)']);
    expect(progressLine(s, 120)).toMatch(/^\[\.+\] 0\/8 evals \| gen 1\/2/);
  });

  it('elapsed time stops while paused and across a kill before the resume', () => {
    let s = reduceJournal([...start(), rec(10, { type: 'search.paused' })]);
    expect(s.progress.elapsedSeconds).toBe(10);
    s = reduceSearch(s, rec(40, { type: 'search.log', level: 'info', message: 'still paused' }));
    expect(s.progress.elapsedSeconds).toBe(10);
    s = reduceSearch(s, rec(50, { type: 'search.continued' }));
    s = reduceSearch(s, rec(55, { type: 'search.log', level: 'info', message: 'x' }));
    expect(s.progress.elapsedSeconds).toBe(15);
    // Killed at 55, resumed at 155: the 100 s without a process are no elapsed time.
    s = reduceSearch(s, rec(155, { type: 'search.resumed', pid: 2, host: 'h' }));
    s = reduceSearch(s, rec(160, { type: 'search.log', level: 'info', message: 'y' }));
    expect(s.progress.elapsedSeconds).toBe(20);
  });

  it('one liveness rule', () => {
    expect(searchLiveness('running', true)).toBe('live');
    expect(searchLiveness('running', false)).toBe('killed');
    expect(searchLiveness('paused', false)).toBe('killed');
    expect(searchLiveness('paused', true)).toBe('paused');
    expect(searchLiveness('finished', false)).toBe('finished');
    expect(searchLiveness('empty', true)).toBe('starting');
    expect(livenessText('killed', 'abc')).toBe('killed (no process runs it; continue it with: slt resume abc)');
  });
});

describe('the searches folder', () => {
  it('SLT_HOME gives one folder of searches from any working folder', async () => {
    const { defaultSearchRoot } = await import('./paths.js');
    const saved = process.env.SLT_HOME;
    try {
      delete process.env.SLT_HOME;
      expect(defaultSearchRoot('/work/x')).toBe('/work/x/.slt/searches');
      process.env.SLT_HOME = '/srv/slt-home';
      expect(defaultSearchRoot('/work/x')).toBe('/srv/slt-home/searches');
      expect(defaultSearchRoot('/elsewhere')).toBe('/srv/slt-home/searches');
    } finally {
      if (saved === undefined) delete process.env.SLT_HOME;
      else process.env.SLT_HOME = saved;
    }
  });
});
