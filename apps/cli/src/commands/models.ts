/**
 * `slt models` (or `slt models list [--json]`): lists the zoo with the weights the cache holds for
 * each model and the official weights URL. `slt models info NAME --input HxW[xC] [--data DIR]
 * --classes K [--mask BITS | --freeze-all | --train-all] [--head H] [--adapter A] [--json]`: the
 * task model's layers with their trainable state and the parameter counts, built without loading
 * weights (channels: C, else from the data set at DIR, else 1).
 */
import type { Command } from 'commander';
import { inspectDataset } from '@slt/datasets';
import { countSetBits } from '@slt/util';
import {
  MODEL_INFO,
  MODEL_NAMES,
  ModelsError,
  cachedWeights,
  createTaskModel,
  defaultCacheDir,
  freezeAllMask,
  getModelInfo,
  trainAllMask,
  type AdapterKind,
  type HeadKind,
  type InputShape,
} from '@slt/models';
import { CliError } from '../errors.js';

class ModelsCommandError extends CliError {}

interface InfoOptions {
  input: string;
  data?: string;
  classes: string;
  mask?: string;
  freezeAll?: boolean;
  trainAll?: boolean;
  head: string;
  adapter: string;
  json?: boolean;
}

/**
 * Parses `HxW` (as `slt search --input` takes it; channels then `channels`, default 1) or `HxWxC`
 * (e.g. `32x32`, `32x32x3`).
 */
export function parseInputShape(text: string, channels = 1): InputShape {
  const m = /^(\d+)x(\d+)(?:x(\d+))?$/i.exec(text.trim());
  if (!m) throw new ModelsCommandError(`--input '${text}': expected HxW or HxWxC, e.g. 32x32 or 32x32x3 (H, W >= 32; C 1 or 3)`);
  return [Number(m[1]), Number(m[2]), m[3] === undefined ? channels : Number(m[3])];
}

/** Channels of the images a data set yields: 3 when any image is in colour, else 1 (audio: 1). */
async function channelsOf(data: string): Promise<number> {
  try {
    const report = await inspectDataset(data);
    return (report.images?.colour ?? 0) > 0 ? 3 : 1;
  } catch (err) {
    throw new ModelsCommandError(`--data '${data}': ${(err as Error).message}`, { cause: err });
  }
}

const human = (b: number): string => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

