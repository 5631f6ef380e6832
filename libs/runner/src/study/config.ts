/**
 * The configuration of a study: the shared search keys (data, budget, tracking, ...) plus a list
 * of models, each with its own weights and input size. It comes from `slt compare --model a,b`
 * (comma lists in `--model`, `--weights`, `--input`) or a config file with a `models:` list.
 */
import path from 'node:path';
import { z } from 'zod';
import { didYouMean, unknownKeyText, unknownNameText } from '../config/messages.js';
import { CONFIG_KEYS, parseSearchConfig, readConfigFile, searchConfigSchema, type SearchConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { modelNames } from '../ports/models.js';

/** One model of a study as a user writes it. */
export interface StudyModelInput {
  /** Zoo name, e.g. `vgg16`. */
  model: string;
  /** Its weights (folder, `.h5` file or URL); default: what the cache holds for the zoo name. */
  weights?: string;
  /** Its input size `HxW` (default: the study's `input`). */
  input?: string | number;
  /** Its name in the table and folder (default: the model name, plus `@HxW` when a model repeats). */
  label?: string;
}

/** One model of a validated study. */
export interface StudyModel {
  model: string;
  weights?: string;
  input: [number, number];
  /** Unique name in the table. */
  label: string;
  /** File-name-safe form of the label (the model's folder `models/<slug>`). */
  slug: string;
}

/** A validated study: the shared search configuration and the models. */
export interface StudyConfig {
  /** Every shared search key (its `model`, `weights`, `input` are the first model's; unused). */
  base: SearchConfig;
  models: StudyModel[];
}

// A bare string is a model name.
const entrySchema = z.preprocess(
  (v) => (typeof v === 'string' ? { model: v } : v),
  z.strictObject({
    model: z.string({ error: 'expected a zoo model name' }).min(1),
    weights: z.string().min(1).optional(),
    input: searchConfigSchema.shape.input.unwrap().optional(),
    label: z.string().min(1).max(100).optional(),
  }, { error: 'expected a model name or {model, weights, input, label}' }),
);
const modelsSchema = z.array(entrySchema).min(1, 'list at least one model');
const ENTRY_KEYS = ['model', 'weights', 'input', 'label'] as const;

/** Where in the models list a problem is: `models`, `models[1]`, `models[1].input`. */
const entryAt = (p: readonly PropertyKey[]): string => `models${p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('')}`;

/** An unknown key `k` of a model entry at `at`: a typo of an entry key, or a key of the whole study written per model. */
function entryKeyText(k: string, at: string): string {
  const studyKey = didYouMean(k, ENTRY_KEYS) ? undefined : didYouMean(k, CONFIG_KEYS);
  return studyKey ? `${at}: unknown key of a model; did you mean ${studyKey}? (a key of the whole study: set it at the top level, not per model)` : unknownKeyText(k, ENTRY_KEYS, at);
}

/** `models[i].model: unknown model "x"; did you mean y? (valid: ...)` for each entry naming no zoo model. */
function unknownModels(rawModels: unknown): string[] {
  if (!Array.isArray(rawModels)) return [];
  const names = modelNames();
  return rawModels.flatMap((e, i) => {
    const model = typeof e === 'string' ? e : e && typeof e === 'object' ? (e as { model?: unknown }).model : undefined;
    return typeof model === 'string' && model !== '' && !names.includes(model) ? [`${entryAt([i, 'model'])}: ${unknownNameText('model', model, names)}`] : [];
  });
}

const slugOf = (label: string): string => label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.]+|_+$/g, '') || 'model';

/**
 * Validates a study: the search keys of `raw` plus `models` (a list of zoo names or of
 * `{model, weights, input, label}`).
 * @throws ConfigError naming every bad key (`models.1.input: ...`).
 */
export function parseStudyConfig(raw: unknown, source = 'config'): StudyConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(source, ['(root): expected an object of keys with a `models` list']);
  const { models: rawModels, ...rest } = raw as Record<string, unknown>;
  if (rest.model !== undefined && rawModels !== undefined) throw new ConfigError(source, ['model: give either `model` or a `models` list, not both']);
  const parsed = modelsSchema.safeParse(rawModels);
  const zodIssues = parsed.success ? [] : parsed.error.issues;
  // A misspelt `model` (`modle: vgg16`) is said once, as the typo, not again as a missing model.
  const typoOfModel = new Set(zodIssues.flatMap((i) => (i.code === 'unrecognized_keys' && i.keys.some((k) => didYouMean(k, ENTRY_KEYS) === 'model') ? [entryAt(i.path)] : [])));
  const schemaIssues = zodIssues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => entryKeyText(k, entryAt([...i.path, k])));
    if (i.path.at(-1) === 'model' && typoOfModel.has(entryAt(i.path.slice(0, -1)))) return [];
    return [`${entryAt(i.path)}: ${i.message}`];
  });
  const entryIssues = [...schemaIssues, ...unknownModels(rawModels)];
  if (!parsed.success || entryIssues.length) throw new ConfigError(source, entryIssues);
  const entries = parsed.data;
  const base = parseSearchConfig({ ...rest, model: entries[0]!.model }, source);
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.model, (counts.get(e.model) ?? 0) + 1);
  const models = entries.map((e): StudyModel => {
    const input = e.input ?? base.input;
    const label = e.label ?? ((counts.get(e.model) ?? 0) > 1 ? `${e.model}@${input[0]}x${input[1]}` : e.model);
    return { model: e.model, ...(e.weights ? { weights: e.weights } : {}), input, label, slug: slugOf(label) };
  });
  const issues: string[] = [];
  const seen = new Map<string, number>();
  models.forEach((m, i) => {
    const j = seen.get(m.slug);
    if (j !== undefined) issues.push(`models[${i}]: its label ${JSON.stringify(m.label)} repeats models[${j}] (${JSON.stringify(models[j]!.label)}); give each model its own \`label\` or input size`);
    seen.set(m.slug, i);
  });
  if (issues.length) throw new ConfigError(source, issues);
  return { base, models };
}

