/**
 * Every search a user can reach: those under a root folder (`./.slt/searches`, `$SLT_HOME`,
 * `--root`) and those the per-user index of searches knows elsewhere (`slt ls`, the TUI list).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { listStudies, type StudySummary } from '../study/follow.js';
import { isStudyDir } from '../study/paths.js';
import { listSearches, sortNewestFirst, summarizeSearch, type SearchSummary } from './list.js';
import { JOURNAL_FILE, defaultSearchRoot } from './paths.js';
import { readSearchIndex, searchIndexFile } from './search-index.js';

/** Where a listed search was found. */
export type KnownFrom = 'root' | 'index';

/** A search of {@link listKnownSearches}. */
export type KnownSearch = SearchSummary & { from: KnownFrom };
/** A study of {@link listKnownSearches}. */
export type KnownStudy = StudySummary & { from: KnownFrom };

/** What {@link listKnownSearches} found. */
export interface KnownSearches {
  /** The root folder read. */
  root: string;
  /** The per-user index file read (undefined when the index is off). */
  indexFile?: string;
  /** Searches (baselines, compare) newest first; a search that is one model of a study is left out (its study stands for it). */
  searches: KnownSearch[];
  /** Studies newest first. */
  studies: KnownStudy[];
  /** How many of them (searches and studies) came from the index, not from `root`. */
  fromIndex: number;
}

/**
 * The searches and studies under `root`, plus those of the per-user index of searches that live
 * elsewhere (each once, marked `from: 'index'`), newest first.
 */
export async function listKnownSearches(root: string = defaultSearchRoot()): Promise<KnownSearches> {
  const absRoot = path.resolve(root);
  const [plain, studies] = await Promise.all([listSearches(absRoot), listStudies(absRoot)]);
  const searches: KnownSearch[] = plain.map((s) => ({ ...s, from: 'root' }));
  const knownStudies: KnownStudy[] = studies.map((s) => ({ ...s, from: 'root' }));
  const seen = new Set([...plain.map((s) => s.dir), ...studies.map((s) => s.dir)]);
  const studyParents = new Set<string>();
  let fromIndex = 0;
  const index = readSearchIndex();
  const indexedStudies = new Set(index.filter((e) => e.kind === 'study').map((e) => e.dir));
  for (const e of index) {
    if (seen.has(e.dir)) continue;
    if (e.kind === 'search') {
      if (e.study || !existsSync(path.join(e.dir, JOURNAL_FILE))) continue;
      seen.add(e.dir);
      searches.push({ ...(await summarizeSearch(e.dir, e.id)), from: 'index' });
      fromIndex++;
    } else if (isStudyDir(e.dir)) studyParents.add(path.dirname(e.dir));
  }
  // A study's summary comes from listStudies of its parent folder (the one reader of a study).
  for (const parent of studyParents) {
    for (const s of await listStudies(parent)) {
      if (seen.has(s.dir) || !indexedStudies.has(s.dir)) continue;
      seen.add(s.dir);
      knownStudies.push({ ...s, from: 'index' });
      fromIndex++;
    }
  }
  const indexFile = searchIndexFile();
  return {
    root: absRoot, ...(indexFile ? { indexFile } : {}), searches: sortNewestFirst(searches),
    studies: knownStudies.sort((a, b) => (b.startedAt ?? b.studyId).localeCompare(a.startedAt ?? a.studyId)), fromIndex,
  };
}
