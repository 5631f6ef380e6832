/**
 * The per-user index of searches: every search, baselines, compare and study started on this
 * machine by this user is recorded (one JSON line each, appended) in a file under the user's
 * state folder, so `slt ls`, `slt attach <id>` and the TUI find it from any folder.
 *
 * The file is append-only (one `write` of one short line with O_APPEND per search, which
 * concurrent writers do not interleave); entries whose folder is gone are left out on read, and
 * the file is compacted (rewritten atomically) when it holds any, unless it grew meanwhile.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomicSync } from '@slt/util';

/** Environment variable naming the index file (`off` turns the index off). */
export const SEARCH_INDEX_ENV = 'SLT_INDEX_FILE';

/**
 * The index file: `$SLT_INDEX_FILE` when set (`off` or empty: no index), else
 * `$XDG_STATE_HOME/slt/searches.jsonl`, else `~/.local/state/slt/searches.jsonl`.
 */
export function searchIndexFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const own = env[SEARCH_INDEX_ENV];
  if (own !== undefined) return own.trim() === '' || own.trim().toLowerCase() === 'off' ? undefined : path.resolve(own);
  const state = env.XDG_STATE_HOME?.trim() || path.join(homedir(), '.local', 'state');
  return path.join(path.resolve(state), 'slt', 'searches.jsonl');
}

/** One line of the index. */
export const knownSearchEntrySchema = z.looseObject({
  /** Format version. */
  v: z.literal(1),
  /** A search (also baselines or compare) or a study. */
  kind: z.enum(['search', 'study']),
  /** Its id (the folder's name for a default folder). */
  id: z.string().min(1),
  /** Its folder, absolute. */
  dir: z.string().min(1),
  /** `search`, `baselines` or `compare` for a search. */
  mode: z.string().optional(),
  /** Set when the search is one model of a study: the study's id. */
  study: z.string().optional(),
  /** When it was recorded (ISO time). */
  createdAt: z.string(),
});

/** One entry of the per-user index of searches. */
export type KnownSearchEntry = z.output<typeof knownSearchEntrySchema>;

/** What {@link rememberSearch} records. */
export interface RememberSearchInput {
  kind: 'search' | 'study';
  id: string;
  dir: string;
  mode?: string;
  study?: string;
}

/**
 * Records a search in the per-user index (nothing when the index is off). Never throws: the
 * index is a convenience, a search runs without it.
 */
export function rememberSearch(entry: RememberSearchInput, env: NodeJS.ProcessEnv = process.env): void {
  const file = searchIndexFile(env);
  if (!file) return;
  try {
    const line: KnownSearchEntry = { v: 1, kind: entry.kind, id: entry.id, dir: path.resolve(entry.dir), ...(entry.mode ? { mode: entry.mode } : {}), ...(entry.study ? { study: entry.study } : {}), createdAt: new Date().toISOString() };
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  } catch {
    /* the index is a convenience */
  }
}

/**
 * The entries of the per-user index, oldest first: lines that do not parse are skipped, one
 * entry per folder (the last), and entries whose folder no longer exists are left out (and the
 * file compacted without them).
 */
export function readSearchIndex(env: NodeJS.ProcessEnv = process.env): KnownSearchEntry[] {
  const file = searchIndexFile(env);
  if (!file || !existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const byDir = new Map<string, KnownSearchEntry>();
  let lines = 0;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    lines++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      continue;
    }
    const r = knownSearchEntrySchema.safeParse(parsed);
    if (!r.success) continue;
    byDir.delete(r.data.dir);
    byDir.set(r.data.dir, r.data);
  }
  const kept = [...byDir.values()].filter((e) => existsSync(e.dir));
  if (kept.length < lines) compact(file, text, kept);
  return kept;
}

/** Rewrites the index with `kept` unless another process appended to it since it was read. */
function compact(file: string, readText: string, kept: KnownSearchEntry[]): void {
  try {
    if (statSync(file).size !== Buffer.byteLength(readText)) return;
    writeFileAtomicSync(file, kept.map((e) => `${JSON.stringify(e)}\n`).join(''), { fsync: false });
  } catch {
    /* compaction is a convenience */
  }
}

/**
 * The index entries of `kind` whose id is `ref` or starts with it (an exact id wins), newest
 * first; `accept` filters out entries whose folder is not (or no longer) of that kind.
 */
export function findInSearchIndex(ref: string, kind: 'search' | 'study', accept: (e: KnownSearchEntry) => boolean, env: NodeJS.ProcessEnv = process.env): KnownSearchEntry[] {
  if (!ref || ref.includes('/') || ref.includes(path.sep)) return [];
  const hits = readSearchIndex(env).filter((e) => e.kind === kind && (e.id === ref || e.id.startsWith(ref)) && accept(e)).reverse();
  const exact = hits.filter((e) => e.id === ref);
  return exact.length ? exact : hits;
}
