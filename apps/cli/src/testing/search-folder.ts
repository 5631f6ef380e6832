import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseSearchConfig, rememberSearch } from '@slt/runner';
import { openJournal } from '@slt/tracking';

/**
 * A search folder as the runner leaves it (a real journal: search.started, then `failed` with a
 * search.failed record when given), recorded in the per-user index like a started search.
 */
export function writeSearchFolder(dir: string, id: string, options: { failed?: string; mode?: 'search' | 'compare' } = {}): string {
  mkdirSync(dir, { recursive: true });
  const j = openJournal(path.join(dir, 'journal.jsonl'));
  j.createRun({ runKey: id, runName: 'search' });
  j.append('search.started', {
    searchId: id, config: { ...parseSearchConfig({ data: 'd', population: 4, generations: 1, epochs: 1, workers: 0 }), seed: 1 }, mode: options.mode ?? 'search', parentRunKey: id,
    model: { name: 'mobilenet_v1_0.25', genomeLength: 4, layerNames: ['a', 'b', 'c', 'd'], lockedGenes: [] },
    dataset: { name: 'ds', classNames: ['x', 'y'], counts: { train: 6, val: 2, test: 2 }, shape: [32, 32, 1] },
    totalEvaluations: 4, totalBaselines: 0, pid: 1, host: 'h',
  });
  if (options.failed) j.append('search.failed', { error: options.failed });
  j.close();
  rememberSearch({ kind: 'search', id, dir, mode: options.mode ?? 'search' });
  return dir;
}
