/**
 * Test and bench helpers (not part of the public API): the shared Fashion-MNIST subset as splits,
 * and the shared MobileNetV1-0.25 as a task model.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { permutation, seededRandom } from './data.js';
import type { AdapterKind } from '../task/task-model.js';
import type { LayersTaskModelOptions } from './layers-task-model.js';
import type { ImageSplit, TrainingSplits } from './types.js';

/** The repo root (libs/models/src/training -> ../../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** `../shared/data` relative to the repo root. */
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');
/** The shared MobileNetV1-0.25 tfjs layers model. */
export const MOBILENET_025 = path.join(SHARED_DATA, 'models/mobilenet_v1_0.25_224');

/** Task model options for the shared MobileNetV1-0.25 on 28x28 grey images resized to `size`. */
export function mobilenetOptions(size: number, adapter: AdapterKind = 'conv1x1', classes = 10): LayersTaskModelOptions {
  return { modelPath: MOBILENET_025, cutAt: 'conv_pw_13_relu', inputShape: [size, size, 1], classes, adapter };
}

function readIdx(file: string, magic: number): { dims: number[]; data: Uint8Array } {
  const buf = readFileSync(file);
  if (buf.readUInt32BE(0) !== magic) throw new Error(`${file}: bad IDX magic`);
  const ndim = magic & 0xff;
  const dims = Array.from({ length: ndim }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim) };
}

/** Fashion-MNIST-900 as seeded stratified splits (fractions of each class), pixels / 255. */
export function fashionSplits(seed = 0, fractions: [number, number, number] = [4, 1, 1], perClass?: number): TrainingSplits {
  const dir = path.join(SHARED_DATA, 'fashion-mnist-900');
  const img = readIdx(path.join(dir, 'images-idx3-ubyte'), 0x803);
  const lab = readIdx(path.join(dir, 'labels-idx1-ubyte'), 0x801);
  const [n, h, w] = img.dims as [number, number, number];
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) byClass.set(lab.data[i]!, [...(byClass.get(lab.data[i]!) ?? []), i]);
  const random = seededRandom(seed, 'models.testing.split'); // not the batch order's stream
  const parts: number[][] = [[], [], []];
  const total = fractions[0] + fractions[1] + fractions[2];
  for (const idx of byClass.values()) {
    const p = Array.from(permutation(idx.length, random), (j) => idx[j]!).slice(0, perClass ?? idx.length);
    const a = Math.round((p.length * fractions[0]) / total);
    const b = a + Math.round((p.length * fractions[1]) / total);
    parts[0]!.push(...p.slice(0, a));
    parts[1]!.push(...p.slice(a, b));
    parts[2]!.push(...p.slice(b));
  }
  const make = (ids: number[]): ImageSplit => {
    const images = new Float32Array(ids.length * h * w);
    ids.forEach((id, i) => {
      for (let j = 0; j < h * w; j++) images[i * h * w + j] = img.data[id * h * w + j]! / 255;
    });
    return { images, shape: [ids.length, h, w, 1], labels: Int32Array.from(ids, (id) => lab.data[id]!) };
  };
  return { train: make(parts[0]!), val: make(parts[1]!), test: make(parts[2]!) };
}
