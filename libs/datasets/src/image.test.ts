import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeResized } from './image.js';
import { readFashion900 } from './testing/fixtures.js';

describe('writeResized', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches tf.image.resizeBilinear (half-pixel centres) on real images, up and down', async () => {
    const raw = await readFashion900();
    const src = raw.images.subarray(784 * 17, 784 * 18);
    for (const [h, w] of [
      [40, 33],
      [13, 19],
      [28, 28],
    ] as const) {
      const got = new Float32Array(h * w);
      writeResized(src, 28, 28, 1, got, 0, h, w, 1);
      const want = tf.tidy(() =>
        tf.image.resizeBilinear(tf.tensor3d(Float32Array.from(src), [28, 28, 1]).div(255) as tf.Tensor3D, [h, w], false, true),
      );
      const data = await want.data();
      want.dispose();
      let err = 0;
      for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i]! - data[i]!));
      expect(err).toBeLessThan(1e-5);
    }
    expect(tf.memory().numTensors).toBe(0);
  });

  it('converts RGB to grey by luma and grey to RGB by repetition, writing at the offset', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]); // 2x2
    const dst = new Float32Array(5 + 4);
    writeResized(rgb, 2, 2, 3, dst, 5, 2, 2, 1);
    expect(Array.from(dst.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    const luma = [0.299, 0.587, 0.114, 1];
    luma.forEach((v, i) => expect(dst[5 + i]).toBeCloseTo(v, 6));
    const grey = Uint8Array.from([0, 51, 102, 255]);
    const out = new Float32Array(12);
    writeResized(grey, 2, 2, 1, out, 0, 2, 2, 3);
    expect(Array.from(out)).toEqual([0, 0, 0, 0.2, 0.2, 0.2, 0.4, 0.4, 0.4, 1, 1, 1].map(Math.fround));
  });
});