function listZoo(json: boolean): void {
  const cacheDir = defaultCacheDir();
  const rows = MODEL_NAMES.map((name) => {
    const i = MODEL_INFO[name];
    const cached = cachedWeights(name, cacheDir).map((c) => ({ format: c.format, path: c.path, bytes: c.bytes }));
    return {
      name,
      family: i.family,
      description: i.description,
      genomeLength: i.genomeLength,
      inputRange: i.inputRange,
      cached,
      weightsFiles: i.weightsFiles.map((f) => ({ format: f.format, url: f.url })),
      weightsUrl: i.weightsFiles[0]?.url ?? null,
    };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const w = Math.max(...rows.map((r) => r.name.length));
  const cachedText = rows.map((r) => (r.cached.length ? r.cached.map((c) => `${c.format} ${human(c.bytes)}`).join(', ') : 'not cached'));
  const cw = Math.max(...cachedText.map((t) => t.length), 'cached weights'.length);
  const lines = rows.map((r, k) => `${r.name.padEnd(w)}  ${String(r.genomeLength).padStart(3)} layers  ${r.inputRange.padEnd(6)}  ${cachedText[k]!.padEnd(cw)}  ${r.weightsUrl ?? '-'}`);
  process.stdout.write(
    `${'name'.padEnd(w)}  genome       range   ${'cached weights'.padEnd(cw)}  official weights (fetched on first use, or: slt cache add FILE.h5)\n${lines.join('\n')}\ncache: ${cacheDir}\n`,
  );
}

async function info(name: string, opts: InfoOptions): Promise<void> {
  const inputShape = parseInputShape(opts.input, opts.data === undefined ? 1 : await channelsOf(opts.data));
  const classes = Number(opts.classes);
  if (!/^\d+$/.test(opts.classes) || classes < 2) throw new ModelsCommandError(`--classes '${opts.classes}': expected an integer >= 2`);
  const chosen = [opts.mask !== undefined, opts.freezeAll === true, opts.trainAll === true].filter(Boolean).length;
  if (chosen > 1) throw new ModelsCommandError('--mask, --freeze-all and --train-all exclude each other: give at most one');
  let genomeLength: number;
  try {
    genomeLength = getModelInfo(name).genomeLength;
  } catch (err) {
    throw new ModelsCommandError((err as Error).message, { cause: err });
  }
  const mask = opts.freezeAll ? freezeAllMask(genomeLength) : opts.mask ?? trainAllMask(genomeLength);
  let task;
  try {
    task = createTaskModel({
      model: name,
      inputShape,
      classes,
      head: opts.head as HeadKind,
      adapter: opts.adapter as AdapterKind,
      mask,
    });
  } catch (err) {
    if (err instanceof ModelsError) throw new ModelsCommandError(err.message, { cause: err });
    throw err;
  }
  try {
    const layers = task.backboneLayers.map((l, index) => ({
      index,
      name: l.name,
      className: l.getClassName(),
      params: l.countParams(),
      hasWeights: task.hasWeights[index],
      trainable: mask[index] === '1',
    }));
    const counts = task.countParams();
    const result = {
      model: name,
      inputShape,
      classes,
      head: task.head,
      adapter: task.adapterKind,
      layerCount: layers.length,
      genomeLength,
      mask,
      trainableLayers: countSetBits(mask),
      layers,
      adapterLayers: task.adapterLayers,
      headLayers: task.headLayers,
      totalParams: counts.total,
      trainableParams: counts.trainable,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const w = Math.max(...layers.map((l) => l.name.length), 10);
    const out = [
      `${name}  input ${inputShape.join('x')}  classes ${classes}  head ${task.head}  adapter ${task.adapterKind ?? 'none'}`,
      `layers ${layers.length}  genome length ${genomeLength}  trainable layers ${result.trainableLayers}`,
      '',
      ...layers.map(
        (l) => `${String(l.index).padStart(3)}  ${l.name.padEnd(w)}  ${l.className.padEnd(22)} ${String(l.params).padStart(9)}  ${l.hasWeights ? (l.trainable ? 'trainable' : 'frozen') : '-'}`,
      ),
      '',
      `always trainable: ${[...task.adapterLayers, ...task.headLayers.filter((h) => !task.adapterLayers.includes(h))].join(', ')}`,
      `total params: ${counts.total.toLocaleString('en-US')}`,
      `trainable params: ${counts.trainable.toLocaleString('en-US')}`,
      `non-trainable params: ${(counts.total - counts.trainable).toLocaleString('en-US')}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    task.dispose();
  }
}

/** Registers `slt models` and `slt models info`. */
export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('List the model zoo, or show a task model\'s layers and parameter counts')
    .action(() => listZoo(false));
  models
    .command('list')
    .description('List the model zoo, the weights cached for each model and the official weights URL')
    .option('--json', 'print the zoo as JSON')
    .action((opts: { json?: boolean }) => listZoo(opts.json === true));
  models
    .command('info')
    .description('Layers, genome length, trainable state and parameter counts of a task model (no weights are loaded)')
    .argument('<name>', `zoo model (${MODEL_NAMES.join(', ')})`)
    .requiredOption('--input <HxW[xC]>', 'input size as search takes it, e.g. 32x32 (H, W >= 32), or with channels 32x32x3 (C 1 or 3)')
    .option('--data <dir>', 'take the channels from this data set (3 if it has colour images, else 1); default 1')
    .requiredOption('--classes <K>', 'number of classes (>= 2)')
    .option('--mask <bits>', 'genome: one 0/1 per backbone layer (default: all trainable)')
    .option('--freeze-all', 'freeze every backbone layer')
    .option('--train-all', 'train every backbone layer (the default)')
    .option('--head <head>', 'flatten or gap', 'flatten')
    .option('--adapter <adapter>', 'for 1-channel input: conv1x1 or repeat', 'conv1x1')
    .option('--json', 'print one JSON object')
    .action((name: string, opts: InfoOptions) => info(name, opts));
}
