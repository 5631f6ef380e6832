import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyWeights, createTaskModel, describeGenome, geneLayout, freezeAllMask, loadWeights, trainAllMask, type TaskModel, type WeightSet } from '../index.js';
import { withWeightsToFollow } from '../zoo/layers.js';
import { buildBackbone } from '../zoo/table.js';
import { InvalidMaskError, InvalidOptionError } from '../errors.js';
import { preprocessImages } from './preprocess.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const modelDir = path.resolve(repoRoot, '../shared/data/models/mobilenet_v1_0.25_224');
let weights: WeightSet;

beforeAll(async () => {
  await tf.setBackend('cpu');
  weights = await loadWeights(modelDir);
});

// The figures (Keras, 32x32x1 Fashion-MNIST, 10 classes, 1x1 conv adapter, flatten head):
// trainable freeze-all / train-all, and Keras' layer count and count_params() of the backbone.
const PAPER = {
  mobilenet_v1: { frozen: 10_256, all: 3_217_232, layers: 86, backbone: 3_228_864 },
  vgg16: { frozen: 5_136, all: 14_719_824, layers: 19, backbone: 14_714_688 },
  resnet50: { frozen: 20_496, all: 23_555_088, layers: 175, backbone: 23_587_712 },
  efficientnet_b0: { frozen: 12_816, all: 4_020_364, layers: 237, backbone: 4_049_571 },
} as const;

const built = new Map<string, TaskModel>();
/** The 32x32x1, 10-class task model of `model`, built once per file. */
function task32(model: string): TaskModel {
  if (!built.has(model)) built.set(model, createTaskModel({ model, inputShape: [32, 32, 1], classes: 10 }));
  return built.get(model)!;
}
afterAll(() => {
  for (const t of built.values()) t.dispose();
});

describe('task model parameter counts', () => {
  for (const [model, k] of Object.entries(PAPER)) {
    it(`${model}: ${k.layers} layers, freeze-all ${k.frozen}, train-all ${k.all} trainable parameters`, () => {
      const task = task32(model);
      task.applyGenome(trainAllMask(task.genomeLength));
      expect(task.genomeLength).toBe(k.layers);
      expect(task.genomeLayers[0]).toBe('input_1');
      expect(task.countParams()).toEqual({ trainable: k.all, total: k.backbone + k.frozen });
      task.applyGenome(freezeAllMask(task.genomeLength));
      expect(task.countParams()).toEqual({ trainable: k.frozen, total: k.backbone + k.frozen });
      expect(task.model.outputs[0].shape).toEqual([null, 10]);
      task.applyGenome(trainAllMask(task.genomeLength));
      expect(task.countParams().trainable).toBe(k.all);
    });
  }

  it('describeGenome agrees with the task model and is cached', () => {
    const g = describeGenome('efficientnet_b0');
    const t = task32('efficientnet_b0');
    expect(g.layerNames).toEqual(t.genomeLayers);
    expect(g.hasWeights).toEqual(t.hasWeights);
    expect(g.tunable[g.layerNames.indexOf('normalization')]).toBe(false);
    expect(g.hasWeights[g.layerNames.indexOf('normalization')]).toBe(true);
    expect(describeGenome('efficientnet_b0')).toBe(g);
  });

  it('ResNet50 orders a block as Keras does (shortcut conv after the second relu)', () => {
    const names = task32('resnet50').genomeLayers;
    expect(names.slice(7, 19)).toEqual([
      'conv2_block1_1_conv', 'conv2_block1_1_bn', 'conv2_block1_1_relu', 'conv2_block1_2_conv', 'conv2_block1_2_bn',
      'conv2_block1_2_relu', 'conv2_block1_0_conv', 'conv2_block1_3_conv', 'conv2_block1_0_bn', 'conv2_block1_3_bn',
      'conv2_block1_add', 'conv2_block1_out',
    ]);
    expect(names[names.length - 1]).toBe('conv5_block3_out');
  });

  it('counts a single layer exactly: conv_pw_13 (+ BN gamma/beta) of MobileNetV1 0.25', () => {
    const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10 });
    const frozen = 6 + 256 * 10 + 10;
    const i = task.genomeLayers.indexOf('conv_pw_13');
    const j = task.genomeLayers.indexOf('conv_pw_13_bn');
    const mask = [...freezeAllMask(task.genomeLength)];
    mask[i] = '1';
    mask[j] = '1';
    task.applyGenome(mask.join(''));
    expect(task.countParams()).toEqual({ total: 218_544 + frozen, trainable: frozen + 256 * 256 + 2 * 256 });
    task.dispose();
  });

  it('repeat adapter and GAP head have no adapter parameters; 3 channels has no adapter', () => {
    const rep = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [40, 48, 1], classes: 7, adapter: 'repeat', head: 'gap' });
    rep.applyGenome(freezeAllMask(86));
    expect(rep.countParams().trainable).toBe(256 * 7 + 7);
    expect(rep.headLayers).toEqual(['adapter_repeat', 'head_gap', 'head_dense']);
    const rgb = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 3], classes: 3 });
    expect(rgb.adapter).toBeNull();
    expect(rgb.adapterLayers).toEqual([]);
    expect(rgb.genomeLayers[0]).toBe('input_1');
    rep.dispose();
    rgb.dispose();
  });
});

