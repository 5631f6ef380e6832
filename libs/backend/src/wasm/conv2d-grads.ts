import * as tf from '@tensorflow/tfjs';
import { KernelInputError } from '../errors.js';
import { conv1x1FilterGrad, conv1x1InputGrad, conv2dFilterGradGemm, conv2dFilterGradRows, conv2dInputGradCol2im } from './simd/conv.js';
import { asTensor4D, convAttrs, dilateHW, type KernelArgs, pair, padOrCrop, shapeOf, tapWindows } from './util.js';

export function checkDy(kernel: string, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): void {
  const want = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.some((d, i) => d !== want[i])) {
    throw new KernelInputError(kernel, `input 'dy' has shape [${dy.shape.join(', ')}]; the convolution produces [${want.join(', ')}]`);
  }
}

/** A 1x1 filter at stride 1 that keeps the input's size (no padding): the convolution is one matrix product. */
function pointwise(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.outHeight === info.inHeight && info.outWidth === info.inWidth;
}

/**
 * Gradient of conv2d with respect to its filter: the tap windows of the input ([kk, P, Cin], see
 * tapWindows), transposed to [kk*Cin, P], times dy as [P, Cout] in one matMul, which is already
 * the filter's layout. A 1x1 stride-1 filter skips the windows. On wasm with SIMD (Cout a multiple
 * of 4): a 1x1 stride-1 filter is x's transpose times dy in one call of slt's gemm (simd/gemm.ts),
 * which reads both in place (conv1x1FilterGrad, no kernel call inside); other filters are one accumulating gemm call per tap and output row
 * over x and dy in place (no windows: simd/conv.ts); the backend's matMul would pack a copy of dy on every call, which costs it more than
 * the product at these sizes. (matMul with transposeA is 3-10x slower on wasm than an explicit
 * transpose plus a plain matMul.)
 */
export function conv2DBackpropFilter({ inputs, attrs }: KernelArgs): tf.Tensor {
  const K = 'Conv2DBackpropFilter';
  const a = convAttrs(K, attrs);
  const filterShape = shapeOf(K, 'filterShape', a.filterShape);
  return tf.tidy(() => {
    const x = asTensor4D(K, 'x', inputs.x);
    const dy = asTensor4D(K, 'dy', inputs.dy);
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, a.strides, pair(a.dilations), a.pad as never, a.dimRoundingMode);
    checkDy(K, dy, info);
    const [kh, kw, cin, cout] = filterShape;
    if (kh * kw > 1 || info.strideHeight > 1 || info.strideWidth > 1) {
      const rows = conv2dFilterGradRows(x, dy, info, filterShape);
      if (rows) return tf.engine().makeTensorFromTensorInfo(rows);
    }
    if (pointwise(info)) {
      const fast = conv1x1FilterGrad(x, dy, filterShape);
      if (fast) return tf.engine().makeTensorFromTensorInfo(fast);
    }
    const p = info.batchSize * info.outHeight * info.outWidth;
    const taps = tapWindows(x, info); // [kk, P, Cin]
    const fast = conv2dFilterGradGemm(taps, dy, filterShape);
    if (fast) return tf.engine().makeTensorFromTensorInfo(fast);
    const dy2 = tf.reshape(dy, [p, cout]);
    if (kh * kw === 1 && cin <= cout) {
      return tf.reshape(tf.matMul(tf.transpose(tf.reshape(taps, [p, cin])), dy2), filterShape);
    }
    const cols = tf.reshape(tf.transpose(taps, [0, 2, 1]), [kh * kw * cin, p]); // [kk*Cin, P]
    return tf.reshape(tf.matMul(cols, dy2), filterShape);
  });
}

/**
 * Gradient of conv2d with respect to its input: the stride-dilated dy, padded, convolved
 * (stride 1, forward conv2d) with the filter rotated by 180 degrees and its in/out channels swapped.
 * A 1x1 stride-1 filter is one matMul with the transposed filter (on wasm with SIMD one gemm call,
 * simd/conv.ts conv1x1InputGrad). On wasm with SIMD, other filters run as col2im (one matMul, then each tap's columns added into the input rows; simd/conv.ts).
 */
export function conv2DBackpropInput({ inputs, attrs }: KernelArgs): tf.Tensor {
  const K = 'Conv2DBackpropInput';
  const a = convAttrs(K, attrs);
  const inputShape = shapeOf(K, 'inputShape', a.inputShape);
  return tf.tidy(() => {
    const dy = asTensor4D(K, 'dy', inputs.dy);
    const w = asTensor4D(K, 'filter', inputs.filter);
    const info = tf.backend_util.computeConv2DInfo(inputShape, w.shape, a.strides, pair(a.dilations), a.pad as never, a.dimRoundingMode);
    checkDy(K, dy, info);
    const [, , cin, cout] = w.shape;
    if (pointwise(info)) {
      const fast = conv1x1InputGrad(dy, w, inputShape);
      if (fast) return tf.engine().makeTensorFromTensorInfo(fast);
      const dx = tf.matMul(tf.reshape(dy, [-1, cout]), tf.transpose(tf.reshape(w, [cin, cout]))); // [P, Cin]
      return tf.reshape(dx, inputShape);
    }
    const fast = conv2dInputGradCol2im(dy, w, info);
    if (fast) return tf.engine().makeTensorFromTensorInfo(fast);
    const wr = flippedFilter(w, info);
    return transposedConvBody(dy, info, (d) => tf.conv2d(d, wr, 1, 'valid'));
  });
}

/** Rot180 filter, dilated when the convolution is dilated, with in/out channels swapped. */
function flippedFilter(w: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  let f = tf.reverse(w, [0, 1]);
  if (info.dilationHeight > 1 || info.dilationWidth > 1) f = dilateFilter(f, info.dilationHeight, info.dilationWidth);
  return tf.transpose(f, [0, 1, 3, 2]);
}

/** Spreads filter taps apart by the dilation: [kh, kw, a, b] -> [(kh-1)*dh+1, (kw-1)*dw+1, a, b]. */
export function dilateFilter(f: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  const [kh, kw, a, b] = f.shape;
  const t = tf.transpose(f, [2, 0, 1, 3]) as tf.Tensor4D; // [a, kh, kw, b] as NHWC
  const d = dilateHW(t, dh, dw);
  const cropped = tf.slice(d, [0, 0, 0, 0], [a, (kh - 1) * dh + 1, (kw - 1) * dw + 1, b]);
  return tf.transpose(cropped, [1, 2, 0, 3]);
}

/**
 * Shared body of the input gradients: dilate dy by the stride, pad so that a stride-1 'valid'
 * correlation with the rotated filter yields exactly the input's height and width, and run `conv`.
 */
export function transposedConvBody(
  dy: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  conv: (d: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  const ekh = (info.filterHeight - 1) * info.dilationHeight + 1;
  const ekw = (info.filterWidth - 1) * info.dilationWidth + 1;
  const d = dilateHW(dy, sh, sw); // [N, Ho*sh, Wo*sw, C]: (s-1) trailing zeros already
  const before = [ekh - 1 - padInfo.top, ekw - 1 - padInfo.left];
  // rows needed in total: inHeight + ekh - 1; rows present after `before`: before + Ho*sh.
  const afterH = info.inHeight + ekh - 1 - before[0] - info.outHeight * sh;
  const afterW = info.inWidth + ekw - 1 - before[1] - info.outWidth * sw;
  return conv(padOrCrop(d, before[0], afterH, before[1], afterW));
}
