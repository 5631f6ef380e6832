/**
 * `slt predict MODEL FILES...`: classifies images (PNG, JPEG) or sounds (WAV, FLAC, OGG, MP3) with
 * a model a search saved (its `model` folder, or the search folder), preprocessed as the search's
 * data set was (image size and channels, audio features), and prints class and probability per
 * file (JSON lines with `--json`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { audioFileToImage } from '@slt/audio';
import { decodeImage, sniffImage, writeResized } from '@slt/datasets';
import { classifyImages, loadSavedModel, type SavedModel } from '@slt/models';
import { locateSearch } from '@slt/runner';
import { CliError } from '../errors.js';
import { addRootOption, rootOf, type RootFlags } from './root.js';
import type { PredictionLine } from '../json-lines.js';

/** A bad model folder or input file. */
export class PredictError extends CliError {}

/** The saved model folder of `ref`: the folder itself, or `<search>/model` of a search folder or id. */
function modelDir(ref: string, root: string): string {
  let dir = path.resolve(ref);
  if (!existsSync(dir)) {
    try {
      dir = locateSearch(ref, root).dir;
    } catch {
      /* not a search id either: named below */
    }
  }
  if (existsSync(path.join(dir, 'slt-model.json'))) return dir;
  if (existsSync(path.join(dir, 'model', 'slt-model.json'))) return path.join(dir, 'model');
  throw new PredictError(`${ref}: not a saved model (no slt-model.json here or in ${path.join(ref, 'model')}); a finished search saves its best model in <search>/model`, { exitCode: 2 });
}

/** One file as the data set's image: [H, W, C] floats in [0, 1]. */
async function fileImage(saved: SavedModel, file: string): Promise<Float32Array> {
  const [h, w, c] = saved.meta.imageShape;
  const out = new Float32Array(h * w * c);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new PredictError(`${file}: cannot read: ${(err as Error).message}`, { exitCode: 2, cause: err });
  }
  if (sniffImage(buf)) {
    const img = decodeImage(buf, file);
    writeResized(img.rgb, img.height, img.width, 3, out, 0, h, w, c as 1 | 3, 1 / 255);
    return out;
  }
  const data = saved.meta.data ?? {};
  const audio = data.audio as Record<string, unknown> | undefined;
  if (!audio) throw new PredictError(`${file}: not a PNG or JPEG image, and the model was not trained on sounds`, { exitCode: 2 });
  const img = await audioFileToImage(file, { ...(audio as object), channels: c as 1 | 3 } as Parameters<typeof audioFileToImage>[1]);
  const [nh, nw, nc] = img.shape as [number, number, number];
  if (nh === h && nw === w && nc === c) out.set(img.data);
  else writeResized(img.data, nh, nw, nc as 1 | 3, out, 0, h, w, c as 1 | 3, 1);
  return out;
}

/** Registers `slt predict`. */
export function registerPredict(program: Command): void {
  addRootOption(program
    .command('predict'))
    .description('Classify images or sounds with the best model a search saved')
    .argument('<model>', "a saved model folder (model.json, weights.bin, slt-model.json), or a search folder or id")
    .argument('<files...>', 'images (PNG, JPEG) or sounds (WAV, FLAC, OGG, MP3)')
    .option('--json', 'one JSON line per file: file, class, probability, probabilities')
    .action(async (ref: string, files: string[], opts: RootFlags & { json?: boolean }) => {
      const saved = await loadSavedModel(modelDir(ref, rootOf(opts))).catch((err: Error) => {
        throw new PredictError(err.message, { exitCode: 2, cause: err });
      });
      const [h, w, c] = saved.meta.imageShape;
      const images = new Float32Array(files.length * h * w * c);
      for (let i = 0; i < files.length; i++) {
        try {
          images.set(await fileImage(saved, files[i]!), i * h * w * c);
        } catch (err) {
          throw err instanceof CliError ? err : new PredictError(`${files[i]}: ${(err as Error).message}`, { exitCode: 2, cause: err });
        }
      }
      const got = classifyImages(saved, images, files.length);
      got.forEach((g, i) => {
        if (opts.json) process.stdout.write(`${JSON.stringify({ file: files[i]!, class: g.className, classIndex: g.classIndex, probability: g.probability, probabilities: Object.fromEntries(saved.meta.classNames.map((n, k) => [n, g.probabilities[k]!])) } satisfies PredictionLine)}\n`);
        else process.stdout.write(`${files[i]}\t${g.className}\t${g.probability.toFixed(4)}\n`);
      });
      saved.model.dispose();
    });
}