describe('genomes', () => {
  it('rejects masks of the wrong length or alphabet, naming the expected length', () => {
    const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10 });
    expect(() => task.applyGenome('01')).toThrow(InvalidMaskError);
    expect(() => task.applyGenome('01')).toThrow(/has 2 characters \(expected 86 characters/);
    expect(() => task.applyGenome(`${'0'.repeat(85)}2`)).toThrow(/character 85 is '2'/);
    expect(() => createTaskModel({ model: 'vgg16', inputShape: [32, 32, 1], classes: 1 })).toThrow(InvalidOptionError);
    expect(() => createTaskModel({ model: 'vgg16', inputShape: [32, 32, 1], classes: 2, head: 'max' as 'gap' })).toThrow(/head 'max'/);
    task.dispose();
  });

  it('gene modes: weighted locks weightless layers, blocks ties a block, effective masks drop weightless bits', () => {
    const mob = describeGenome('mobilenet_v1_0.25');
    const weighted = geneLayout(mob, 'weighted');
    expect(weighted.genes).toBe(54); // 27 convs + 27 BNs of 86 layers
    expect(weighted.locked).toContain(0); // input_1
    const blocks = geneLayout(mob, 'blocks');
    expect(blocks.genes).toBe(14); // the stem conv + 13 dw/pw pairs
    const one = [...freezeAllMask(86)];
    one[mob.layerNames.indexOf('conv_dw_3')] = '1';
    const expanded = blocks.expand(one.join(''));
    const on = [...expanded].flatMap((b, i) => (b === '1' ? [mob.layerNames[i]] : []));
    expect(on).toEqual(['conv_dw_3', 'conv_dw_3_bn', 'conv_pw_3', 'conv_pw_3_bn']);
    const layers = geneLayout(mob, 'layers');
    expect(layers.locked).toEqual([]);
    const relu = [...freezeAllMask(86)];
    relu[mob.layerNames.indexOf('conv1_relu')] = '1';
    expect(layers.effective(relu.join(''))).toBe(freezeAllMask(86)); // a '1' on a ReLU trains nothing
    expect(layers.weightedTrainable(trainAllMask(86))).toBe(54);
    const res = describeGenome('resnet50');
    expect(geneLayout(res, 'blocks').genes).toBe(1 + 16); // stem + 16 bottlenecks
    const vgg = describeGenome('vgg16');
    expect(geneLayout(vgg, 'blocks').genes).toBe(13); // one per conv
    expect(() => geneLayout(mob, 'bits' as 'layers')).toThrow(/genes 'bits'/);
  });

  it('a frozen 1x1 adapter starts as a channel repeat and never trains', () => {
    const t = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, adapter: 'conv1x1-frozen' });
    expect(t.adapterLayers).toEqual([]);
    expect(t.headLayers).toEqual(['head_flatten', 'head_dense']);
    t.applyGenome(freezeAllMask(86));
    expect(t.countParams().trainable).toBe(256 * 10 + 10);
    const k = t.model.getLayer('adapter_conv1x1_frozen').getWeights()[0]!;
    expect(Array.from(k.dataSync())).toEqual([1, 1, 1]);
    expect(() => createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, adapter: 'conv' as 'repeat' })).toThrow(/adapter 'conv'/);
    t.dispose();
  });
});

