/**
 * The new-search form: its fields, the presets ("quick demo", "paper", "elitist") and validation
 * through the runner's config schema (so the form accepts exactly what `slt search` accepts).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ADAPTERS, AUDIO_PRESET_NAMES, BACKENDS, ConfigError, GENE_MODES, PRUNERS, defaultWorkers, parseSearchConfig } from '@slt/runner/light';
import { DEMO_DATA, FIELD_KEYS, FORM_MODES, FORM_PRESETS, type FieldKey, type FormPreset } from './fields.js';

export { DEMO_DATA, FIELD_KEYS, FORM_MODES, FORM_PRESETS, type FieldKey, type FormPreset } from './fields.js';

/** Choices of the Audio preset field: none, or one of the runner's presets. */
export const AUDIO_PRESET_CHOICES = ['none', ...AUDIO_PRESET_NAMES] as const;

/**
 * The quick demo's input size and learning rate. At 32 px MobileNetV1-0.25's frozen features are
 * nearly all zeros and freeze-all stays at chance (val 0.09-0.11 for 10 classes, seeds 1-2); at
 * 64 px with the default 1e-4 one epoch barely moves the head (0.12-0.14); at 64 px with 1e-3
 * freeze-all reaches 0.39-0.56 (measured with `slt baselines`, 1 epoch, 140 validation images).
 */
export const DEMO_INPUT = '64x64';
/** The quick demo's Adam learning rate (see {@link DEMO_INPUT}). */
export const DEMO_LR = '1e-3';

/** What a field is. */
export interface FieldSpec {
  key: FieldKey;
  label: string;
  /** Choices (left/right cycles them); otherwise free text (enter edits). */
  choices?: readonly string[];
  hint: string;
}

/** Values of the form, as typed. */
export type FormValues = Record<FieldKey, string>;

/** The field specs; `models` are the zoo names. */
export function fieldSpecs(models: readonly string[]): FieldSpec[] {
  return [
    { key: 'preset', label: 'Preset', choices: FORM_PRESETS, hint: 'quick demo: MobileNetV1-0.25 + 900 Fashion-MNIST images at 64 px, lr 1e-3, a few minutes on a CPU' },
    { key: 'model', label: 'Model', choices: models.length ? models : ['mobilenet_v1_0.25'], hint: 'ImageNet-pretrained backbone (zoo name)' },
    { key: 'data', label: 'Data set', hint: `folder: Fashion-MNIST IDX, UrbanSound8K or class folders (${DEMO_DATA} = the demo's)` },
    { key: 'input', label: 'Input size', hint: 'HxW, e.g. 32x32' },
    { key: 'population', label: 'Population', hint: 'a multiple of 4' },
    { key: 'generations', label: 'Generations', hint: '>= 1' },
    { key: 'epochs', label: 'Epochs', hint: 'per genome' },
    { key: 'batch', label: 'Batch', hint: 'training batch size' },
    { key: 'seed', label: 'Seed', hint: 'empty: random (recorded)' },
    { key: 'workers', label: 'Workers', hint: 'evaluation processes (0: in the search process)' },
    { key: 'backend', label: 'Backend', choices: BACKENDS, hint: 'tfjs backend' },
    { key: 'trackingUri', label: 'MLflow URI', hint: 'http(s)://host:port or a folder; empty: ./mlruns' },
    { key: 'mode', label: 'Mode', choices: FORM_MODES, hint: 'search: the GA; baselines: freeze-all, train-all, heuristic, random; compare: both and the table' },
    { key: 'models', label: 'Models', hint: 'compare only: several zoo names, comma-separated (a study: one compare per model, then the study table); empty: the Model field' },
    { key: 'audioPreset', label: 'Audio preset', choices: AUDIO_PRESET_CHOICES, hint: 'audio data: sample rate, clip length and mel spectrogram of hospital-alarm or urbansound8k (empty Input size: the preset\'s)' },
    { key: 'weights', label: 'Weights', hint: "a Keras .h5 or tfjs folder/URL; empty: the demo's or the cache's for the model" },
    { key: 'lr', label: 'Learn rate', hint: 'Adam learning rate; empty: 1e-4' },
    { key: 'experiment', label: 'Experiment', hint: 'MLflow experiment; empty: slt' },
    { key: 'genes', label: 'Genes', choices: GENE_MODES, hint: 'layers: one gene per layer (paper); weighted: only layers with weights; blocks: one gene per block (a shorter genome)' },
    { key: 'adapter', label: 'Adapter', choices: ADAPTERS, hint: 'grey images to 3 channels: conv1x1 (trained, paper); repeat (copy the channel); conv1x1-frozen (never trained)' },
    { key: 'prune', label: 'Prune', choices: PRUNERS, hint: 'none; median: stop a genome early when below the median of earlier generations at the same epoch' },
  ];
}

