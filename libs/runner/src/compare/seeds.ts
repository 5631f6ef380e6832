/**
 * The seeds' noise of a comparison: how much a method's validation accuracy moves when only the
 * search's seed changes, from the finished searches beside this one (same search root, same mode,
 * the same config but for the seed and what does not change results: see {@link sameButSeed}). `comparisonNotes` says a difference below it is
 * within the seeds' noise.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { SearchConfig } from '../config/schema.js';
import { readSearchJournal } from '../journal/read.js';
import { reduceJournal } from '../state/reducer.js';
import type { SearchState } from '../state/types.js';
import { JOURNAL_FILE } from '../search/paths.js';
import { buildComparison } from './table.js';

/** One search of a {@link SeedNoise}. */
export interface SeedSearch {
  searchId?: string;
  dir: string;
  seed: number;
}

/** The seeds' noise of validation accuracy (see {@link seedNoiseOf} for the rule). */
export interface SeedNoise {
  /** The pooled sample standard deviation of validation accuracy over the seeds. */
  val: number;
  /** Distinct seeds (one search each, this one included). */
  seeds: number;
  /** The searches it was computed from, this one first. */
  searches: SeedSearch[];
  /** Each method present in every search: its validation accuracy per search (in `searches` order) and their sample standard deviation. */
  methods: { method: string; values: number[]; sd: number }[];
}

/**
 * Keys that may differ between seed siblings: the seed, and what changes where a search runs or is
 * logged but not its results (a seeded search's journal is the same with 0, 1 or 2 workers).
 */
const NOT_RESULTS = ['seed', 'out', 'workers', 'gpus', 'trackingUri', 'experiment', 'name', 'retries', 'maxFailures'] as const;

/** A config without the keys that may differ between seed siblings ({@link NOT_RESULTS}), as a stable string. */
function configKey(config: SearchConfig | undefined): string | undefined {
  if (!config) return undefined;
  const rest: Record<string, unknown> = { ...config };
  for (const k of NOT_RESULTS) delete rest[k];
  return stableJson(rest);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** True when two searches are seed siblings: same mode, and journaled configs equal in everything but the seed and where they ran or were logged (`out`, `workers`, `gpus`, `trackingUri`, `experiment`, `name`, `retries`, `maxFailures`). */
export function sameButSeed(a: Pick<SearchState, 'mode' | 'config'>, b: Pick<SearchState, 'mode' | 'config'>): boolean {
  const ka = configKey(a.config);
  return ka !== undefined && a.mode === b.mode && ka === configKey(b.config);
}

/** Sample standard deviation (n - 1); 0 for fewer than 2 values. */
function sampleSd(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

/**
 * The seeds' noise of finished searches with one seed each (the first is the search the notes are
 * about): for every method present with a validation accuracy in each of them (the baselines by
 * label, `GA (best)`), the sample standard deviation over the seeds; the noise is their pooled
 * standard deviation, the square root of the mean of those variances (every method has one value
 * per seed, so this is the usual pooled estimate). Undefined for fewer than 2 searches or no
 * method common to all.
 */
export function seedNoiseOf(searches: { state: SearchState; dir: string }[]): SeedNoise | undefined {
  if (searches.length < 2) return undefined;
  const accs = searches.map(({ state }) => {
    const m = new Map<string, number>();
    for (const r of buildComparison(state).rows) if (!r.error && r.valAccuracy !== null) m.set(r.method, r.valAccuracy);
    return m;
  });
  const methods = [...accs[0].keys()]
    .filter((k) => accs.every((m) => m.has(k)))
    .map((method) => {
      const values = accs.map((m) => m.get(method)!);
      return { method, values, sd: sampleSd(values) };
    });
  if (methods.length === 0) return undefined;
  const val = Math.sqrt(methods.reduce((s, m) => s + m.sd ** 2, 0) / methods.length);
  return { val, seeds: searches.length, searches: searches.map(({ state, dir }) => ({ searchId: state.searchId, dir, seed: state.config!.seed })), methods };
}

/**
 * The finished searches under the same search root as the one in `dir` (its parent folder) that
 * differ from it only in their seed (see {@link sameButSeed}), one per seed other than its own
 * (the newest of a seed run twice); unreadable journals are skipped.
 */
export async function seedSiblings(dir: string, state: SearchState): Promise<{ state: SearchState; dir: string }[]> {
  const root = path.dirname(path.resolve(dir));
  const self = path.resolve(dir);
  const found: { state: SearchState; dir: string }[] = [];
  for (const name of existsSync(root) ? readdirSync(root) : []) {
    const d = path.join(root, name);
    if (d === self || !existsSync(path.join(d, JOURNAL_FILE))) continue;
    let s: SearchState;
    try {
      s = reduceJournal(await readSearchJournal(path.join(d, JOURNAL_FILE)));
    } catch {
      continue;
    }
    if (s.status === 'finished' && s.config && sameButSeed(state, s)) found.push({ state: s, dir: d });
  }
  found.sort((a, b) => (b.state.startedAt ?? '').localeCompare(a.state.startedAt ?? ''));
  const seeds = new Set([state.config?.seed]);
  const out: { state: SearchState; dir: string }[] = [];
  for (const f of found) {
    if (seeds.has(f.state.config!.seed)) continue;
    seeds.add(f.state.config!.seed);
    out.push(f);
  }
  return out;
}

/**
 * The seeds' noise of the finished compare (or baselines) search in `dir` (`state`: its state,
 * read from its journal when omitted), from its seed siblings (see {@link seedSiblings},
 * {@link seedNoiseOf}); undefined when it is not finished or fewer than 2 seeds are known.
 */
export async function searchSeedNoise(dir: string, state?: SearchState): Promise<SeedNoise | undefined> {
  const s = state ?? reduceJournal(await readSearchJournal(path.join(dir, JOURNAL_FILE)));
  if (s.status !== 'finished' || !s.config) return undefined;
  return seedNoiseOf([{ state: s, dir: path.resolve(dir) }, ...(await seedSiblings(dir, s))]);
}
