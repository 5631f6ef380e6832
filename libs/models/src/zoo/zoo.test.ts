import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES, createTaskModel, getModelInfo } from '../index.js';
import { InvalidOptionError, UnknownModelError } from '../errors.js';
import { Normalization } from './layers.js';
import { buildBackbone } from './table.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('zoo table', () => {
  it('has the seven names, and unknown names list the valid ones', () => {
    expect(MODEL_NAMES).toEqual([
      'mobilenet_v1', 'mobilenet_v1_0.75', 'mobilenet_v1_0.5', 'mobilenet_v1_0.25', 'vgg16', 'resnet50', 'efficientnet_b0',
    ]);
    expect(() => getModelInfo('resnet18')).toThrow(UnknownModelError);
    expect(() => getModelInfo('resnet18')).toThrow(/'resnet18'.*mobilenet_v1, .*efficientnet_b0/);
    expect(() => createTaskModel({ model: 'toString', inputShape: [32, 32, 1], classes: 2 })).toThrow(UnknownModelError);
  });

  it('rejects input shapes below 32 px or with 2 channels, naming the option and the range', () => {
    expect(() => buildBackbone('vgg16', [31, 32, 3])).toThrow(InvalidOptionError);
    expect(() => buildBackbone('vgg16', [32, 32, 2])).toThrow(/inputShape \[32,32,2\].*>= 32.*1 or 3/);
  });
});

// Keras' len(model.layers) and count_params() of keras.applications.X(include_top=False).
// (VGG16, ResNet50 and MobileNetV1 1.0 are counted in task/task.test.ts, to build them once.)
const KERAS = {
  'mobilenet_v1_0.25': { layers: 86, total: 218_544, trainable: 213_072, channels: 256 },
  efficientnet_b0: { layers: 237, total: 4_049_571, trainable: 4_007_548, channels: 1280 },
} as const;

function size(vs: tf.LayerVariable[]): number {
  return vs.reduce((s, v) => s + (v.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

describe('backbones', () => {
  const built = new Map<string, tf.LayersModel>();
  afterAll(() => {
    for (const m of built.values()) m.dispose();
  });

  for (const [name, k] of Object.entries(KERAS)) {
    it(`${name}: Keras' layer count, genome length and parameter counts at an odd input size; forward without leaks`, () => {
      expect(getModelInfo(name).genomeLength).toBe(k.layers);
      const m = buildBackbone(name, [45, 37, 3]);
      built.set(name, m);
      expect(m.layers.length).toBe(k.layers);
      expect(m.layers[0].name).toBe('input_1');
      expect(m.countParams()).toBe(k.total);
      expect(size(m.trainableWeights)).toBe(k.trainable);
      expect(m.outputs[0].shape[3]).toBe(k.channels);
      const x = tf.randomUniform([1, 45, 37, 3]);
      const before = tf.memory().numTensors;
      const y = m.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, ...(m.outputs[0].shape.slice(1) as number[])]);
      expect(Number.isFinite(tf.tidy(() => tf.sum(y).dataSync()[0]))).toBe(true);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  }

  it('EfficientNetB0 has the keras stem, squeeze-excite and drop-connect layers', () => {
    const m = built.get('efficientnet_b0')!;
    const names = m.layers.map((l) => l.name);
    expect(names.slice(0, 7)).toEqual(['input_1', 'rescaling', 'normalization', 'stem_conv_pad', 'stem_conv', 'stem_bn', 'stem_activation']);
    expect(names).toContain('block2b_se_excite');
    expect(names).toContain('block6d_drop');
    expect(names.filter((n) => n.endsWith('_drop'))).toHaveLength(9);
    expect(names[names.length - 1]).toBe('top_activation');
    const norm = m.getLayer('normalization');
    expect(norm).toBeInstanceOf(Normalization);
    expect(norm.weights.map((w) => w.originalName)).toEqual(['normalization/mean', 'normalization/variance', 'normalization/count']);
    // The custom layer round-trips through tfjs serialisation.
    const config = norm.getConfig();
    expect(tf.serialization.SerializationMap.getMap().classNameMap.Normalization).toBeDefined();
    expect(config.name).toBe('normalization');
  });

  it('MobileNetV1 pads strided depthwise convolutions as Keras (ZeroPadding (0,1) + valid)', () => {
    const m = buildBackbone('mobilenet_v1_0.25', [33, 33, 3]);
    expect(m.getLayer('conv_pad_2').outputShape).toEqual([null, 18, 18, 16]);
    expect(m.getLayer('conv_dw_2').outputShape).toEqual([null, 8, 8, 16]);
    m.dispose();
  });
});
