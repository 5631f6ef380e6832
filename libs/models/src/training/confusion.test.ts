import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { describe, expect, it } from 'vitest';
import { addToConfusion, argMaxRows, confusionRows, countCorrect, macroPrecisionRecall } from './confusion.js';
import { createLocalEvaluator } from './evaluator.js';
import { fashionSplits, MOBILENET_025 } from './testing.js';
import { zooTaskModel } from './zoo-task-model.js';

describe('predictions read from the probabilities', () => {
  it('equal tf.argMax on every backend, ties and NaN included, and count the values that are not finite', async () => {
    const rows = [[0.1, 0.7, 0.2], [0.5, 0.5, 0], [NaN, 0.2, 0.9], [0.3, NaN, 0.1], [Infinity, 1, 2], [-1, -1, -1], [0.2, 0.3, 0.3]];
    const flat = new Float32Array(rows.flat());
    const predicted = new Int32Array(rows.length);
    const bad = argMaxRows(flat, 3, predicted);
    expect(bad).toBe(3);
    for (const backend of ['wasm', 'cpu'] as const) {
      await selectBackend({ prefer: backend });
      const want = tf.tidy(() => Array.from(tf.argMax(tf.tensor2d(flat, [rows.length, 3]), -1).dataSync()));
      expect(Array.from(predicted), backend).toEqual(want);
    }
    await selectBackend({ prefer: 'wasm' });
    expect(countCorrect([1, 0, 2, 0], predicted.subarray(0, 4))).toBe(3);
  });
});

describe('macro precision and recall', () => {
  it('equal a hand computation, a class nobody predicted counting 0', () => {
    // true 0: 3 right, 1 as class 1; true 1: 2 right, 2 as class 0; true 2: 1 as class 0, 1 as class 1 (nobody predicted 2).
    const m = [[3, 1, 0], [2, 2, 0], [1, 1, 0]];
    const { precision, recall } = macroPrecisionRecall(m);
    // precision: class 0 = 3/6, class 1 = 2/4, class 2 = 0 (no prediction) -> (0.5 + 0.5 + 0) / 3
    expect(precision).toBeCloseTo((3 / 6 + 2 / 4 + 0) / 3, 12);
    // recall: 3/4, 2/4, 0/2
    expect(recall).toBeCloseTo((3 / 4 + 2 / 4 + 0) / 3, 12);
    expect(macroPrecisionRecall([])).toEqual({ precision: 0, recall: 0 });
    expect(macroPrecisionRecall([[5, 0], [0, 5]])).toEqual({ precision: 1, recall: 1 });
  });

  it('counts predictions into rows of true classes', () => {
    const counts = new Int32Array(9);
    addToConfusion(counts, 3, [0, 0, 1, 2, 2], [0, 1, 1, 0, 2]);
    expect(confusionRows(counts, 3)).toEqual([[1, 1, 0], [0, 1, 0], [1, 0, 1]]);
  });
});

describe('the evaluator reports the test confusion matrix (wasm, MobileNetV1-0.25, 32 px)', () => {
  it('agrees with the test accuracy and leaks no tensor', async () => {
    await selectBackend({ prefer: 'wasm' });
    const before = tf.memory().numTensors;
    const task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, weights: MOBILENET_025 });
    const splits = fashionSplits(3, [4, 1, 1], 12);
    const ev = createLocalEvaluator(task, splits);
    try {
      const r = await ev.evaluate('0'.repeat(80) + '1'.repeat(6), { epochs: 1 });
      expect(r.error).toBeUndefined();
      const m = r.testConfusion!;
      expect(m).toHaveLength(10);
      const n = splits.test.labels.length;
      expect(m.flat().reduce((a, b) => a + b, 0)).toBe(n);
      // Row sums are the true class counts of the test split.
      for (let c = 0; c < 10; c++) expect(m[c]!.reduce((a, b) => a + b, 0)).toBe(splits.test.labels.filter((l) => l === c).length);
      expect(m.reduce((s, row, c) => s + row[c]!, 0) / n).toBeCloseTo(r.testAccuracy, 12);
      const macro = macroPrecisionRecall(m);
      expect(r.testMacroPrecision).toBe(macro.precision);
      expect(r.testMacroRecall).toBe(macro.recall);
    } finally {
      ev.dispose();
      task.dispose?.();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
