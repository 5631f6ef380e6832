import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyWeights, createTaskModel, defaultCacheDir, loadWeights, type WeightSet } from '../index.js';
import { InvalidModelJsonError, MissingShardError, MissingWeightError, ShapeMismatchError, UnknownModelError, WeightsUnavailableError } from '../errors.js';
import { buildMobileNetV1 } from '../zoo/mobilenet.js';
import { ModelWeightsUnavailableError } from './errors.js';
import { weightSetSize } from './weight-set.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const shared = path.resolve(repoRoot, '../shared/data');
const modelDir = path.join(shared, 'models/mobilenet_v1_0.25_224');

/** Reads `n` images of the shared Fashion-MNIST IDX file as [n, 28, 28, 1] floats in [0, 1]. */
async function fashionImages(n: number): Promise<tf.Tensor4D> {
  const buf = await readFile(path.join(shared, 'fashion-mnist-900/images-idx3-ubyte'));
  expect(buf.readUInt32BE(0)).toBe(0x803);
  const [rows, cols] = [buf.readUInt32BE(8), buf.readUInt32BE(12)];
  // Images are stored in class order, 90 per class: take one per class.
  const stride = rows * cols;
  const out = new Float32Array(n * stride);
  for (let i = 0; i < n; i++) {
    const src = 16 + (i * 90 + 7) * stride;
    for (let j = 0; j < stride; j++) out[i * stride + j] = buf[src + j] / 255;
  }
  return tf.tensor4d(out, [n, rows, cols, 1]);
}

/** tf.loadLayersModel of a local model.json (tfjs-node's file:// handler is not installed). */
async function loadReference(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  const specs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
  const parts = [];
  for (const g of json.weightsManifest) for (const p of g.paths) parts.push(await readFile(path.join(dir, p)));
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
}

