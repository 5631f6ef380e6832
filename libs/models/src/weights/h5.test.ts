import { mkdtemp, readFile, rm, truncate, writeFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_INFO, checkWeights, createLocalEvaluator, loadWeights, zooTaskModel } from '../index.js';
import { MissingWeightError, ShapeMismatchError } from '../errors.js';
import { InvalidWeightsFileError } from './errors.js';
import { readKerasH5, writeKerasH5 } from './h5.js';
import { weightSetSize, type StoredWeight } from './weight-set.js';
import { MOBILENET_025, SHARED_DATA, fashionSplits } from '../training/testing.js';

const H5 = path.join(SHARED_DATA, 'models/keras-h5/mobilenet_2_5_224_tf_no_top.h5');
let tmp: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slt-h5-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('readKerasH5 on the shared keras.applications MobileNet 0.25 file', () => {
  it('reads the Keras save_weights layout and holds exactly the tfjs folder\'s weights', async () => {
    const h5 = await readKerasH5(H5);
    expect(h5.format).toBe('keras-h5');
    expect(h5.info.layerNames).toHaveLength(86);
    expect(h5.info.layerNames.slice(0, 3)).toEqual(['input_1', 'conv1', 'conv1_bn']);
    expect(h5.info.backend).toBe('tensorflow');
    expect(h5.layers.get('conv1')!.map((w) => [w.name, w.shape])).toEqual([['kernel', [3, 3, 3, 8]]]);
    expect(h5.layers.get('conv1_bn')!.map((w) => w.name)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    const tfjs = await loadWeights(MOBILENET_025);
    // The tfjs folder also holds the top's conv_preds.
    expect([...h5.layers.keys()].sort()).toEqual([...tfjs.layers.keys()].filter((k) => k !== 'conv_preds').sort());
    expect(weightSetSize(h5)).toBe(weightSetSize(tfjs) - tfjs.layers.get('conv_preds')!.reduce((s, w) => s + w.values.length, 0));
    for (const [layer, list] of h5.layers) {
      const other = tfjs.layers.get(layer)!;
      for (const w of list) {
        const o = other.find((x) => x.name === w.name)!;
        expect(o.shape, `${layer}/${w.name}`).toEqual(w.shape);
        expect(Buffer.from(o.values.buffer, o.values.byteOffset, o.values.byteLength).equals(Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength)), `${layer}/${w.name}`).toBe(true);
      }
    }
  });

  it('trains to identical results from the .h5 file and from the tfjs folder (same seed, same backend)', async () => {
    const splits = fashionSplits(5, [4, 1, 1], 6);
    const genome = '0'.repeat(74) + '1'.repeat(12);
    const run = async (weights: string) => {
      const task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, weights, seed: 7, adapter: 'repeat' });
      const ev = createLocalEvaluator(task, splits, { epochs: 1, batchSize: 10, seed: 3 });
      try {
        return await ev.evaluate(genome);
      } finally {
        ev.dispose();
        task.dispose?.();
      }
    };
    const before = tf.memory().numTensors;
    const fromH5 = await run(H5);
    const fromTfjs = await run(MOBILENET_025);
    expect(fromH5.error).toBeUndefined();
    const strip = (r: typeof fromH5) => ({ ...r, seconds: 0, imagesPerSecond: 0, epochs: r.epochs.map((e) => ({ ...e, seconds: 0 })) });
    expect(strip(fromH5)).toEqual(strip(fromTfjs));
    expect(fromH5.epochs[0]!.trainLoss).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Ramp values (deterministic, distinct per weight) of a shape. */
function ramp(shape: number[], k: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (((i * 7 + k * 13) % 101) - 50) / 1000;
  return out;
}

/**
 * A keras.applications-layout file for zoo model `model`: every layer name (weightless ones too) in
 * model order, real weight shapes (built at 32 px: conv kernels do not depend on the input size), a
 * top (`flatten`, `fc1`, `predictions`) that must be ignored.
 */
async function writeZooFile(model: string, file: string, edit?: (layers: Map<string, StoredWeight[]>, names: string[]) => void): Promise<void> {
  const backbone = MODEL_INFO[model]!.builder([32, 32, 3]);
  const layers = new Map<string, StoredWeight[]>();
  const names = backbone.layers.map((l) => l.name);
  let k = 0;
  for (const l of backbone.layers) {
    if (l.weights.length === 0) continue;
    layers.set(
      l.name,
      l.weights.map((v) => {
        const shape = [...(v.shape as number[])];
        return { name: (v.originalName ?? v.name).split('/').pop()!.replace(/_\d+$/, ''), shape, values: ramp(shape, k++) };
      }),
    );
  }
  backbone.dispose();
  names.push('flatten', 'fc1', 'predictions');
  layers.set('fc1', [{ name: 'kernel', shape: [8, 4], values: ramp([8, 4], 1) }, { name: 'bias', shape: [4], values: ramp([4], 2) }]);
  layers.set('predictions', [{ name: 'kernel', shape: [4, 3], values: ramp([4, 3], 3) }]);
  edit?.(layers, names);
  await writeKerasH5(file, layers, { layerNames: names });
}

/** Real keras.applications names and shapes, written out by hand (not from our builders). */
const KERAS_FACTS: Record<string, [string, string, number[]][]> = {
  vgg16: [['block1_conv1', 'kernel', [3, 3, 3, 64]], ['block1_conv1', 'bias', [64]], ['block3_conv3', 'kernel', [3, 3, 256, 256]], ['block5_conv3', 'kernel', [3, 3, 512, 512]]],
  resnet50: [['conv1_conv', 'kernel', [7, 7, 3, 64]], ['conv1_bn', 'moving_variance', [64]], ['conv2_block1_0_conv', 'kernel', [1, 1, 64, 256]], ['conv5_block3_3_bn', 'gamma', [2048]]],
  efficientnet_b0: [['normalization', 'mean', [3]], ['normalization', 'count', []], ['stem_conv', 'kernel', [3, 3, 3, 32]], ['block1a_dwconv', 'depthwise_kernel', [3, 3, 32, 1]], ['block6d_se_reduce', 'kernel', [1, 1, 1152, 48]], ['top_conv', 'kernel', [1, 1, 320, 1280]], ['top_bn', 'beta', [1280]]],
};
const COUNTS: Record<string, number> = { vgg16: 13, resnet50: 106, efficientnet_b0: 131 };

describe.each(['vgg16', 'resnet50', 'efficientnet_b0'])('%s weights from a Keras-layout .h5 file', (model) => {
  let file: string;
  beforeAll(async () => {
    file = path.join(tmp, `${model}_notop.h5`);
    await writeZooFile(model, file);
  }, 120_000);

  it('maps every layer by name with the real shapes, ignores the top, and puts the values into the model', async () => {
    const ws = await readKerasH5(file);
    for (const [layer, weight, shape] of KERAS_FACTS[model]!) expect(ws.layers.get(layer)!.find((w) => w.name === weight)!.shape, `${layer}/${weight}`).toEqual(shape);
    const checked = await checkWeights(model, file, { offline: true, cacheDir: path.join(tmp, 'cache') });
    expect(checked.format).toBe('keras-h5');
    expect(checked.layers).toBe(COUNTS[model]);
    expect(checked.ignoredLayers).toEqual(['fc1', 'predictions']);
    // Values arrive in the model (last weighted layer, first weight).
    const task = await zooTaskModel({ model, inputShape: [32, 32, 3], classes: 3, weights: file });
    try {
      const last = task.model.layers.filter((l) => ws.layers.has(l.name)).pop()!;
      const got = last.weights[0]!.read().dataSync();
      expect(Array.from(got.slice(0, 5))).toEqual(Array.from(ws.layers.get(last.name)![0]!.values.slice(0, 5)));
    } finally {
      task.dispose?.();
    }
  }, 120_000);

  it('names the layer and both shapes of a wrong shape, a missing layer, and a truncated file', async () => {
    const [layer, weight, shape] = KERAS_FACTS[model]!.find(([, , s]) => s.length === 4)!;
    const bad = path.join(tmp, `${model}-shape.h5`);
    const wrong = [...shape.slice(0, 3), shape[3]! * 2];
    await writeZooFile(model, bad, (layers) => {
      const w = layers.get(layer)!.find((x) => x.name === weight)!;
      w.shape = wrong;
      w.values = ramp(wrong, 0);
    });
    const err = await checkWeights(model, bad, { offline: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeMismatchError);
    expect((err as Error).message).toContain(`${layer}/${weight}`);
    expect((err as Error).message).toContain(`[${shape.join(', ')}]`);
    expect((err as Error).message).toContain(`[${wrong.join(', ')}]`);
    expect((err as Error).message).toContain(bad);

    const missing = path.join(tmp, `${model}-missing.h5`);
    await writeZooFile(model, missing, (layers, names) => {
      layers.delete(layer);
      names.splice(names.indexOf(layer), 1);
    });
    const err2 = await checkWeights(model, missing, { offline: true }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(MissingWeightError);
    expect((err2 as Error).message).toContain(`${layer}/*`);
    expect((err2 as Error).message).toContain(missing);

    const cut = path.join(tmp, `${model}-cut.h5`);
    await writeFile(cut, await readFile(file));
    await truncate(cut, Math.floor((await stat(cut)).size / 2));
    const err3 = await readKerasH5(cut).catch((e: unknown) => e);
    expect(err3).toBeInstanceOf(InvalidWeightsFileError);
    expect((err3 as Error).message).toMatch(new RegExp(`${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: truncated`));
  }, 180_000);
});

describe('bad .h5 files are named with what is wrong', () => {
  it('a missing file, a non-HDF5 file, an HDF5 file without the Keras layout', async () => {
    await expect(readKerasH5(path.join(tmp, 'nope.h5'))).rejects.toThrow(/nope\.h5: no such file/);
    const text = path.join(tmp, 'text.h5');
    await writeFile(text, 'not hdf5 at all');
    await expect(readKerasH5(text)).rejects.toThrow(/text\.h5: not an HDF5 file/);
    const other = path.join(tmp, 'other.h5');
    const h5wasm = (await import('h5wasm/node')).default;
    await h5wasm.ready;
    const f = new h5wasm.File(other, 'w');
    f.create_dataset({ name: 'x', data: new Float32Array(3), shape: [3], dtype: '<f' });
    f.close();
    await expect(readKerasH5(other)).rejects.toThrow(/other\.h5: no root attribute 'layer_names'/);
  });

  it('a Keras 1 style file (block1_conv1_W_1:0 names) maps by order within each layer, as Keras does', async () => {
    const file = path.join(tmp, 'vgg16-keras1.h5');
    await writeZooFile('vgg16', file, (layers) => {
      for (const [name, list] of layers) list.forEach((w, i) => (w.name = `${name}_${i === 0 ? 'W' : 'b'}_1`));
    });
    const ws = await readKerasH5(file);
    expect(ws.layers.get('block1_conv1')!.map((w) => w.name)).toEqual(['block1_conv1_W_1', 'block1_conv1_b_1']);
    const checked = await checkWeights('vgg16', file, { offline: true });
    expect(checked.layers).toBe(13);
  }, 120_000);
});
