/**
 * Crash checks shared by the kill -9 soak (e2e) and the kill experiment (bench/crash-kill.ts):
 * run `slt` as its own process group, kill the whole group with SIGKILL at a chosen moment,
 * and compare what a resumed search left (journal, MLflow FileStore) with an uninterrupted run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readFileStore, readRecords, sltBin, type Rec, recordsOf } from './helpers.js';

/** Runs `slt ...args` in `cwd` as a process group leader (MLflow env cleared). */
export function spawnSlt(args: string[], cwd: string): ChildProcess {
  const env = { ...process.env };
  delete env.MLFLOW_TRACKING_URI;
  delete env.MLFLOW_EXPERIMENT_NAME;
  return spawn(process.execPath, [sltBin, ...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the exit code (or signal name) of a child. */
export function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    if (child.signalCode !== null) return resolve(child.signalCode);
    child.once('exit', (code, sig) => resolve(code ?? sig ?? -1));
  });
}

/** SIGKILLs the child's whole process group (the search and its pool workers). */
export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Lines of a journal file (0 when missing). */
export function journalLines(file: string): number {
  try {
    const text = readFileSync(file, 'utf8');
    let n = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  } catch {
    return 0;
  }
}

/** Waits until `cond()` holds (polling every `ms`) or the child exits; true when `cond` held. */
export async function until(cond: () => boolean, child: ChildProcess, ms = 5): Promise<boolean> {
  for (;;) {
    if (cond()) return true;
    if (child.exitCode !== null || child.signalCode !== null) return false;
    await new Promise((r) => setTimeout(r, ms));
  }
}

/** What a search left, in a form that two runs of the same seed can be compared by. */
export interface SearchResult {
  /** key -> mask, fitness, test accuracy of every eval.finished (in journal order). */
  evaluations: Array<{ key: string; mask: string; fitness: number; testAccuracy: number }>;
  /** The search.finished population (mask:fitness). */
  population: string[];
  finished: boolean;
  /** The FileStore, normalised: run name without the search id -> status, params, tags, metric (step, value) lists, artifacts. */
  store: Record<string, { status: number; params: Record<string, string>; tags: Record<string, string>; metrics: Record<string, string[]>; artifacts: string[] }>;
}

/** Tags that differ between two searches of the same seed by nature (ids, times, who ran it). */
const VOLATILE_TAGS = new Set(['slt.journal_id', 'slt.search_id', 'slt.comparison', 'slt.run_key', 'mlflow.parentRunId', 'mlflow.user', 'mlflow.runName', 'mlflow.note.content', 'slt.attempt']);
/** Params that describe the process, not the result. */
const VOLATILE_PARAMS = new Set(['device', 'data_path', 'slt_commit']);

/** Reads the journal and the FileStore of a search. */
export function readResult(journalPath: string, mlruns: string): SearchResult {
  const recs: Rec[] = readRecords(journalPath);
  const searchId = recordsOf(recs, 'search.started')[0]?.searchId ?? '';
  const fin = recordsOf(recs, 'search.finished')[0];
  const store: SearchResult['store'] = {};
  for (const run of existsSync(mlruns) ? readFileStore(mlruns) : []) {
    if (run.tags['slt.search_id'] !== searchId) continue;
    const name = (run.tags['mlflow.runName'] ?? run.runId).replace(searchId, '<id>');
    store[name] = {
      status: run.status,
      params: Object.fromEntries(Object.entries(run.params).filter(([k]) => !VOLATILE_PARAMS.has(k))),
      tags: Object.fromEntries(Object.entries(run.tags).filter(([k]) => !VOLATILE_TAGS.has(k))),
      metrics: Object.fromEntries(
        Object.entries(run.metrics)
          .filter(([k]) => !['eval_seconds', 'images_per_second'].includes(k))
          .map(([k, pts]) => [k, pts.map(([v, s]) => `${s}:${v}`)]),
      ),
      artifacts: [...run.artifacts].sort(),
    };
  }
  return {
    evaluations: recordsOf(recs, 'eval.finished').map((r) => ({ key: r.key, mask: r.mask, fitness: r.fitness, testAccuracy: r.result.testAccuracy })),
    population: (fin?.population ?? []).map((p: { mask: string; fitness: number }) => `${p.mask}:${p.fitness}`),
    finished: !!fin,
    store,
  };
}