describe('weights, preprocessing and memory', () => {
  it('loading weights, building, resetting, predicting and disposing a task model leaks no tensor', async () => {
    const warm = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, weights });
    warm.dispose(); // first use may cache backend constants
    const before = tf.memory().numTensors;
    const ws = await loadWeights(modelDir);
    const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [36, 36, 1], classes: 10, weights: ws });
    const x = tf.randomUniform([2, 28, 28, 1]) as tf.Tensor4D;
    const y = tf.tidy(() => task.model.predict(task.preprocess(x)) as tf.Tensor);
    expect(y.shape).toEqual([2, 10]);
    tf.dispose([x, y]);
    task.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with weights, no random init of the backbone, and the same model as a random init written over (the seeded adapter and head too)', () => {
    const opts = { model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1] as [number, number, number], classes: 10, seed: 3 };
    const fast = createTaskModel({ ...opts, weights });
    const slow = createTaskModel(opts); // random init (no weights), then the same weights written over it
    const randomKernel = slow.model.getLayer('conv_pw_5').getWeights()[0]!;
    expect(tf.tidy(() => tf.max(tf.abs(randomKernel)).dataSync()[0]!)).toBeGreaterThan(0);
    applyWeights(slow.backboneLayers, weights);
    const a = fast.model.getWeights();
    const b = slow.model.getWeights();
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) {
      expect(fast.model.weights[i]!.originalName).toBe(slow.model.weights[i]!.originalName);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a[i]!, b[i]!))).dataSync()[0]), fast.model.weights[i]!.name).toBe(0);
    }
    // inside withWeightsToFollow a backbone's kernels start at zeros; outside, random
    const zeroed = withWeightsToFollow(() => buildBackbone('mobilenet_v1_0.25', [32, 32, 3]));
    expect(tf.tidy(() => tf.max(tf.abs(zeroed.getLayer('conv_pw_5').getWeights()[0]!)).dataSync()[0])).toBe(0);
    zeroed.dispose();
    fast.dispose();
    slow.dispose();
  });

  it('batch normalization stays in inference mode while training', () => {
    const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 3], classes: 2, weights });
    const bn = task.model.getLayer('conv1_bn');
    const mean0 = Float32Array.from(bn.getWeights()[2].dataSync());
    const x = tf.randomUniform([4, 32, 32, 3], -1, 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    task.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const a = task.model.predict(x) as tf.Tensor;
    // A training-mode forward pass must equal the inference one (moving statistics, no dropout).
    const b = tf.tidy(() => task.model.apply(x, { training: true }) as tf.Tensor);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    return task.model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 }).then(() => {
      expect(Float32Array.from(bn.getWeights()[2].dataSync())).toEqual(mean0);
      tf.dispose([x, y, a, b]);
      task.dispose();
    });
  });

  it('preprocess resizes bilinearly and maps [0, 1] to each backbone range', () => {
    const img = tf.tensor4d([0, 0.5, 1, 0.25], [1, 2, 2, 1]);
    const rgb = tf.tensor4d([1, 0, 0], [1, 1, 1, 3]);
    const before = tf.memory().numTensors;
    const tfRange = preprocessImages(img, [2, 2], 'tf');
    expect(Array.from(tfRange.dataSync())).toEqual([-1, 0, 1, -0.5]);
    const raw = preprocessImages(img, [4, 4], 'raw255');
    expect(raw.shape).toEqual([1, 4, 4, 1]);
    expect(raw.dataSync()[0]).toBeCloseTo(0, 5);
    const caffe = preprocessImages(rgb, [1, 1], 'caffe');
    const v = caffe.dataSync();
    expect([v[0], v[1], v[2]]).toEqual([-103.939, -116.779, 255 - 123.68].map((n) => Math.fround(n)));
    tf.dispose([tfRange, raw, caffe]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([img, rgb]);
  });
});
