/**
 * Helpers of the end-to-end tests: run the real `slt` bin, read a journal and an MLflow
 * FileStore (`mlruns/`) back from disk.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { RunnerRecord } from '@slt/runner';
import { toSearchEvent } from '@slt/runner/light';
import type { SearchJsonLine, SearchJsonLineOf } from '@slt/cli/json-lines';

/** The repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared data folder beside the repository. */
export const sharedData = path.resolve(repoRoot, '../shared/data');
/** The `slt` bin. */
export const sltBin = path.join(repoRoot, 'apps/cli/bin/slt.js');

/** The flags of the small seeded search every test uses (MobileNetV1-0.25, 32 px, 4 x 2, 1 epoch). */
export function smallSearchFlags(data: string, extra: string[] = []): string[] {
  return [
    '--model', 'mobilenet_v1_0.25', '--weights', path.join(sharedData, 'models/mobilenet_v1_0.25_224'),
    '--data', data, '--input', '32x32', '--population', '4', '--generations', '2', '--epochs', '1', '--seed', '7',
    ...extra,
  ];
}

/** A fresh temp folder. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `slt-e2e-${prefix}-`));
}

/** Starts `node slt.js ...args` in `cwd` (MLflow env cleared so the FileStore `./mlruns` is used; `extraEnv` added). */
export function slt(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): ResultPromise<{ reject: false; all: true }> {
  const env = { ...process.env, ...extraEnv };
  delete env.MLFLOW_TRACKING_URI;
  delete env.MLFLOW_EXPERIMENT_NAME;
  return execa(process.execPath, [sltBin, ...args], { cwd, env, reject: false, all: true, extendEnv: false });
}

/** A journal record as read from disk, not yet checked: `recordsOf` parses one type with the runner's schema. */
export type Rec = { seq: number; time: string; type: string; [k: string]: unknown };

/** The runner's journal record of one type. */
export type RecordOf<T extends RunnerRecord['type']> = Extract<RunnerRecord, { type: T }>;

const isRecordOf = <T extends RunnerRecord['type']>(r: unknown, type: T): r is RecordOf<T> =>
  typeof r === 'object' && r !== null && (r as { type?: unknown }).type === type;

/** The records of `type`, each parsed with the runner's schema for it (a damaged one throws, naming its seq). */
export function recordsOf<T extends RunnerRecord['type']>(records: readonly Rec[], type: T): RecordOf<T>[] {
  return records.filter((r) => r.type === type).map((r) => toSearchEvent(r, 'journal.jsonl')).filter((e): e is RecordOf<T> => isRecordOf(e, type));
}

/** The first record of `type`, parsed (see `recordsOf`); throws when there is none. */
export function recordOf<T extends RunnerRecord['type']>(records: readonly Rec[], type: T): RecordOf<T> {
  const r = recordsOf(records, type)[0];
  if (!r) throw new Error(`no ${type} record in the journal (types: ${[...new Set(records.map((x) => x.type))].join(', ')})`);
  return r;
}

/** Reads a JSON Lines journal (a torn last line is skipped). */
export function readRecords(file: string): Rec[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Rec[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* torn last line */
    }
  }
  return out;
}

/** The `--json` lines `slt search|baselines|compare|resume` printed, each parsed with the CLI's schema for it. */
export { parseSearchJsonLines as jsonLines, parsePredictionJsonLines as predictionLines, linesOf } from '@slt/cli/json-lines';

/** The line of `lines` of this type; throws when there is none. */
export function lineOf<T extends SearchJsonLine['type']>(lines: readonly SearchJsonLine[], type: T): SearchJsonLineOf<T> {
  const l = lines.find((x): x is SearchJsonLineOf<T> => x.type === type);
  if (!l) throw new Error(`no ${type} line in the --json output (types: ${[...new Set(lines.map((x) => x.type))].join(', ')})`);
  return l;
}

/** One run of an MLflow FileStore. */
export interface StoredRun {
  runId: string;
  experiment: string;
  status: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** key -> [value, step][] */
  metrics: Record<string, [number, number][]>;
  artifacts: string[];
  dir: string;
}

/** Reads every run of every experiment of a FileStore folder. */
export function readFileStore(root: string): StoredRun[] {
  const runs: StoredRun[] = [];
  for (const exp of readdirSync(root)) {
    const expDir = path.join(root, exp);
    const meta = path.join(expDir, 'meta.yaml');
    if (!existsSync(meta)) continue;
    const name = /^name: (.*)$/m.exec(readFileSync(meta, 'utf8'))?.[1] ?? exp;
    for (const runId of readdirSync(expDir)) {
      const dir = path.join(expDir, runId);
      if (!existsSync(path.join(dir, 'meta.yaml'))) continue;
      const kv = (sub: string) => {
        const d = path.join(dir, sub);
        return existsSync(d) ? Object.fromEntries(readdirSync(d).map((k) => [k, readFileSync(path.join(d, k), 'utf8')])) : {};
      };
      const metrics: StoredRun['metrics'] = {};
      for (const [k, text] of Object.entries(kv('metrics'))) {
        metrics[k] = text.trim().split('\n').map((l) => {
          const [, v, step] = l.split(' ');
          return [Number(v), Number(step)];
        });
      }
      const runMeta = readFileSync(path.join(dir, 'meta.yaml'), 'utf8');
      runs.push({
        runId, experiment: name, dir, status: Number(/^status: (\d+)$/m.exec(runMeta)?.[1] ?? -1),
        params: kv('params'), tags: kv('tags'), metrics,
        artifacts: existsSync(path.join(dir, 'artifacts')) ? readdirSync(path.join(dir, 'artifacts')) : [],
      });
    }
  }
  return runs;
}

/** Waits until `cond()` holds, polling every `ms`; rejects after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, ms = 100): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, ms));
  }
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
