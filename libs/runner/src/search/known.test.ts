import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateStudy } from '../study/paths.js';
import { listKnownSearches } from './known.js';
import { locateSearch } from './paths.js';
import { readSearchIndex, rememberSearch, searchIndexFile } from './search-index.js';

// A search folder as the runner leaves it: a journal starting with search.started.
function searchFolder(dir: string, id: string, mode = 'search'): string {
  mkdirSync(dir, { recursive: true });
  const started = { seq: 1, time: new Date().toISOString(), type: 'search.started', searchId: id, parentRunKey: id, mode };
  writeFileSync(path.join(dir, 'journal.jsonl'), `${JSON.stringify(started)}\n`);
  return dir;
}

let base: string;
let saved: string | undefined;
beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'slt-known-'));
  saved = process.env.SLT_INDEX_FILE;
  process.env.SLT_INDEX_FILE = path.join(base, 'state', 'searches.jsonl');
});
afterEach(() => {
  if (saved === undefined) delete process.env.SLT_INDEX_FILE;
  else process.env.SLT_INDEX_FILE = saved;
  rmSync(base, { recursive: true, force: true });
});

describe('the per-user index of searches', () => {
  it('is found under XDG_STATE_HOME or ~/.local/state unless SLT_INDEX_FILE names it (off: none)', () => {
    expect(searchIndexFile({ XDG_STATE_HOME: '/s' })).toBe('/s/slt/searches.jsonl');
    expect(searchIndexFile({ HOME: '/h' })).toMatch(/\.local\/state\/slt\/searches\.jsonl$/);
    expect(searchIndexFile({ SLT_INDEX_FILE: '/x/i.jsonl', XDG_STATE_HOME: '/s' })).toBe('/x/i.jsonl');
    expect(searchIndexFile({ SLT_INDEX_FILE: 'off' })).toBeUndefined();
  });

  it('lists the root and the searches started elsewhere, and resolves their ids from any folder', async () => {
    const here = path.join(base, 'here', '.slt', 'searches');
    const mine = searchFolder(path.join(here, '20260101-000000-aaaa'), '20260101-000000-aaaa');
    rememberSearch({ kind: 'search', id: '20260101-000000-aaaa', dir: mine, mode: 'search' });
    const elsewhere = searchFolder(path.join(base, 'project-b', '.slt', 'searches', '20260102-000000-bbbb'), '20260102-000000-bbbb', 'compare');
    rememberSearch({ kind: 'search', id: '20260102-000000-bbbb', dir: elsewhere, mode: 'compare' });
    // One model of a study: reachable by id, listed through its study only.
    const model = searchFolder(path.join(base, 'study', 'models', 'vgg16'), 'st-vgg16', 'compare');
    rememberSearch({ kind: 'search', id: 'st-vgg16', dir: model, mode: 'compare', study: 'st' });
    const known = await listKnownSearches(here);
    expect(known.root).toBe(here);
    expect(known.searches.map((s) => [s.searchId, s.from]).sort()).toEqual([['20260101-000000-aaaa', 'root'], ['20260102-000000-bbbb', 'index']]);
    expect(known.fromIndex).toBe(1);
    // Before the index, an id not under root was "no such search".
    expect(locateSearch('20260102', here)).toEqual({ dir: elsewhere, journalPath: path.join(elsewhere, 'journal.jsonl') });
    expect(locateSearch('st-vgg16', here).dir).toBe(model);
    expect(() => locateSearch('2026', path.join(base, 'empty'))).toThrow(/ambiguous search id; matches .*bbbb.*aaaa/);
  });

  it('finds a study by id from any folder', () => {
    const dir = path.join(base, 'far', 'st-1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'study-config.json'), '{}');
    rememberSearch({ kind: 'study', id: 'st-1', dir });
    expect(locateStudy('st-1', path.join(base, 'nowhere')).dir).toBe(dir);
  });

  it('leaves out (and compacts away) removed folders, damaged lines and repeats', async () => {
    const a = searchFolder(path.join(base, 'a', 's-a'), 's-a');
    const b = searchFolder(path.join(base, 'b', 's-b'), 's-b');
    rememberSearch({ kind: 'search', id: 's-a', dir: a });
    rememberSearch({ kind: 'search', id: 's-b', dir: b });
    rememberSearch({ kind: 'search', id: 's-a', dir: a });
    const file = process.env.SLT_INDEX_FILE!;
    writeFileSync(file, `${readFileSync(file, 'utf8')}not json\n{"v":1,"kind":"other"}\n`);
    rmSync(b, { recursive: true });
    expect(readSearchIndex().map((e) => e.id)).toEqual(['s-a']);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(() => locateSearch('s-b', path.join(base, 'x'))).toThrow(/no such search .*or in your index/);
    expect((await listKnownSearches(path.join(base, 'x'))).searches.map((s) => s.searchId)).toEqual(['s-a']);
  });

  it('is not written when off, and a search runs without it', () => {
    process.env.SLT_INDEX_FILE = 'off';
    rememberSearch({ kind: 'search', id: 'x', dir: base });
    expect(readSearchIndex()).toEqual([]);
    expect(existsSync(path.join(base, 'state'))).toBe(false);
  });
});
