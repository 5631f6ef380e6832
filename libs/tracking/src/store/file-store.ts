/**
 * MLflow's FileStore layout written directly (mlflow/store/tracking/file_store.py):
 *
 *     <root>/<experiment_id>/meta.yaml
 *     <root>/<experiment_id>/<run_id>/meta.yaml
 *     <root>/<experiment_id>/<run_id>/{metrics,params,tags}/<key>   ('a/b' keys are sub-folders)
 *     <root>/<experiment_id>/<run_id>/artifacts/...
 *     <root>/<experiment_id>/datasets/<dataset_id>/meta.yaml, <run_id>/inputs/<input_id>/meta.yaml
 *
 * Metric files hold one `<timestamp> <value> <step>` line per point; param and tag files hold
 * the raw value. Experiment 0 is `Default`. MLflow 3.13+ reads it with MLFLOW_ALLOW_FILE_STORE=true.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { StoreError, TrackingValidationError } from '../errors.js';
import { matchesFilter, parseRunFilter } from '../mlflow/filter.js';
import { checkLogBatch, paramChangedError } from '../mlflow/server-rules.js';
import { validateExperimentName, validateTag, type LogBatch, type MetricPoint } from '../mlflow/validation.js';
import { writeFileAtomic } from '../util/atomic.js';
import { writeLocalArtifact } from './artifacts.js';
import type { CreateRunRequest, ExperimentInfo, Run, RunInfo, TrackingStore } from './types.js';
import type { RunDatasetInput } from '../delivery/ops.js';

const STATUS_TO_INT: Record<string, number> = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 };
const INT_TO_STATUS = Object.fromEntries(Object.entries(STATUS_TO_INT).map(([k, v]) => [v, k]));
const RESERVED = new Set(['.trash', 'models', 'tags', 'datasets', 'traces']);

function metricText(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** The file's text, or undefined when it cannot be read (a param not logged yet). Synchronous: see util/atomic.ts. */
function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') && e.name.endsWith('.tmp')) continue;
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), `${prefix}${e.name}/`)));
    else out.push(`${prefix}${e.name}`);
  }
  return out;
}

/** A TrackingStore writing MLflow's FileStore layout under `root` (e.g. `./mlruns`). */
export class FileStore implements TrackingStore {
  readonly target: string;
  /** Absolute root folder. */
  readonly root: string;
  private ready: Promise<void> | undefined;
  private readonly runDirs = new Map<string, string>();
  private readonly valueCache = new Map<string, string>();

