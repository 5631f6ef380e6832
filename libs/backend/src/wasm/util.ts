import * as tf from '@tensorflow/tfjs';
import { KernelInputError } from '../errors.js';
import { gatherTaps, sliceRows4D } from './heap.js';

/** Attributes shared by the convolution backward kernels (as tfjs-core passes them). */
export interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW' | 'channelsLast' | 'channelsFirst';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

/** The arguments tfjs passes a kernel function of the conv gradients. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap };

/** A 4-D shape attribute (`filterShape`, `inputShape`), checked. */
export function shapeOf(kernel: string, name: string, v: unknown): [number, number, number, number] {
  const ok = Array.isArray(v) && v.length === 4 && v.every((d) => Number.isInteger(d) && d > 0);
  if (!ok) throw new KernelInputError(kernel, `attribute '${name}' must be 4 positive integers, got ${JSON.stringify(v)}`);
  return v as [number, number, number, number];
}

/** A kernel input as a Tensor (runKernel passes Tensors; a bare TensorInfo is wrapped). */
export function asTensor4D(kernel: string, name: string, info: tf.TensorInfo | undefined): tf.Tensor4D {
  if (info == null) throw new KernelInputError(kernel, `input '${name}' is missing`);
  if (info.shape.length !== 4) {
    throw new KernelInputError(kernel, `input '${name}' must be rank 4 (NHWC), got shape [${info.shape.join(', ')}]`);
  }
  if (info instanceof tf.Tensor) return info as tf.Tensor4D;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor4D;
}

/**
 * The attributes of a conv gradient kernel as tfjs-core passes them, checked where a wrong one would
 * give a wrong gradient silently: strides and pad present, data format NHWC.
 */
export function convAttrs(kernel: string, attrs: tf.NamedAttrMap | undefined): ConvGradAttrs {
  if (!attrs || attrs.strides === undefined || attrs.pad === undefined) throw new KernelInputError(kernel, 'attributes strides and pad are required');
  const a = attrs as unknown as ConvGradAttrs; // the one read of tfjs's untyped attribute map
  const f = a.dataFormat;
  if (f !== undefined && f !== 'NHWC' && f !== 'channelsLast') {
    throw new KernelInputError(kernel, `dataFormat '${f}' is not supported; only NHWC`);
  }
  return a;
}

export function pair(v: number | [number, number] | undefined): [number, number] {
  if (v === undefined) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

/** Pads (or crops, for negative amounts) height and width of an NHWC tensor. */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number, value = 0): tf.Tensor4D {
  let y = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = y.shape;
    const t = Math.max(0, -top), b = Math.max(0, -bottom), l = Math.max(0, -left), r = Math.max(0, -right);
    y = sliceRows4D(y, [0, t, l, 0], [n, h - t - b, w - l - r, c]);
  }
  const pt = Math.max(0, top), pb = Math.max(0, bottom), pl = Math.max(0, left), pr = Math.max(0, right);
  if (pt || pb || pl || pr) y = tf.pad(y, [[0, 0], [pt, pb], [pl, pr], [0, 0]], value);
  return y;
}

/**
 * The windows of every filter tap, stacked tap-major: [kh*kw, N*outH*outW, C]; tap g = (i, j)
 * holds, for each output position (oh, ow), the input at (oh*s + i*d - top, ow*s + j*d - left).
 *
 * Built without strided slices (slow on wasm): the padded input is split once into its s*s stride
 * phases by one transpose, after which every tap is a plain slice of a phase, taken on a
 * [N, rows, cols*C] view so that each copied run is a whole output row (outW*C values).
 */
export function tapWindows(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, padValue = 0): tf.Tensor3D {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow } = info;
  const [n, , , c] = x.shape;
  const kh = info.filterHeight, kw = info.filterWidth;
  const p = n * oh * ow;
  // rows/cols each phase needs: the furthest tap offset (in phase units) plus the outputs.
  const phaseRows = Math.floor(((kh - 1) * dh) / sh) + oh;
  const phaseCols = Math.floor(((kw - 1) * dw) / sw) + ow;
  const { top, left } = info.padInfo;
  const xp = padOrCrop(x, top, phaseRows * sh - top - info.inHeight, left, phaseCols * sw - left - info.inWidth, padValue);
  if (kh === 1 && kw === 1 && sh === 1 && sw === 1) return tf.reshape(xp, [1, p, c]);
  const phases = splitPhases(xp, sh, sw); // [sw*sh*N, phaseRows, phaseCols*C]
  const taps: Array<{ phase: number; r0: number; c0: number }> = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const a = (i * dh) % sh, b = (j * dw) % sw;
      taps.push({ phase: b * sh + a, r0: Math.floor((i * dh) / sh), c0: Math.floor((j * dw) / sw) });
    }
  }
  return gatherTaps(phases, n, c, oh, ow, taps);
}

/**
 * Splits [N, R*sh, Q*sw, C] into its stride phases: phase (a, b) = x[:, a::sh, b::sw, :], stored
 * at batch offset (b*sh + a)*N of the result [sw*sh*N, R, Q*C]. Two transposes of rank <= 4 (the
 * wasm backend's transpose is fast up to rank 4 and slow above).
 */
export function splitPhases(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor3D {
  const [n, hp, wp, c] = x.shape;
  const r = hp / sh, q = wp / sw;
  let y: tf.Tensor = x;
  if (sh > 1) y = tf.transpose(tf.reshape(y, [n * r, sh, wp * c]), [1, 0, 2]); // [sh, N*R, Wp*C]
  if (sw > 1) y = tf.transpose(tf.reshape(y, [sh * n * r, q, sw, c]), [2, 0, 1, 3]); // [sw, sh*N*R, Q, C]
  return tf.reshape(y, [sw * sh * n, r, q * c]);
}

/**
 * Inserts (s-1) zeros between the rows and columns of an NHWC tensor and appends (s-1) trailing
 * zero rows/columns: [N, H, W, C] -> [N, H*sh, W*sw, C].
 */
export function dilateHW(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  // two rank-3 pads (a rank-6 pad is several times slower on wasm)
  let y: tf.Tensor = x;
  if (sw > 1) y = tf.pad(tf.reshape(y, [n * h * w, 1, c]), [[0, 0], [0, sw - 1], [0, 0]]);
  if (sh > 1) y = tf.pad(tf.reshape(y, [n * h, 1, w * sw * c]), [[0, 0], [0, sh - 1], [0, 0]]);
  return tf.reshape(y, [n, h * sh, w * sw, c]);
}
