/**
 * The search configuration: one zod schema shared by `slt search` flags, `--config` files (JSON or
 * YAML) and the TUI's form. Unknown keys and bad values are rejected, naming the key.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { dataSettingsFields, dataSettingsIssues, expandAudioPreset, withDataValues } from './audio.js';
import { plainIssues } from './messages.js';

/** Names of the GA presets (see libs/ga). */
export const PRESETS = ['paper', 'elitist'] as const;
/** Data set layouts `--data-kind` accepts. */
export const DATA_KINDS = ['idx', 'urbansound8k', 'folders'] as const;
/** Gene modes `--genes` accepts (the GeneMode list of @slt/models). */
export const GENE_MODES = ['layers', 'weighted', 'blocks'] as const;
/** Adapters `--adapter` accepts (the AdapterKind list of @slt/models). */
export const ADAPTERS = ['conv1x1', 'repeat', 'conv1x1-frozen'] as const;
/** Pruning rules `--prune` accepts. */
export const PRUNERS = ['none', 'median'] as const;
/** Backends `--backend` accepts (`auto` lets libs/backend pick). */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

const inputSize = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const m = /^\s*(\d+)\s*(?:[xX]\s*(\d+)\s*)?$/.exec(String(v));
    const h = m ? Number(m[1]) : NaN;
    const w = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || h < 32 || w < 32 || h > 1024 || w > 1024) {
      ctx.addIssue({ code: 'custom', message: `expected HxW with 32 <= H, W <= 1024 (e.g. 32x32), got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return [h, w] as [number, number];
  });

/** One worker per GPU listed in CUDA_VISIBLE_DEVICES, else one per core (at most 256). */
export function defaultWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const gpus = gpuIds(env);
  return Math.min(256, gpus.length > 0 ? gpus.length : availableParallelism());
}

/** Genome-epochs (evaluations x epochs) at or under which a search runs in its own process by default. */
export const IN_PROCESS_BUDGET = 16;

/** What {@link chooseWorkers} decided. */
export interface WorkersChoice {
  /** Worker processes (0: evaluations run in the search's own process). */
  workers: number;
  /** Why, in words (the CLI's start line). */
  reason: string;
}

/** The budget of a search as the default worker count sees it. */
type WorkerBudget = { population: number; generations: number; epochs: number; randomBaselines: number };

/** Genomes evaluated at once at most (a generation, the baselines, or the larger for compare), and genome-epochs in all. */
function budgetOf(c: WorkerBudget, mode: 'search' | 'baselines' | 'compare'): { inFlight: number; genomeEpochs: number } {
  const ga = mode === 'baselines' ? 0 : c.population * c.generations;
  const baselines = mode === 'search' ? 0 : 3 + c.randomBaselines;
  const inFlight = mode === 'baselines' ? baselines : mode === 'search' ? c.population : Math.max(c.population, baselines);
  return { inFlight, genomeEpochs: (ga + baselines) * c.epochs };
}

/**
 * The default worker count, from the budget: never more workers than genomes in flight (a
 * generation's population, or the baselines) nor than GPUs (CUDA_VISIBLE_DEVICES) or else cores;
 * and 0 (evaluations in the search's own process) on one core, or without GPUs when the search
 * trains at most {@link IN_PROCESS_BUDGET} genome-epochs in all: a worker's start-up (1-2 s, plus
 * loading the data and the weights) then costs more than it saves (measured: a 4x2 search took
 * 25 s with 2 workers, 18 s with none, on 2 cores).
 */
export function chooseWorkers(c: WorkerBudget, mode: 'search' | 'baselines' | 'compare' = 'search', env: NodeJS.ProcessEnv = process.env): WorkersChoice {
  const gpus = gpuIds(env).length;
  const slots = defaultWorkers(env);
  const { inFlight, genomeEpochs } = budgetOf(c, mode);
  if (!gpus && slots <= 1) return { workers: 0, reason: 'in this process: one core, a worker would only add its start-up' };
  if (!gpus && genomeEpochs <= IN_PROCESS_BUDGET) {
    return { workers: 0, reason: `in this process: a small budget (${genomeEpochs} genome-epochs <= ${IN_PROCESS_BUDGET}), a worker's start-up would cost more than it saves` };
  }
  const workers = Math.min(slots, inFlight);
  return { workers, reason: workers === inFlight && inFlight < slots ? `one per genome in flight (${inFlight})` : gpus ? `one per GPU (${gpus})` : `one per core (${slots})` };
}

/** Problems with an explicit worker count: more than cores (or GPUs) or than genomes in flight. */
export function workersWarnings(c: WorkerBudget & { workers: number }, mode: 'search' | 'baselines' | 'compare' = 'search', env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const gpus = gpuIds(env).length;
  const cores = availableParallelism();
  const { inFlight } = budgetOf(c, mode);
  if (gpus === 0 && c.workers > cores) out.push(`--workers ${c.workers} is more than the ${cores} cores here: the workers share them and each one's start-up adds to the time (try --workers ${Math.min(cores, inFlight)})`);
  if (c.workers > inFlight) out.push(`--workers ${c.workers} is more than the ${inFlight} genomes evaluated at once (${mode === 'baselines' ? 'the baselines' : `population ${c.population}`}): ${c.workers - inFlight} worker(s) would only start up and wait`);
  return out;
}

/** GPU ids listed in CUDA_VISIBLE_DEVICES (none for `-1` or unset). */
function gpuIds(env: NodeJS.ProcessEnv): string[] {
  return (env.CUDA_VISIBLE_DEVICES ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '' && d !== '-1');
}

/** The default-worker choice parseSearchConfig made for a config (undefined when the config gave `workers`). */
const WORKERS_CHOSEN = new WeakMap<object, WorkersChoice>();

/** How the worker count of a config from {@link parseSearchConfig} was chosen; undefined when the input set `workers`. */
export function workersChoiceOf(config: SearchConfig): WorkersChoice | undefined {
  return WORKERS_CHOSEN.get(config);
}

const int = (min: number, max: number) =>
  z.number({ error: `expected an integer in ${min}..${max}` }).int(`expected an integer in ${min}..${max}`)
    .min(min, `expected an integer in ${min}..${max}`).max(max, `expected an integer in ${min}..${max}`);

/** The zod schema of a search configuration (after kebab-case keys are turned into camelCase). */
export const searchConfigSchema = z.strictObject({
  /** Zoo name of the backbone, e.g. `mobilenet_v1_0.25`. */
  model: z.string().min(1).default('mobilenet_v1_0.25'),
  /** Weights: a Keras `.h5` file or URL, or a tfjs folder / model.json path or URL; default: what the cache holds for the model, else the zoo's official URL. */
  weights: z.string().min(1).optional(),
  /** Path of the data set (IDX folder, UrbanSound8K root, or class folders). */
  data: z.string({ error: (iss) => (iss.input === undefined ? 'required: the path of the data set' : 'expected text, the path of the data set') }).min(1, 'must not be empty'),
  /** Layout of the data set; detected when omitted. */
  dataKind: z.enum(DATA_KINDS).optional(),
  /** Model input size as [height, width] (written `HxW`). */
  input: inputSize.default([32, 32]),
  /** GA population size (a multiple of 4). */
  population: int(4, 10_000).refine((n) => n % 4 === 0, 'must be a multiple of 4 (the paper keeps n/2, breeds n/4 + n/4)').default(8),
  /** Number of generations. */
  generations: int(1, 10_000).default(3),
  /** Training epochs per genome. */
  epochs: int(1, 1000).default(2),
  /** Training batch size. */
  batch: int(1, 65_536).default(32),
  /** Adam learning rate. */
  lr: z.number().positive('must be > 0').max(1, 'must be <= 1').default(1e-4),
  /** Seed of the GA, the data split and the random baselines; random (and recorded) when omitted. */
  seed: int(0, 2 ** 31 - 1).optional(),
  /** GA preset. */
  preset: z.enum(PRESETS).default('paper'),
  /**
   * Worker processes evaluating genomes in parallel (0: in the search's own process). Default
   * (parseSearchConfig, see chooseWorkers): from the budget, at most one per GPU listed in
   * CUDA_VISIBLE_DEVICES, else per core, never more than genomes in flight; 0 for a tiny search.
   */
  workers: int(0, 256).default(() => defaultWorkers()),
  /** tfjs backend. */
  backend: z.enum(BACKENDS).default('auto'),
  /** MLflow tracking URI (http(s)://... or a FileStore directory); default: ./mlruns FileStore. */
  trackingUri: z.string().min(1).optional(),
  /** MLflow experiment name (default: MLFLOW_EXPERIMENT_NAME, else `slt`). */
  experiment: z.string().min(1).default(() => process.env.MLFLOW_EXPERIMENT_NAME?.trim() || 'slt'),
  /** Folder of the search (journal.jsonl etc.); default `./.slt/searches/<id>`. */
  out: z.string().min(1).optional(),
  /** Number of random-mask baselines (the paper: at least 3). */
  randomBaselines: int(3, 1000).default(3),
  /** Human name of the search (MLflow run name). */
  name: z.string().min(1).max(250).optional(),
  /** Extra attempts of a failed evaluation (worker crash, out of memory, NaN), each in a fresh worker. */
  retries: int(0, 100).default(1),
  /** Most failed evaluations (after retries) tolerated before the search stops with an error; default a quarter of the budget. */
  maxFailures: int(0, 1_000_000).optional(),
  /**
   * GPU ids the workers are pinned to (worker i sees only `gpus[i % n]` as CUDA_VISIBLE_DEVICES),
   * written `0,2,3`; default: the ids in CUDA_VISIBLE_DEVICES.
   */
  gpus: z
    .union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))])
    .transform((v, ctx) => {
      const ids = (Array.isArray(v) ? v : String(v).split(',')).map((d) => String(d).trim()).filter((d) => d !== '');
      const bad = ids.find((d) => !/^[\w:.-]+$/.test(d));
      if (ids.length === 0 || bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `expected GPU ids separated by commas (e.g. 0,2,3), got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return ids;
    })
    .optional(),
  /**
   * What a GA gene is: `layers` (one per backbone layer, the paper), `weighted` (only layers with
   * trainable weights; the others stay 0), `blocks` (one per block: MobileNet dw/pw pair, ResNet
   * bottleneck, EfficientNet MBConv, VGG conv).
   */
  genes: z.enum(GENE_MODES).default('layers'),
  /**
   * How 1-channel input becomes 3 channels: `conv1x1` (a trainable 1x1 conv, the paper), `repeat`
   * (channel repeat) or `conv1x1-frozen` (a 1x1 conv initialised as a repeat, never trained).
   * With no trainable adapter the frozen prefix before the first trainable layer is computed once.
   */
  adapter: z.enum(ADAPTERS).default('conv1x1'),
  /**
   * Early stopping of genomes (beyond the paper): `none`, or `median` (stop after an epoch whose
   * validation accuracy is below the median of earlier generations' genomes at that epoch).
   */
  prune: z.enum(PRUNERS).default('none'),
  /** `--prune median`: completed genomes needed before any pruning (Optuna's n_startup_trials). */
  pruneStartup: int(0, 1_000_000).default(5),
  /** `--prune median`: epochs never pruned after (Optuna's n_warmup_steps). */
  pruneWarmup: int(0, 1000).default(0),
  // Data settings: audio features (presets), channels, split size limits (config/audio.ts).
  ...dataSettingsFields,
});

/** A validated search configuration (defaults filled in). */
export type SearchConfig = z.output<typeof searchConfigSchema>;
/** What a user may write (every key optional except `data`). */
export type SearchConfigInput = z.input<typeof searchConfigSchema>;

/** Every key a configuration may hold, in camelCase. */
export const CONFIG_KEYS = Object.keys(searchConfigSchema.shape) as (keyof SearchConfig)[];

const camel = (k: string) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What a key whose schema is a union expects, in words (zod says only "Invalid input"). */
const UNION_EXPECTS: Record<string, string> = { input: 'HxW, e.g. 32x32', gpus: 'GPU ids separated by commas, e.g. 0,2,3' };

/**
 * Validates a configuration object (kebab-case or camelCase keys; `undefined` values are dropped).
 * Without `workers`, the count is chosen from the budget ({@link chooseWorkers}, for `mode`).
 * @param raw the object to validate.
 * @param source where it came from, named in errors (a file path or `flags`).
 * @param mode what the search runs (the default worker count depends on it), default `search`.
 * @throws ConfigError naming every bad or unknown key.
 */
export function parseSearchConfig(raw: unknown, source = 'config', mode: 'search' | 'baselines' | 'compare' = 'search'): SearchConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [`(root): expected an object of keys (${CONFIG_KEYS.join(', ')})`]);
  }
  const obj: Record<string, unknown> = {};
  const written: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const key = camel(k);
    if (key in obj) throw new ConfigError(source, [`${k}: given twice (as ${key})`]);
    obj[key] = v;
    written[key] = k;
  }
  const expanded = expandAudioPreset(obj);
  const res = searchConfigSchema.safeParse(expanded);
  if (!res.success) {
    // Plain words: "lr: expected a number (got the string "abc")", "populaton: unknown key; did you mean population?".
    throw new ConfigError(source, withDataValues(plainIssues(res.error.issues, expanded, { keys: CONFIG_KEYS, expects: UNION_EXPECTS, written }), expanded));
  }
  const cross = dataSettingsIssues(res.data);
  if (cross.length > 0) throw new ConfigError(source, cross);
  if (expanded.workers === undefined) {
    const choice = chooseWorkers(res.data, mode);
    res.data.workers = choice.workers;
    WORKERS_CHOSEN.set(res.data, choice);
  }
  return res.data;
}

/**
 * Reads a JSON or YAML configuration file (by extension; `.json` is JSON, anything else YAML,
 * which also reads JSON) and returns its raw object, unvalidated.
 * @throws ConfigError when the file cannot be read or parsed.
 */
export async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(file, [`cannot read the file: ${(cause as Error).message}`], { cause });
  }
  let data: unknown;
  try {
    data = path.extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new ConfigError(file, [`not valid ${path.extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(cause as Error).message}`], { cause });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(file, ['(root): expected a mapping of keys']);
  }
  return data as Record<string, unknown>;
}

/**
 * Loads a configuration from an optional file and flags: flags override the file's keys.
 * Relative `data`, `weights` and `out` paths in a file are resolved against the file's folder.
 */
export async function loadSearchConfig(options: {
  /** Path of a JSON/YAML config file. */
  file?: string;
  /** Values from flags (undefined values ignored). */
  flags?: Record<string, unknown>;
  /** What the search runs (the default worker count depends on it), default `search`. */
  mode?: 'search' | 'baselines' | 'compare';
}): Promise<SearchConfig> {
  let merged: Record<string, unknown> = {};
  let source = 'flags';
  if (options.file) {
    const fromFile = await readConfigFile(options.file);
    const dir = path.dirname(path.resolve(options.file));
    for (const k of ['data', 'weights', 'out']) {
      const v = fromFile[k];
      if (typeof v === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) fromFile[k] = path.resolve(dir, v);
    }
    // Validate the file alone first so its errors name the file.
    parseSearchConfig({ data: 'x', ...fromFile }, options.file);
    merged = fromFile;
    source = `${options.file} + flags`;
  }
  for (const [k, v] of Object.entries(options.flags ?? {})) if (v !== undefined) merged[camel(k)] = v;
  return parseSearchConfig(merged, source, options.mode);
}
