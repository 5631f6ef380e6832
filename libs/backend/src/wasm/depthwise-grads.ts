import * as tf from '@tensorflow/tfjs';
import { checkDy, dilateFilter, transposedConvBody } from './conv2d-grads.js';
import { depthwiseFilterGrad, depthwiseInputGrad } from './simd/conv.js';
import { asTensor4D, convAttrs, type KernelArgs, pair, shapeOf, tapWindows } from './util.js';

/**
 * Gradient of depthwiseConv2d with respect to its filter. With channel multiplier 1 on wasm with
 * SIMD: strided row multiply-adds straight over x and dy (simd/conv.ts). Otherwise: the tap windows of the input
 * ([kk, P, C], see tapWindows) times dy broadcast over the taps (one elementwise multiply), then
 * the sum over the P output positions as one batched matMul with a row of ones ([kk, 1, C*M]).
 */
export function depthwiseConv2dNativeBackpropFilter({ inputs, attrs }: KernelArgs): tf.Tensor {
  const K = 'DepthwiseConv2dNativeBackpropFilter';
  const a = convAttrs(K, attrs);
  const filterShape = shapeOf(K, 'filterShape', a.filterShape);
  const fast = tf.tidy(() => {
    const x = asTensor4D(K, 'x', inputs.x);
    const dy = asTensor4D(K, 'dy', inputs.dy);
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, a.strides, pair(a.dilations), a.pad as never, a.dimRoundingMode, true);
    checkDy(K, dy, info);
    const out = depthwiseFilterGrad(x, dy, info, filterShape);
    return out && tf.engine().makeTensorFromTensorInfo(out);
  });
  if (fast) return fast;
  return tf.tidy(() => {
    const x = asTensor4D(K, 'x', inputs.x);
    const dy = asTensor4D(K, 'dy', inputs.dy);
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, a.strides, pair(a.dilations), a.pad as never, a.dimRoundingMode, true);
    const [kh, kw, c, m] = filterShape;
    const kk = kh * kw;
    const p = info.batchSize * info.outHeight * info.outWidth;
    const taps = tapWindows(x, info); // [kk, P, C]
    const prod = m === 1
      ? tf.mul(taps, tf.reshape(dy, [1, p, c]))
      : tf.reshape(tf.mul(tf.reshape(taps, [kk, p, c, 1]), tf.reshape(dy, [1, p, c, m])), [kk, p, c * m]);
    const g = tf.matMul(tf.ones([1, 1, p]), prod); // [kk, 1, C*M]
    return tf.reshape(g, filterShape);
  });
}

/**
 * Gradient of depthwiseConv2d with respect to its input. With channel multiplier 1 on wasm with
 * SIMD: each dy row times its filter tap, added into the input rows it came from (simd/conv.ts).
 * Otherwise: the stride-dilated dy, padded, run
 * through a forward stride-1 depthwiseConv2d with the rotated filter (C*M channels, multiplier 1),
 * then the M outputs of each input channel summed.
 */
export function depthwiseConv2dNativeBackpropInput({ inputs, attrs }: KernelArgs): tf.Tensor {
  const K = 'DepthwiseConv2dNativeBackpropInput';
  const a = convAttrs(K, attrs);
  const inputShape = shapeOf(K, 'inputShape', a.inputShape);
  return tf.tidy(() => {
    const dy = asTensor4D(K, 'dy', inputs.dy);
    const w = asTensor4D(K, 'filter', inputs.filter);
    const info = tf.backend_util.computeConv2DInfo(inputShape, w.shape, a.strides, pair(a.dilations), a.pad as never, a.dimRoundingMode, true);
    checkDy(K, dy, info);
    const fast = depthwiseInputGrad(dy, w, info);
    if (fast) return tf.engine().makeTensorFromTensorInfo(fast);
    const [, , c, m] = w.shape;
    let f = tf.reverse(w, [0, 1]);
    if (info.dilationHeight > 1 || info.dilationWidth > 1) f = dilateFilter(f, info.dilationHeight, info.dilationWidth);
    const fr = tf.reshape(f, [f.shape[0], f.shape[1], c * m, 1]) as tf.Tensor4D;
    const out = transposedConvBody(dy, info, (d) => tf.depthwiseConv2d(d, fr, 1, 'valid'));
    if (m === 1) return out;
    const [n, h, wd] = out.shape;
    return tf.sum(tf.reshape(out, [n, h, wd, c, m]), 4);
  });
}
