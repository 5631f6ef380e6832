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

describe('saving a retained evaluation (no training again)', () => {
  it.each([0, 2])('with %i workers: the best genome is saved from the worker that ran it, with the weights a re-run to its best epoch saves', async (workers) => {
    const root = await mkdtemp(path.join(tmpdir(), 'slt-retained-'));
    try {
      const splits = fashionSplits(5, [4, 1, 1], 20);
      const model = { kind: 'zoo' as const, options: { model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1] as [number, number, number], classes: 10, adapter: 'repeat' as const, weights: MOBILENET_025 } };
      const pool = await createEvaluatorPool({ workers, backend: 'wasm', splits, training: { epochs: 3, seed: 2 }, model });
      const classNames = Array.from({ length: 10 }, (_, i) => `c${i}`);
      const genomes = ['0'.repeat(78) + '1'.repeat(8), '0'.repeat(80) + '1'.repeat(6), '0'.repeat(82) + '1'.repeat(4)];
      let results;
      try {
        results = await Promise.all(genomes.map((g) => pool.evaluate(g, { retain: true })));
        const best = results.reduce((b, r, i) => (r.fitness > results![b]!.fitness ? i : b), 0);
        const kept = await pool.saveRetained(genomes[best]!, undefined, { dir: path.join(root, 'kept'), classNames, key: 'best' });
        expect(kept?.fitness).toBe(results[best]!.fitness);
        expect(kept?.testAccuracy).toBe(results[best]!.testAccuracy);
        // Not retained (another seed): undefined, nothing written.
        expect(await pool.saveRetained(genomes[best]!, 99, { dir: path.join(root, 'none'), classNames })).toBeUndefined();
        // The old way: train the genome again for its best epoch and save that.
        const epochs = results[best]!.epochs.reduce((b, e) => (e.valAccuracy > b.valAccuracy ? e : b)).epoch;
        const again = await pool.evaluate(genomes[best]!, { epochs, saveModel: { dir: path.join(root, 'again'), classNames, key: 'best' } });
        expect(again.testAccuracy).toBe(results[best]!.testAccuracy);
      } finally {
        await pool.close();
      }
      const kept = await readFile(path.join(root, 'kept', 'weights.bin'));
      expect(kept.equals(await readFile(path.join(root, 'again', 'weights.bin')))).toBe(true);
      await expect(readFile(path.join(root, 'none', 'weights.bin'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