  /** @param root folder of the store (created with experiment 0 `Default` when missing). */
  constructor(root: string) {
    this.root = resolve(root);
    this.target = pathToFileURL(this.root).href;
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.root, '.trash'), { recursive: true });
      if (!(await exists(join(this.root, '0', 'meta.yaml')))) await this.writeExperiment('0', 'Default');
    })();
    return this.ready;
  }

  private async writeExperiment(id: string, name: string): Promise<void> {
    const now = Date.now();
    const meta = {
      artifact_location: pathToFileURL(join(this.root, id)).href,
      creation_time: now,
      experiment_id: id,
      last_update_time: now,
      lifecycle_stage: 'active',
      name,
    };
    await writeFileAtomic(join(this.root, id, 'meta.yaml'), stringifyYaml(meta, { lineWidth: 0 }));
  }

  private async experiments(): Promise<ExperimentInfo[]> {
    await this.init();
    const out: ExperimentInfo[] = [];
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || RESERVED.has(e.name)) continue;
      const meta = await this.readYaml(join(this.root, e.name, 'meta.yaml'));
      if (!meta) continue;
      out.push({
        experimentId: String(meta.experiment_id),
        name: String(meta.name),
        artifactLocation: String(meta.artifact_location ?? ''),
        lifecycleStage: String(meta.lifecycle_stage ?? 'active'),
      });
    }
    return out;
  }

  /** A meta.yaml as a plain object (undefined when missing, unreadable or not a mapping). */
  private async readYaml(file: string): Promise<Record<string, unknown> | undefined> {
    try {
      const v: unknown = parseYaml(readFileSync(file, 'utf8'));
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  async getExperimentByName(name: string): Promise<ExperimentInfo | undefined> {
    return (await this.experiments()).find((e) => e.name === name && e.lifecycleStage === 'active');
  }

  async createExperiment(name: string): Promise<string> {
    try {
      validateExperimentName(name);
    } catch (err) {
      throw new StoreError('INVALID_PARAMETER_VALUE', (err as Error).message, { cause: err });
    }
    return this.withCreateLock(async () => {
      if ((await this.experiments()).some((e) => e.name === name)) {
        throw new StoreError('RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`);
      }
      // Like MLflow's _generate_unique_integer_id: a random positive 63-bit integer.
      const id = (randomBytes(8).readBigUInt64BE() >> 1n).toString();
      await this.writeExperiment(id, name);
      return id;
    });
  }

  /** Serialises experiment creation between processes sharing the folder (a lock file, not a folder: MLflow lists folders as experiments). */
  private async withCreateLock<T>(fn: () => Promise<T>): Promise<T> {
    await this.init();
    const lock = join(this.root, '.slt-create.lock');
    for (let i = 0; ; i++) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await stat(lock).then((st) => Date.now() - st.mtimeMs, () => 0);
        if (age > 30_000 || i > 500) await rm(lock, { force: true });
        else await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }

  private async runDir(runId: string): Promise<string> {
    const cached = this.runDirs.get(runId);
    if (cached) return cached;
    if (/^[0-9a-f]{32}$/.test(runId)) {
      for (const e of await this.experiments()) {
        const dir = join(this.root, e.experimentId, runId);
        if (await exists(join(dir, 'meta.yaml'))) {
          this.runDirs.set(runId, dir);
          return dir;
        }
      }
    }
    throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Run '${runId}' not found`);
  }

  async createRun(req: CreateRunRequest): Promise<RunInfo> {
    const exp = (await this.experiments()).find((e) => e.experimentId === req.experimentId);
    if (!exp) {
      throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Could not create run under experiment with ID ${req.experimentId} - no such experiment exists.`);
    }
    const runId = randomUUID().replace(/-/g, '');
    const dir = join(this.root, exp.experimentId, runId);
    const info: RunInfo = {
      runId,
      experimentId: exp.experimentId,
      runName: req.runName,
      status: 'RUNNING',
      startTime: req.startTime,
      artifactUri: `${exp.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`,
      lifecycleStage: 'active',
    };
    for (const sub of ['metrics', 'params', 'artifacts', 'tags']) await mkdir(join(dir, sub), { recursive: true });
    const tags = [...req.tags];
    if (!tags.some((t) => t.key === 'mlflow.runName')) tags.push({ key: 'mlflow.runName', value: req.runName });
    for (const t of tags) await this.setTag(runId, t.key, t.value, dir);
    await this.writeRunMeta(dir, info, req.userId ?? '');
    this.runDirs.set(runId, dir);
    return info;
  }

  private async writeRunMeta(dir: string, info: RunInfo, userId: string): Promise<void> {
    const meta = {
      artifact_uri: info.artifactUri,
      end_time: info.endTime ?? null,
      entry_point_name: '',
      experiment_id: info.experimentId,
      lifecycle_stage: info.lifecycleStage,
      run_id: info.runId,
      run_name: info.runName,
      run_uuid: info.runId,
      source_name: '',
      source_type: 4,
      source_version: '',
      start_time: info.startTime,
      status: STATUS_TO_INT[info.status] ?? 1,
      tags: [],
      user_id: userId,
      deleted_time: null,
    };
    await writeFileAtomic(join(dir, 'meta.yaml'), stringifyYaml(meta, { lineWidth: 0 }), false);
  }

  private async readRunInfo(dir: string): Promise<{ info: RunInfo; userId: string }> {
    const m = await this.readYaml(join(dir, 'meta.yaml'));
    if (!m) throw new StoreError('INVALID_STATE', `Run folder '${dir}' has no readable meta.yaml`);
    return {
      info: {
        runId: String(m.run_id ?? m.run_uuid),
        experimentId: String(m.experiment_id),
        runName: String(m.run_name ?? ''),
        status: INT_TO_STATUS[Number(m.status)] ?? 'RUNNING',
        startTime: Number(m.start_time ?? 0),
        ...(m.end_time !== null && m.end_time !== undefined ? { endTime: Number(m.end_time) } : {}),
        artifactUri: String(m.artifact_uri ?? ''),
        lifecycleStage: String(m.lifecycle_stage ?? 'active'),
      },
      userId: String(m.user_id ?? ''),
    };
  }

  private async readKv(dir: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const f of await listFiles(dir)) out[f] = await readFile(join(dir, f), 'utf8');
    return out;
  }

  async getRun(runId: string): Promise<Run> {
    return this.runAt(await this.runDir(runId));
  }

  private async runAt(dir: string): Promise<Run> {
    const { info } = await this.readRunInfo(dir);
    const metrics: MetricPoint[] = [];
    for (const key of await listFiles(join(dir, 'metrics'))) {
      const hist = await this.readMetric(dir, key);
      hist.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value);
      if (hist.length) metrics.push(hist[hist.length - 1]);
    }
    return { info, params: await this.readKv(join(dir, 'params')), tags: await this.readKv(join(dir, 'tags')), metrics };
  }

  private async readMetric(dir: string, key: string): Promise<MetricPoint[]> {
    let text: string;
    try {
      text = await readFile(join(dir, 'metrics', key), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => {
        const [ts, v, step] = l.trim().split(' ');
        return { key, timestamp: Number(ts), value: v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v), step: Number(step ?? 0) };
      });
  }

  /**
   * Runs of the experiments matching `filter`. Run folders are listed on every call; the tag and
   * param values a filter needs are read once per run and cached (slt filters on tags that
   * never change), then every match is read in full and checked again.
   */
  async searchRuns(experimentIds: string[], filter: string): Promise<Run[]> {
    const clauses = parseRunFilter(filter);
    const out: Run[] = [];
    for (const id of experimentIds) {
      const expDir = join(this.root, id);
      let entries;
      try {
        entries = await readdir(expDir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.isDirectory() || RESERVED.has(e.name)) continue;
        const dir = join(expDir, e.name);
        if (clauses.length > 0 && clauses.every((c) => c.entity !== 'attributes' && c.op === '=')) {
          let ok = true;
          for (const c of clauses) {
            const cacheKey = `${dir}\0${c.entity}\0${c.key}`;
            let v: string | null | undefined = this.valueCache.get(cacheKey);
            if (v === undefined) {
              v = (await readFile(join(dir, c.entity, c.key), 'utf8').catch(() => null)) ?? null;
              if (v !== null) this.valueCache.set(cacheKey, v);
            }
            if (v !== c.value) {
              ok = false;
              break;
            }
          }
          if (!ok) continue;
        }
        if (!(await exists(join(dir, 'meta.yaml')))) continue;
        const run = await this.runAt(dir);
        if (run.info.lifecycleStage === 'active' && matchesFilter(run, clauses)) out.push(run);
      }
    }
    return out;
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    checkLogBatch(batch);
    const dir = await this.runDir(runId);
    for (const p of batch.params) {
      const file = join(dir, 'params', p.key);
      const old = readIfThere(file);
      if (old !== undefined && old !== p.value) throw paramChangedError(p.key, old, p.value, runId);
      if (old === undefined) await writeFileAtomic(file, p.value, false);
    }
    const lines = new Map<string, string>();
    for (const m of batch.metrics) lines.set(m.key, `${lines.get(m.key) ?? ''}${m.timestamp} ${metricText(m.value)} ${m.step}\n`);
    for (const [key, text] of lines) {
      const file = join(dir, 'metrics', key);
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, text);
    }
    for (const t of batch.tags) await this.setTag(runId, t.key, t.value, dir);
  }

  async setTag(runId: string, key: string, value: string, knownDir?: string): Promise<void> {
    try {
      validateTag(key, value);
    } catch (err) {
      if (err instanceof TrackingValidationError) throw new StoreError('INVALID_PARAMETER_VALUE', err.message, { cause: err });
      throw err;
    }
    const dir = knownDir ?? (await this.runDir(runId));
    await writeFileAtomic(join(dir, 'tags', key), value, false);
    if (key === 'mlflow.runName' && !knownDir) {
      const { info, userId } = await this.readRunInfo(dir);
      await this.writeRunMeta(dir, { ...info, runName: value }, userId);
    }
  }

  async updateRun(runId: string, status: string, endTime?: number): Promise<RunInfo> {
    if (!(status in STATUS_TO_INT)) throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid run status '${status}': use ${Object.keys(STATUS_TO_INT).join(', ')}`);
    const dir = await this.runDir(runId);
    const { info, userId } = await this.readRunInfo(dir);
    const next: RunInfo = { ...info, status, ...(endTime !== undefined ? { endTime } : {}) };
    await this.writeRunMeta(dir, next, userId);
    return next;
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    return this.readMetric(await this.runDir(runId), key);
  }

  /**
   * MLflow's FileStore layout of dataset inputs: `<exp>/datasets/<md5(name+digest)>/meta.yaml`
   * (the dataset) and `<exp>/<run>/inputs/<md5(dataset_id+run_id)>/meta.yaml` (the edge).
   */
  async logInputs(run: RunInfo, datasets: RunDatasetInput[]): Promise<void> {
    const dir = await this.runDir(run.runId);
    const expDir = dirname(dir);
    for (const d of datasets) {
      const datasetId = createHash('md5').update(d.name, 'utf8').update(d.digest, 'utf8').digest('hex');
      const datasetMeta = join(expDir, 'datasets', datasetId, 'meta.yaml');
      if (!(await exists(datasetMeta))) {
        const meta = { digest: d.digest, name: d.name, profile: d.profile ?? null, schema: d.schema ?? null, source: d.source, source_type: d.sourceType };
        await writeFileAtomic(datasetMeta, stringifyYaml(meta, { lineWidth: 0 }), false);
      }
      const inputId = createHash('md5').update(datasetId, 'utf8').update(run.runId, 'utf8').digest('hex');
      const inputMeta = join(dir, 'inputs', inputId, 'meta.yaml');
      if (!(await exists(inputMeta))) {
        // MLflow writes the dataset id as destination_id too (file_store.py _FileStoreInput.write_yaml).
        const meta = { destination_id: datasetId, destination_type: 'RUN', source_id: datasetId, source_type: 'DATASET', tags: { 'mlflow.data.context': d.context ?? 'training' } };
        await writeFileAtomic(inputMeta, stringifyYaml(meta, { lineWidth: 0 }), false);
      }
    }
  }

  async logArtifact(run: RunInfo, path: string, content: Uint8Array): Promise<void> {
    await this.runDir(run.runId);
    await writeLocalArtifact(run.artifactUri, path, content);
  }
}