let weights: WeightSet;
let tmp: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  weights = await loadWeights(modelDir);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slt-models-weights-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('loadWeights', () => {
  it('reads every weight of the shared MobileNet v1 0.25 into typed arrays by layer name', async () => {
    const json = JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8'));
    const specs = json.weightsManifest.flatMap((g: { weights: { name: string; shape: number[] }[] }) => g.weights);
    const expected = specs.reduce((s: number, w: { shape: number[] }) => s + w.shape.reduce((a, b) => a * b, 1), 0);
    expect(weightSetSize(weights)).toBe(expected);
    const conv1 = weights.layers.get('conv1')!;
    expect(conv1.map((w) => w.name)).toEqual(['kernel']);
    expect(conv1[0].shape).toEqual([3, 3, 3, 8]);
    expect(conv1[0].values).toBeInstanceOf(Float32Array);
    expect(weights.layers.get('conv_dw_1')!.map((w) => w.name)).toEqual(['depthwise_kernel']);
    // A file:// URL and the model.json path read the same values.
    const viaUrl = await loadWeights(pathToFileURL(path.join(modelDir, 'model.json')).toString());
    expect(viaUrl.layers.get('conv_pw_13_bn')!.find((w) => w.name === 'moving_variance')!.values).toEqual(
      weights.layers.get('conv_pw_13_bn')!.find((w) => w.name === 'moving_variance')!.values,
    );
  });

  it('zoo MobileNetV1(0.25) + the original head predicts as tf.loadLayersModel on real images', async () => {
    const reference = await loadReference(modelDir);
    const backbone = buildMobileNetV1({ inputShape: [224, 224, 3], alpha: 0.25 });
    expect(applyWeights(backbone.layers, weights)).toBe(backbone.layers.filter((l) => l.weights.length > 0).length);
    // The original head of the tfjs-models file, rebuilt by name.
    let x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(backbone.outputs[0]) as tf.SymbolicTensor;
    x = tf.layers.reshape({ targetShape: [1, 1, 256], name: 'reshape_1' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dropout({ rate: 0.001, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
    const preds = tf.layers.conv2d({ filters: 1000, kernelSize: 1, padding: 'same', name: 'conv_preds' });
    x = preds.apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: 'softmax', name: 'act_softmax' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reshape({ targetShape: [1000], name: 'reshape_2' }).apply(x) as tf.SymbolicTensor;
    const ours = tf.model({ inputs: backbone.inputs, outputs: x });
    applyWeights([preds], weights);

    const grey = await fashionImages(4);
    const input = tf.tidy(() => tf.sub(tf.mul(tf.image.resizeBilinear(tf.tile(grey, [1, 1, 1, 3]), [224, 224]), 2), 1));
    const before = tf.memory().numTensors;
    const a = ours.predict(input) as tf.Tensor;
    const b = reference.predict(input) as tf.Tensor;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    const spread = tf.tidy(() => tf.max(b).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    expect(spread).toBeGreaterThan(0.01); // real, non-degenerate predictions
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([grey, input]);
    ours.dispose();
    reference.dispose();
  });

  it('names the missing shard of a damaged copy', async () => {
    const copy = path.join(tmp, 'damaged');
    await cp(modelDir, copy, { recursive: true });
    await rm(path.join(copy, 'group7-shard1of1'));
    const err = await loadWeights(copy).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingShardError);
    expect((err as MissingShardError).shard).toBe('group7-shard1of1');
    expect((err as Error).message).toContain('group7-shard1of1');
  });

  it('rejects a model.json without a manifest and a path that does not exist', async () => {
    const bad = path.join(tmp, 'bad');
    await cp(modelDir, bad, { recursive: true });
    await writeFile(path.join(bad, 'model.json'), JSON.stringify({ modelTopology: {} }));
    await expect(loadWeights(bad)).rejects.toThrow(InvalidModelJsonError);
    await expect(loadWeights(path.join(tmp, 'nowhere'))).rejects.toThrow(/no such file or directory/);
    // Offline with an empty cache: the message says how to get the official file.
    const empty = path.join(tmp, 'empty-cache');
    await expect(loadWeights('vgg16', { offline: true, cacheDir: empty })).rejects.toThrow(ModelWeightsUnavailableError);
    await expect(loadWeights('vgg16', { offline: true, cacheDir: empty })).rejects.toThrow(
      /no weights for model 'vgg16'.*download https:\/\/storage\.googleapis\.com\/tensorflow\/keras-applications\/vgg16\/vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5 and run 'slt cache add FILE'/,
    );
    await expect(loadWeights('mobilenet_v2')).rejects.toThrow(UnknownModelError);
    await expect(loadWeights('mobilenet_v2')).rejects.toThrow(/unknown model 'mobilenet_v2': valid names are mobilenet_v1, mobilenet_v1_0\.75/);
  });

  it('names layer, weight and both shapes on a shape mismatch, and leaves the model untouched', () => {
    const task = createTaskModel({ model: 'mobilenet_v1_0.5', inputShape: [32, 32, 3], classes: 10 });
    const conv1 = task.model.getLayer('conv1');
    const before = Array.from(conv1.getWeights()[0].dataSync());
    let err: unknown;
    try {
      applyWeights(task.backboneLayers, weights);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeMismatchError);
    const e = err as ShapeMismatchError;
    expect([e.layer, e.weight, e.expectedShape, e.actualShape]).toEqual(['conv1', 'kernel', [3, 3, 3, 16], [3, 3, 3, 8]]);
    expect(e.message).toMatch(/conv1\/kernel.*\[3, 3, 3, 16\].*\[3, 3, 3, 8\]/);
    expect(Array.from(conv1.getWeights()[0].dataSync())).toEqual(before);
    task.dispose();
  });
});

describe('applyWeights', () => {
  it('accepts one Keras session-numbered name (normalization_1) but not an ambiguous or absent one', () => {
    const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 3], classes: 2 });
    const renamed = new Map(weights.layers);
    renamed.set('conv1_7', renamed.get('conv1')!);
    renamed.delete('conv1');
    applyWeights(task.backboneLayers, { source: 'renamed', layers: renamed });
    expect(Float32Array.from(task.model.getLayer('conv1').getWeights()[0].dataSync())).toEqual(weights.layers.get('conv1')![0].values);
    renamed.set('conv1_8', renamed.get('conv1_7')!);
    expect(() => applyWeights(task.backboneLayers, { source: 'ambiguous', layers: renamed })).toThrow(MissingWeightError);
    expect(() => applyWeights(task.backboneLayers, { source: 'ambiguous', layers: renamed })).toThrow(/conv1\/\* is not in ambiguous/);
    expect(applyWeights(task.backboneLayers, { source: 'ambiguous', layers: renamed }, { strict: false })).toBe(53);
    task.dispose();
  });
});

describe('loadWeights over HTTP with a cache', () => {
  let server: Server;
  let url: string;
  let requests: string[];

  beforeAll(async () => {
    requests = [];
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/broken/group7-shard1of1') {
        res.writeHead(404).end('not found');
        return;
      }
      readFile(path.join(modelDir, path.basename(req.url ?? '')))
        .then((body) => res.writeHead(200).end(body))
        .catch(() => res.writeHead(404).end('not found'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mobilenet/model.json`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('downloads once into the cache, then reads the cache without a request', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const first = await loadWeights(url, { cacheDir, cacheName: 'mnv1' });
    expect(weightSetSize(first)).toBe(weightSetSize(weights));
    expect(requests.length).toBe(56); // model.json + 55 shards
    const again = await loadWeights(url, { cacheDir, cacheName: 'mnv1' });
    expect(requests.length).toBe(56);
    expect(weightSetSize(again)).toBe(weightSetSize(weights));
    expect(JSON.parse(await readFile(path.join(cacheDir, 'mnv1/model.json'), 'utf8')).weightsManifest).toHaveLength(55);
  });

  it('serves a zoo name from $SLT_CACHE_DIR/models/<name> without network', async () => {
    const root = path.join(tmp, 'slt-cache');
    await cp(modelDir, path.join(root, 'models', 'mobilenet_v1_0.25'), { recursive: true });
    const saved = process.env.SLT_CACHE_DIR;
    process.env.SLT_CACHE_DIR = root;
    try {
      expect(defaultCacheDir()).toBe(path.join(root, 'models'));
      const ws = await loadWeights('mobilenet_v1_0.25');
      expect(ws.source).toBe(path.join(root, 'models', 'mobilenet_v1_0.25', 'model.json'));
      expect(weightSetSize(ws)).toBe(weightSetSize(weights));
    } finally {
      if (saved === undefined) delete process.env.SLT_CACHE_DIR;
      else process.env.SLT_CACHE_DIR = saved;
    }
  });

  it('reports a missing remote shard by name, and no network without cache', async () => {
    const cacheDir = path.join(tmp, 'cache404');
    const broken = url.replace('/mobilenet/', '/broken/');
    const err = await loadWeights(broken, { cacheDir, cacheName: 'broken' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingShardError);
    expect((err as MissingShardError).shard).toBe('group7-shard1of1');
    expect((err as Error).message).toContain('/broken/group7-shard1of1');
    // Nothing half-written: no model.json marks the incomplete copy, no temp files remain.
    const files = await readdir(path.join(cacheDir, 'broken'));
    expect(files).not.toContain('model.json');
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const deadUrl = 'http://127.0.0.1:9/model.json'; // port 9 (discard): nothing listens
    const dead = await loadWeights(deadUrl, { cacheDir: path.join(tmp, 'empty') }).catch((e: unknown) => e);
    expect(dead).toBeInstanceOf(WeightsUnavailableError);
    expect((dead as Error).message).toContain(deadUrl);
    expect((dead as Error).message).toContain(path.join(tmp, 'empty'));
  });
});