/** The values a preset sets. */
export function presetValues(preset: FormPreset, current?: FormValues): FormValues {
  const base: FormValues = current ?? {
    preset, model: 'mobilenet_v1_0.25', data: DEMO_DATA, input: DEMO_INPUT, population: '8', generations: '3', epochs: '1', batch: '32', seed: '', workers: '0', backend: 'auto', trackingUri: '',
    mode: 'search', models: '', audioPreset: 'none', weights: '', lr: '', experiment: '', genes: 'layers', adapter: 'conv1x1', prune: 'none',
  };
  if (preset === 'quick demo') {
    return { ...base, preset, model: 'mobilenet_v1_0.25', data: DEMO_DATA, input: DEMO_INPUT, population: '8', generations: '3', epochs: '1', batch: '32', seed: base.seed || '1', workers: '0', lr: DEMO_LR };
  }
  // The paper's budget: population 20, 10 generations, 10 epochs at the backbone's 224 px.
  return { ...base, preset, data: base.data === DEMO_DATA ? '' : base.data, lr: base.lr === DEMO_LR ? '' : base.lr, input: '224x224', population: '20', generations: '10', epochs: '10', batch: '32', workers: String(defaultWorkers()) };
}

/** A validated form: the flags of `slt search` (strings), or the errors per field. */
export interface FormCheck {
  flags?: Record<string, string>;
  /** The `slt` command to run (the Mode field). */
  mode?: (typeof FORM_MODES)[number];
  errors: Partial<Record<FieldKey, string>>;
}

/**
 * Checks the values with the runner's schema; the data path must be a folder (or the demo's).
 * `zoo` (the zoo's model names, when loaded) also checks the Models list's names.
 */
export function validateForm(values: FormValues, zoo?: readonly string[]): FormCheck {
  const errors: Partial<Record<FieldKey, string>> = {};
  const data = values.data.trim();
  if (!data) errors.data = 'required: the path of a data set folder';
  else if (data !== DEMO_DATA) {
    const abs = path.resolve(data);
    if (!existsSync(abs)) errors.data = `${data}: no such folder`;
    else if (!statSync(abs).isDirectory()) errors.data = `${data}: a file, not a data set folder`;
  }
  const raw: Record<string, unknown> = {
    model: values.model, data: data || 'x', input: values.input.trim(), preset: values.preset === 'elitist' ? 'elitist' : 'paper', backend: values.backend,
  };
  for (const k of ['population', 'generations', 'epochs', 'batch', 'seed', 'workers'] as const) {
    const v = values[k].trim();
    if (v === '') {
      if (k !== 'seed') errors[k] = 'required';
      continue;
    }
    if (!/^-?\d+$/.test(v)) errors[k] = `${JSON.stringify(v)} is not an integer`;
    else raw[k] = Number(v);
  }
  if (values.trackingUri.trim()) raw.trackingUri = values.trackingUri.trim();
  for (const k of ['weights', 'experiment'] as const) if ((values[k] ?? '').trim()) raw[k] = values[k].trim();
  // Defaults are left out (the flags stay those a user would type); the schema checks the rest.
  const defaults = { genes: 'layers', adapter: 'conv1x1', prune: 'none' } as const;
  for (const k of ['genes', 'adapter', 'prune'] as const) {
    const v = (values[k] ?? '').trim();
    if (v && v !== defaults[k]) raw[k] = v;
  }
  const lr = (values.lr ?? '').trim();
  if (lr) {
    const n = Number(lr);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(lr) || !Number.isFinite(n)) errors.lr = `${JSON.stringify(lr)} is not a number (e.g. 1e-4)`;
    else raw.lr = n;
  }
  const mode = (FORM_MODES as readonly string[]).includes(values.mode) ? (values.mode as FormCheck['mode']) : 'search';
  const audio = (values.audioPreset ?? 'none').trim();
  if (audio && audio !== 'none') {
    raw.audioPreset = audio;
    // An empty Input size takes the preset's feature image size.
    if (!raw.input) delete raw.input;
  }
  // Several models: a study (`slt compare --model a,b`), each name checked as `slt compare` would.
  const models = (values.models ?? '').split(',').map((m) => m.trim());
  if (models.some(Boolean)) {
    if (mode !== 'compare') errors.models = 'several models run in mode compare only (set Mode to compare)';
    else if (models.some((m) => !m)) errors.models = `${JSON.stringify(values.models)}: an empty name in the list`;
    else if (new Set(models).size !== models.length) errors.models = `${JSON.stringify(values.models)}: a model named twice`;
    else {
      // Names out of the zoo are caught here, not after the launch (once the zoo's names are loaded).
      const unknown = zoo?.length ? models.find((m) => !zoo.includes(m)) : undefined;
      if (unknown) errors.models = `${unknown}: not a zoo model (one of ${zoo!.join(', ')})`;
      for (const m of models) {
        try {
          parseSearchConfig({ ...raw, model: m }, 'form');
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          const issue = err.issues.find((x) => x.startsWith('model: '));
          if (issue) errors.models ??= `${m}: ${issue.slice('model: '.length)}`;
        }
      }
    }
  }
  try {
    parseSearchConfig(raw, 'form');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) {
      const [key, ...rest] = issue.split(': ');
      const k = (FIELD_KEYS as readonly string[]).includes(key) ? (key as FieldKey) : 'preset';
      errors[k] ??= rest.join(': ') || issue;
    }
  }
  if (Object.keys(errors).length) return { errors };
  const flags: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (k !== 'data') flags[k] = String(v);
  flags.data = data;
  if (models.some(Boolean)) flags.model = models.join(',');
  return { flags, errors, mode };
}
