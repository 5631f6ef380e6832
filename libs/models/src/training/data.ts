import * as tf from '@tensorflow/tfjs';
import { Rng } from '@slt/util';
import { TrainingInputError } from './errors.js';
import type { ImageSplit, TrainingSplits } from './types.js';

/** A split held as model-ready rows: one or more float arrays (one per model input) and labels. */
export interface PreparedSplit {
  /** One entry per model input; each row-major with `rowShapes[i]` per image. */
  inputs: Float32Array[];
  rowShapes: number[][];
  labels: Int32Array;
  count: number;
}

/** Checks a split's shape, lengths, value range of labels; names the split on error. */
export function validateSplit(name: string, split: ImageSplit, classes?: number): void {
  const { images, shape, labels } = split;
  if (!Array.isArray(shape) || shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new TrainingInputError(`${name}.shape`, shape, '[N, H, W, C] of positive integers');
  }
  const [n, h, w, c] = shape;
  if (!(images instanceof Float32Array) || images.length !== n * h * w * c) {
    throw new TrainingInputError(`${name}.images`, images, `Float32Array of length N*H*W*C = ${n * h * w * c}`);
  }
  if (!(labels instanceof Int32Array) || labels.length !== n) {
    throw new TrainingInputError(`${name}.labels`, labels, `Int32Array of length N = ${n}`);
  }
  if (classes !== undefined) {
    for (let i = 0; i < n; i++) {
      const y = labels[i]!;
      if (y < 0 || y >= classes) {
        throw new TrainingInputError(`${name}.labels[${i}]`, y, `a class index in 0..${classes - 1}`);
      }
    }
  }
}

/** Validates the three splits against each other (same H, W, C) and the model's class count. */
export function validateSplits(splits: TrainingSplits, classes: number): void {
  for (const key of ['train', 'val', 'test'] as const) {
    if (!splits[key]) throw new TrainingInputError(`splits.${key}`, splits[key], 'an ImageSplit');
    validateSplit(`splits.${key}`, splits[key], classes);
  }
  const [, h, w, c] = splits.train.shape;
  for (const key of ['val', 'test'] as const) {
    const [, h2, w2, c2] = splits[key].shape;
    if (h2 !== h || w2 !== w || c2 !== c) {
      throw new TrainingInputError(`splits.${key}.shape`, splits[key].shape, `H, W, C equal to splits.train's ${h}x${w}x${c}`);
    }
  }
}

/**
 * Resizes a split bilinearly (half-pixel centres, like tf.image.resize) to the model input and
 * applies the backbone's preprocessing, in chunks, returning plain arrays (no tensor survives).
 */
export function prepareSplit(
  split: ImageSplit,
  size: [number, number],
  preprocess: (x: tf.Tensor4D) => tf.Tensor4D,
  chunk = 128,
): PreparedSplit {
  const [n, h, w, c] = split.shape;
  const rowIn = h * w * c;
  let out: Float32Array | undefined;
  let rowShape: number[] = [];
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    // tidy returns the tensor, not its values: tidy walks what it returns, element by element for a typed array.
    const y = tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(start * rowIn, (start + m) * rowIn), [m, h, w, c]);
      const resized = h === size[0] && w === size[1] ? x : tf.image.resizeBilinear(x, size, false, true);
      return preprocess(resized);
    });
    rowShape = y.shape.slice(1);
    const data = y.dataSync() as Float32Array;
    y.dispose();
    const rowOut = data.length / m;
    out ??= new Float32Array(n * rowOut);
    out.set(data, start * rowOut);
  }
  return { inputs: [out ?? new Float32Array(0)], rowShapes: [rowShape], labels: split.labels, count: n };
}

/**
 * Uniform [0, 1) draws from `seed`'s stream for `purpose` (slt's one seeded source, `Rng` of
 * @slt/util); the training batch order is the 'models.batches' stream.
 */
export function seededRandom(seed: number, purpose = 'models.batches'): () => number {
  const rng = Rng.fromSeed(seed, purpose);
  return () => rng.float();
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, random: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Gathers rows `order[from..to)` of a prepared split into input tensors and one-hot labels. */
export function batchTensors(
  split: PreparedSplit,
  order: Int32Array | null,
  from: number,
  to: number,
  classes: number,
): { xs: tf.Tensor[]; ys: tf.Tensor2D; labels: Int32Array } {
  const m = to - from;
  const labels = new Int32Array(m);
  const xs = split.inputs.map((arr, k) => {
    const rowShape = split.rowShapes[k]!;
    const row = rowShape.reduce((a, b) => a * b, 1);
    const buf = order ? new Float32Array(m * row) : arr.subarray(from * row, to * row);
    if (order) {
      for (let i = 0; i < m; i++) {
        const r = order[from + i]!;
        buf.set(arr.subarray(r * row, (r + 1) * row), i * row);
      }
    }
    return tf.tensor(buf, [m, ...rowShape]);
  });
  const oneHot = new Float32Array(m * classes); // written here: an upload, not two kernels (oneHot, cast)
  for (let i = 0; i < m; i++) {
    labels[i] = split.labels[order ? order[from + i]! : from + i]!;
    oneHot[i * classes + labels[i]!] = 1;
  }
  return { xs, ys: tf.tensor2d(oneHot, [m, classes]), labels };
}
