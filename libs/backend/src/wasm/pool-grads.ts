import * as tf from '@tensorflow/tfjs';
import { KernelInputError } from '../errors.js';
import { depthwiseConv2dNativeBackpropInput } from './depthwise-grads.js';
import { asTensor4D, tapWindows } from './util.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Scatter-adds per-tap values [kk, P, C] back onto the input grid ("col2im"): the input gradient of
 * a depthwise convolution with channel multiplier kk whose filter is one-hot per tap, so it runs
 * on the forward XNNPACK depthwise convolution (see depthwiseConv2dNativeBackpropInput).
 */
function col2im(vals: tf.Tensor3D, info: tf.backend_util.Conv2DInfo, attrs: PoolGradAttrs): tf.Tensor4D {
  const [kk, , c] = vals.shape;
  const { batchSize: n, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const dy = tf.reshape(tf.transpose(vals, [1, 2, 0]), [n, oh, ow, c * kk]); // channel c*kk + g
  const eye = tf.reshape(tf.tile(tf.reshape(tf.eye(kk), [kh, kw, 1, kk]), [1, 1, c, 1]), [kh, kw, c, kk]);
  return depthwiseConv2dNativeBackpropInput({
    inputs: { dy, filter: eye },
    attrs: { strides: attrs.strides, pad: attrs.pad, dimRoundingMode: attrs.dimRoundingMode, dilations: 1, inputShape: [n, info.inHeight, info.inWidth, c] } as never,
  }) as tf.Tensor4D;
}

/**
 * Gradient of maxPool, replacing the wasm backend's own MaxPoolGrad, which routes gradients to
 * wrong positions for some shapes (e.g. 7x7x6 input, 3x3 pool, stride 2: off by up to 0.9 against
 * the cpu backend and a brute-force reference). Each window's first maximum (row-major, as the cpu
 * backend picks it; padding never wins) receives dy.
 */
export function maxPoolGrad({ inputs, attrs }: KernelArgs): tf.Tensor {
  const K = 'MaxPoolGrad';
  const a = attrs as unknown as PoolGradAttrs;
  return tf.tidy(() => {
    const x = asTensor4D(K, 'input', inputs.input);
    const y = asTensor4D(K, 'output', inputs.output);
    const dy = asTensor4D(K, 'dy', inputs.dy);
    const info = tf.backend_util.computePool2DInfo(x.shape, a.filterSize, a.strides, 1, a.pad as never, a.dimRoundingMode);
    const want = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    if (dy.shape.some((d, i) => d !== want[i]) || y.shape.some((d, i) => d !== want[i])) {
      throw new KernelInputError(K, `inputs 'dy' [${dy.shape.join(', ')}] and 'output' [${y.shape.join(', ')}] must both be [${want.join(', ')}]`);
    }
    const c = x.shape[3];
    const p = info.batchSize * info.outHeight * info.outWidth;
    const taps = tapWindows(x, info, -Infinity); // [kk, P, C]
    const isMax = tf.cast(tf.equal(taps, tf.reshape(y, [1, p, c])), 'float32');
    const first = tf.mul(isMax, tf.cast(tf.equal(tf.cumsum(isMax, 0), 1), 'float32')); // first max only
    const vals = tf.mul(first, tf.reshape(dy, [1, p, c])) as tf.Tensor3D;
    return col2im(vals, info, a);
  });
}