/** How a resumed search compares with the uninterrupted one. */
export interface Comparison {
  /** Same evaluations (key, mask, fitness, test accuracy), same final population. */
  identical: boolean;
  /** The FileStores are equal (runs, statuses, params, tags, metric steps and values, artifacts). */
  exactStore: boolean;
  /** Reference evaluations missing from the resumed journal. */
  lost: number;
  /** Evaluation keys recorded more than once. */
  duplicated: number;
  /** The first differences, in words. */
  differences: string[];
}

/** Compares a resumed search's result with the reference. */
export function compareResults(ref: SearchResult, got: SearchResult): Comparison {
  const differences: string[] = [];
  const counts = new Map<string, number>();
  for (const e of got.evaluations) counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
  const duplicated = [...counts.values()].filter((n) => n > 1).length;
  const gotByKey = new Map(got.evaluations.map((e) => [e.key, e]));
  let lost = 0;
  for (const e of ref.evaluations) {
    const g = gotByKey.get(e.key);
    if (!g) {
      lost++;
      differences.push(`evaluation ${e.key} missing`);
    } else if (g.mask !== e.mask || g.fitness !== e.fitness || g.testAccuracy !== e.testAccuracy) {
      differences.push(`evaluation ${e.key}: ${g.mask}/${g.fitness}/${g.testAccuracy} vs ${e.mask}/${e.fitness}/${e.testAccuracy}`);
    }
  }
  if (got.evaluations.length !== ref.evaluations.length) differences.push(`${got.evaluations.length} evaluations vs ${ref.evaluations.length}`);
  if (!got.finished) differences.push('not finished');
  if (JSON.stringify(got.population) !== JSON.stringify(ref.population)) differences.push('final population differs');
  const identical = differences.length === 0 && duplicated === 0;
  const storeDiffs: string[] = [];
  const names = new Set([...Object.keys(ref.store), ...Object.keys(got.store)]);
  for (const n of [...names].sort()) {
    const a = ref.store[n];
    const b = got.store[n];
    if (!a || !b) {
      storeDiffs.push(`run ${n} ${a ? 'missing' : 'extra'}`);
      continue;
    }
    for (const part of ['status', 'params', 'tags', 'metrics', 'artifacts'] as const) {
      if (JSON.stringify(a[part]) === JSON.stringify(b[part])) continue;
      const av = a[part] as unknown as Record<string, unknown>;
      const bv = b[part] as unknown as Record<string, unknown>;
      if (typeof av === 'object' && !Array.isArray(av)) {
        const keys = [...new Set([...Object.keys(av), ...Object.keys(bv)])].filter((k) => JSON.stringify(av[k]) !== JSON.stringify(bv[k]));
        storeDiffs.push(`run ${n}: ${part} ${keys.map((k) => `${k}=${JSON.stringify(bv[k]).slice(0, 80)} (uninterrupted ${JSON.stringify(av[k]).slice(0, 80)})`).join(', ')}`);
      } else storeDiffs.push(`run ${n}: ${part} ${JSON.stringify(bv).slice(0, 200)} vs ${JSON.stringify(av).slice(0, 200)}`);
    }
  }
  differences.push(...storeDiffs);
  return { identical, exactStore: storeDiffs.length === 0, lost, duplicated, differences };
}

/** Leftover lock and temp files in a search folder (none may stay once a search ended). */
export function leftovers(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock') || n.endsWith('.break'));
}

/** The journal of a search folder. */
export const journalOf = (dir: string): string => path.join(dir, 'journal.jsonl');