const isUrl = (v: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(v);
const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : String(v).split(',').map((s) => s.trim()));

/**
 * Builds the `models` list from flags whose `model`, `weights` and `input` may be comma lists
 * (`--model a,b --weights wa,wb --input 32x32,48x48`); a single `input` applies to every model,
 * an empty `weights` entry means the default. Returns undefined when `model` is not given.
 */
export function modelsFromFlags(flags: Record<string, unknown>): StudyModelInput[] | undefined {
  const models = list(flags.model);
  if (!models) return undefined;
  const issues: string[] = [];
  if (models.some((m) => m === '')) issues.push(`model: empty entry in ${JSON.stringify(flags.model)}`);
  const weights = list(flags.weights);
  const inputs = list(flags.input);
  if (weights && weights.length !== models.length) issues.push(`weights: ${weights.length} entries for ${models.length} models (give one per model, comma separated; leave one empty for the default)`);
  if (inputs && inputs.length !== 1 && inputs.length !== models.length) issues.push(`input: ${inputs.length} entries for ${models.length} models (give one for all or one per model)`);
  if (issues.length) throw new ConfigError('flags', issues);
  return models.map((model, i) => ({
    model,
    ...(weights?.[i] ? { weights: weights[i] } : {}),
    ...(inputs ? { input: inputs.length === 1 ? inputs[0]! : inputs[i]! } : {}),
  }));
}

/** True when the file (a `models` key) or the flags (a comma in `model`) describe a study. */
export async function isStudyConfigInput(options: { file?: string; flags?: Record<string, unknown> }): Promise<boolean> {
  if (typeof options.flags?.model === 'string' && options.flags.model.includes(',')) return true;
  if (options.flags?.model !== undefined || !options.file) return false;
  return 'models' in (await readConfigFile(options.file));
}

/**
 * Loads a study from an optional config file and flags (flags override the file; `--model`
 * replaces the file's `models`). Relative paths in a file (data, weights, out, each model's
 * weights) are resolved against the file's folder.
 */
export async function loadStudyConfig(options: { file?: string; flags?: Record<string, unknown> }): Promise<StudyConfig> {
  let merged: Record<string, unknown> = {};
  let source = 'flags';
  if (options.file) {
    const fromFile = await readConfigFile(options.file);
    const dir = path.dirname(path.resolve(options.file));
    const abs = (v: unknown) => (typeof v === 'string' && !isUrl(v) ? path.resolve(dir, v) : v);
    for (const k of ['data', 'weights', 'out']) if (fromFile[k] !== undefined) fromFile[k] = abs(fromFile[k]);
    if (Array.isArray(fromFile.models)) {
      fromFile.models = fromFile.models.map((m: unknown) => (m && typeof m === 'object' && 'weights' in m ? { ...m, weights: abs((m as { weights: unknown }).weights) } : m));
    }
    // Validate the file alone first so its errors name the file.
    if ('models' in fromFile) parseStudyConfig({ data: 'x', ...fromFile }, options.file);
    merged = fromFile;
    source = `${options.file} + flags`;
  }
  const flags = Object.fromEntries(Object.entries(options.flags ?? {}).filter(([, v]) => v !== undefined));
  const fromFlags = modelsFromFlags(flags);
  const { model: _m, weights: _w, input, ...restFlags } = flags;
  if (fromFlags) {
    delete merged.model;
    delete merged.weights;
    merged.models = fromFlags;
  } else if (input !== undefined) merged.input = input;
  if (_w !== undefined && !fromFlags) throw new ConfigError(source, ['weights: with a `models` list give each model its own `weights` (or pass --model with --weights)']);
  for (const [k, v] of Object.entries(restFlags)) merged[k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return parseStudyConfig(merged, source);
}

/** The study as a config file object (what `--config` reads back; paths absolute). */
export function studyConfigFile(c: StudyConfig): Record<string, unknown> {
  const { model: _m, weights: _w, input, ...rest } = c.base;
  return {
    ...rest,
    input: `${input[0]}x${input[1]}`,
    models: c.models.map((m) => ({ model: m.model, ...(m.weights ? { weights: m.weights } : {}), input: `${m.input[0]}x${m.input[1]}`, label: m.label })),
  };
}

/** The search configuration of one model of the study (its folder inside the study's). */
export function modelSearchConfig(c: StudyConfig & { base: { seed: number } }, m: StudyModel, dir: string): SearchConfig & { seed: number } {
  const { weights: _w, ...base } = c.base;
  return { ...base, model: m.model, ...(m.weights ? { weights: m.weights } : {}), input: m.input, out: dir, name: c.base.name ? `${c.base.name} ${m.label}` : m.label };
}
