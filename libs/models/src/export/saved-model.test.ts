import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createEvaluatorPool } from '../pool/pool.js';
import { fashionSplits, MOBILENET_025 } from '../training/testing.js';
import { classifyImages, loadSavedModel } from './saved-model.js';

describe('saved model', () => {
  it('saves the fine-tuned weights in tfjs layers format; loaded back it reproduces the test accuracy, without leaking tensors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'slt-saved-'));
    try {
      const splits = fashionSplits(3, [4, 1, 1], 20);
      const pool = await createEvaluatorPool({
        workers: 0, backend: 'cpu', splits, training: { epochs: 1, seed: 4 },
        model: { kind: 'zoo', options: { model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, adapter: 'repeat', weights: MOBILENET_025 } },
      });
      const classNames = Array.from({ length: 10 }, (_, i) => `c${i}`);
      const genome = '0'.repeat(78) + '1'.repeat(8);
      const result = await pool.evaluate(genome, { saveModel: { dir, classNames, key: 'g0/1', data: { channels: 1 } } });
      await pool.close();
      expect(result.error).toBeUndefined();
      const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);

      const before = tf.memory().numTensors;
      const saved = await loadSavedModel(dir);
      expect(saved.meta).toMatchObject({ model: 'mobilenet_v1_0.25', mask: genome, imageShape: [28, 28, 1], inputSize: [32, 32], inputRange: 'tf', key: 'g0/1' });
      const { images, labels, shape } = splits.test;
      const got = classifyImages(saved, images, shape[0]);
      const accuracy = got.filter((g, i) => g.classIndex === labels[i]).length / shape[0];
      expect(accuracy).toBe(result.testAccuracy);
      expect(saved.meta.testAccuracy).toBe(result.testAccuracy);
      expect(got[0]!.probabilities).toHaveLength(10);
      saved.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      await expect(loadSavedModel(tmpdir())).rejects.toThrow(/a folder saved by slt/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
