/**
 * A fine-tuned task model saved for inference: `model.json` + `weights.bin` in the tfjs layers
 * format (`tf.loadLayersModel` loads it; written through `tf.io.withSaveHandler`, no tfjs-node)
 * and `slt-model.json`, what a classifier needs besides the weights: the mask, the class names,
 * the image shape the data set produced, the model input size and range, and the data settings
 * (audio features...). {@link loadSavedModel} and {@link classifyImages} are the inverse.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { TrainingInputError } from '../training/errors.js';
import { preprocessImages } from '../task/preprocess.js';
import { atomicWrite } from '../weights/cache.js';
import type { InputRange } from '../zoo/table.js';

/** The files of a saved model, in its folder. */
export const SAVED_MODEL_FILES = ['model.json', 'weights.bin', 'slt-model.json'] as const;

const metaSchema = z.looseObject({
  format: z.literal('slt-model/1'),
  /** Zoo name of the backbone. */
  model: z.string(),
  /** The genome: bit i = backbone layer i trained. */
  mask: z.string().regex(/^[01]+$/),
  /** Class names in output order. */
  classNames: z.array(z.string()).min(2),
  /** [H, W, C] of the images the data set produced (values in [0, 1]) before resizing to the input. */
  imageShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  /** Model input [H, W]. */
  inputSize: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  /** Input range of the backbone (see preprocessImages). */
  inputRange: z.enum(['tf', 'raw255', 'caffe']),
  /** How the data set turned files into images (audio features, channels...), as it recorded them. */
  data: z.record(z.string(), z.unknown()).optional(),
  /** Evaluation key in the search (`g1/3`, `baseline/train-all`). */
  key: z.string().optional(),
  /** Test accuracy of these weights, measured when they were trained. */
  testAccuracy: z.number().optional(),
});

/** What `slt-model.json` holds. */
export type SavedModelMeta = z.infer<typeof metaSchema>;

/**
 * Saves `model` to `dir` (created): model.json, weights.bin and slt-model.json, each written
 * through a temp file and a rename. Returns the file names.
 */
export async function saveTaskModelFiles(model: tf.LayersModel, dir: string, meta: Omit<SavedModelMeta, 'format'>): Promise<string[]> {
  const full = { format: 'slt-model/1', ...meta } as SavedModelMeta;
  metaSchema.parse(full);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = artifacts.weightData === undefined ? new Uint8Array(0) : new Uint8Array(tf.io.concatenateArrayBuffers(
      Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData],
    ));
    const json = {
      format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`, convertedBy: 'slt',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    };
    await atomicWrite(path.join(dir, 'weights.bin'), weights);
    await atomicWrite(path.join(dir, 'model.json'), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
  }));
  await atomicWrite(path.join(dir, 'slt-model.json'), `${JSON.stringify(full, null, 2)}\n`);
  return [...SAVED_MODEL_FILES];
}

/** A file IOHandler that reads model.json and the shards it lists from a folder. */
function folderHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const file = path.join(dir, 'model.json');
      const json = JSON.parse(await readFile(file, 'utf8')) as { modelTopology: object; weightsManifest: tf.io.WeightsManifestConfig };
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          const b = await readFile(path.join(dir, p));
          buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        }
      }
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: tf.io.concatenateArrayBuffers(buffers) };
    },
  };
}

/** A loaded saved model. */
export interface SavedModel {
  model: tf.LayersModel;
  meta: SavedModelMeta;
  dir: string;
}

/**
 * Loads a folder written by {@link saveTaskModelFiles} with `tf.loadLayersModel`.
 * @throws TrainingInputError naming the folder when a file is missing or not a saved model.
 */
export async function loadSavedModel(dir: string): Promise<SavedModel> {
  const metaFile = path.join(dir, 'slt-model.json');
  let meta: SavedModelMeta;
  try {
    meta = metaSchema.parse(JSON.parse(await readFile(metaFile, 'utf8')));
  } catch (cause) {
    throw new TrainingInputError('model', dir, `a folder saved by slt (model.json, weights.bin, slt-model.json): ${metaFile}: ${(cause as Error).message.split('\n')[0]}`);
  }
  try {
    const model = await tf.loadLayersModel(folderHandler(dir));
    return { model, meta, dir };
  } catch (cause) {
    throw new TrainingInputError('model', dir, `a loadable tfjs layers model: ${(cause as Error).message}`);
  }
}

/** One classification. */
export interface Classification {
  /** Index of the most probable class. */
  classIndex: number;
  className: string;
  probability: number;
  /** Every class's probability, in `meta.classNames` order. */
  probabilities: number[];
}

/**
 * Classifies `n` images of `meta.imageShape` (values in [0, 1], NHWC) the way the search's
 * evaluation did: bilinear resize (half-pixel centres) to the input size, then the backbone's range.
 */
export function classifyImages(saved: SavedModel, images: Float32Array, n: number, batch = 64): Classification[] {
  const [h, w, c] = saved.meta.imageShape;
  if (images.length !== n * h * w * c) throw new TrainingInputError('images', images.length, `${n} x ${h} x ${w} x ${c} values`);
  const out: Classification[] = [];
  for (let from = 0; from < n; from += batch) {
    const m = Math.min(batch, n - from);
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(from * h * w * c, (from + m) * h * w * c), [m, h, w, c]);
      const size = saved.meta.inputSize;
      const resized = h === size[0] && w === size[1] ? x : tf.image.resizeBilinear(x, size, false, true);
      const y = saved.model.predict(preprocessImages(resized, size, saved.meta.inputRange as InputRange)) as tf.Tensor;
      return y.arraySync() as number[][];
    });
    for (const p of probs) {
      let k = 0;
      for (let i = 1; i < p.length; i++) if (p[i]! > p[k]!) k = i;
      out.push({ classIndex: k, className: saved.meta.classNames[k] ?? String(k), probability: p[k]!, probabilities: p });
    }
  }
  return out;
}

/** What a pool evaluation is asked to save besides its weights (see PoolEvaluateOptions.saveModel). */
export interface SaveModelRequest {
  /** Folder to write (created). */
  dir: string;
  /** Class names in output order. */
  classNames: string[];
  /** Evaluation key, recorded in slt-model.json. */
  key?: string;
  /** The data set's settings (audio features, channels...), recorded for `slt predict`. */
  data?: Record<string, unknown>;
}

/** Saves a just-evaluated zoo task model (its weights as trained) with what inference needs. */
export async function saveEvaluatedModel(
  model: tf.LayersModel, zooModel: string, inputRange: InputRange, imageShape: number[], genome: string, testAccuracy: number, req: SaveModelRequest,
): Promise<string[]> {
  const [, ih, iw] = model.inputs[0]!.shape as number[];
  return saveTaskModelFiles(model, req.dir, {
    model: zooModel, mask: genome, classNames: req.classNames, imageShape: imageShape.slice(-3) as [number, number, number], inputSize: [ih!, iw!], inputRange,
    ...(req.data ? { data: req.data } : {}), ...(req.key ? { key: req.key } : {}), testAccuracy,
  });
}
