/** Input preprocessing: images in [0, 1] -> the backbone's size and input range. */
import * as tf from '@tensorflow/tfjs';
import type { InputRange } from '../zoo/table.js';

/** ImageNet channel means in BGR order, on the 0..255 scale (keras 'caffe' mode). */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

/**
 * Resizes NHWC images (float32 in [0, 1]) bilinearly (half-pixel centres, as tf.image.resize)
 * to `size` when needed and scales them to `range`:
 * - `tf`: 2x - 1;  `raw255`: 255x;
 * - `caffe`: 3 channels: RGB -> BGR, 255x - mean per channel; 1 channel: 255x - the mean of
 *   the three means (the adapter then maps it to 3 channels).
 * The caller owns the result; the input is not disposed.
 */
export function preprocessImages(images: tf.Tensor4D, size: [number, number], range: InputRange): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = images.toFloat();
    const [, h, w, c] = x.shape;
    if (h !== size[0] || w !== size[1]) x = tf.image.resizeBilinear(x, size, false, true);
    switch (range) {
      case 'tf':
        return tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D;
      case 'raw255':
        return tf.mul(x, 255) as tf.Tensor4D;
      case 'caffe': {
        const scaled = tf.mul(x, 255) as tf.Tensor4D;
        if (c === 3) {
          const bgr = tf.reverse(scaled, -1);
          return tf.sub(bgr, tf.tensor1d([...CAFFE_MEAN_BGR])) as tf.Tensor4D;
        }
        const mean = CAFFE_MEAN_BGR.reduce((a, b) => a + b, 0) / 3;
        return tf.sub(scaled, mean) as tf.Tensor4D;
      }
    }
  });
}
