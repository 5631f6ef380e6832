/**
 * What "the same journal" means for determinism tests: the records of a search with the facts of
 * the process or the clock left out, the search's id and folder replaced by placeholders, sorted
 * (parallel evaluations interleave in any order).
 */
import { recordOf, type Rec } from './helpers.js';

/** Fields that are facts of the process or the clock, not of the result. */
export const PROCESS_FACTS = new Set(['seq', 'time', 'pid', 'host', 'seconds', 'imagesPerSecond', 'worker', 'device', 'devices', 'workers', 'out', 'journalId', 'startTime', 'commit']);

function canonical(value: unknown, searchId: string, dir: string): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, searchId, dir));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !PROCESS_FACTS.has(k)).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v, searchId, dir)]));
  }
  // The search folder (w0, w1, w2) is where a search lives, not what it found.
  return typeof value === 'string' ? value.split(dir).join('<dir>').split(searchId).join('<id>') : value;
}

/** The journal of the search in `dir` as a sorted list of canonical records. */
export function canonicalJournal(records: Rec[], dir: string): string[] {
  const id = recordOf(records, 'search.started').searchId;
  return records
    .filter((r) => r.type !== 'search.log' && r.type !== 'journal.created')
    .map((r) => JSON.stringify(canonical(r, id, dir)))
    .sort();
}
