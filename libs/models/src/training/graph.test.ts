import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTaskModel } from '../task/task-model.js';
import { splitAtPrefix } from './graph.js';
import { layersTaskModel } from './layers-task-model.js';
import { frozenPrefix, applyGenome } from './state.js';
import { mobilenetOptions } from './testing.js';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

describe('splitAtPrefix', () => {
  it('cuts ResNet50 inside a residual block into prefix + suffix that compute the same', () => {
    const task = createTaskModel({ model: 'resnet50', inputShape: [32, 32, 3], classes: 4, seed: 1 });
    try {
      const names = task.genomeLayers;
      // Stop right after the first block's main-path conv: the shortcut input also crosses the cut.
      const k = names.indexOf('conv2_block1_1_conv') + 1;
      const genome = '0'.repeat(k) + '1'.repeat(names.length - k);
      const split = splitAtPrefix(task.model, new Set(frozenPrefix(task, genome)));
      expect(split).not.toBeNull();
      expect(split!.suffix.inputs.length).toBeGreaterThan(1);
      expect(split!.prefixLayers.has('conv2_block1_1_conv')).toBe(true);
      expect(split!.prefixLayers.has('conv2_block1_1_bn')).toBe(false);
      const before = tf.memory().numTensors;
      const [full, parts] = tf.tidy(() => {
        const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 7);
        const mid = split!.prefix.apply(x, { training: false }) as tf.Tensor[];
        return [task.model.apply(x, { training: false }) as tf.Tensor, split!.suffix.apply(mid, { training: false }) as tf.Tensor];
      });
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(full, parts))).dataSync()[0]!);
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([full, parts]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      task.dispose();
    }
  });

  it('does not cut when no frozen layer is closed under its inputs', () => {
    const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 3], classes: 4 });
    try {
      expect(splitAtPrefix(task.model, new Set(['conv1_bn']))).toBeNull();
    } finally {
      task.dispose();
    }
  });
});

describe('layersTaskModel', () => {
  it('puts the paper head on the shared MobileNet and counts params as Keras', async () => {
    const task = await layersTaskModel(mobilenetOptions(32));
    try {
      expect(task.genomeLayers[0]).toBe('input_1');
      expect(task.genomeLayers.at(-1)).toBe('conv_pw_13_relu');
      const L = task.genomeLayers.length;
      expect(applyGenome(task, '0'.repeat(L)).trainableParams).toBe(2_576);
      expect(applyGenome(task, '1'.repeat(L)).trainableParams).toBe(215_648);
      expect(frozenPrefix(task, '0'.repeat(L))).toEqual([]); // the trainable 1x1 conv adapter is in front
    } finally {
      task.dispose?.();
    }
  });

  it('names a bad cut layer and a missing model', async () => {
    await expect(layersTaskModel({ ...mobilenetOptions(32), cutAt: 'conv_pw_99' })).rejects.toThrow(/cutAt: got "conv_pw_99", expected a layer of/);
    await expect(layersTaskModel({ ...mobilenetOptions(32), modelPath: '/nonexistent/model.json' })).rejects.toThrow(/modelPath: got "\/nonexistent\/model.json"/);
  });
});
