/**
 * Convolution gradients over the wasm heap with slt's SIMD row kernels (see kernels.ts): each
 * filter tap is a run of strided rows (one `rowMac`/`rowAdd` call per batch item and tap, over
 * all the output rows whose input row is inside), with the padding handled by clipping the rows,
 * so nothing is padded, dilated or copied.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasmHeap } from '../heap.js';
import { simdKernels, type SimdKernels } from './kernels.js';

type Info = tf.backend_util.Conv2DInfo;
type Heap = NonNullable<ReturnType<typeof asWasmHeap>>;

/** The wasm heap and the SIMD kernels when both are there for these float32 tensors. */
export function simdHeap(...ts: tf.TensorInfo[]): { be: Heap; k: SimdKernels } | undefined {
  if (ts.some((t) => t.dtype !== 'float32')) return undefined;
  const backend = tf.backend();
  const be = tf.getBackend() === 'wasm' ? asWasmHeap(backend) : undefined;
  const k = be ? simdKernels(backend) : undefined;
  return be && k ? { be, k } : undefined;
}

const ptr = (be: Heap, t: tf.TensorInfo): number => be.dataIdMap.get(t.dataId)!.memoryOffset;

function zeros(be: Heap, shape: number[]): tf.TensorInfo {
  const out = be.makeOutput(shape, 'float32');
  const at = ptr(be, out) >>> 2;
  be.wasm.HEAPF32.fill(0, at, at + tf.util.sizeFromShape(shape));
  return out;
}

/**
 * Calls `run(b, tap, oh0, rows, ih0, ow0, iw0, count)` for every batch item and filter tap: output
 * rows oh0..oh0+rows-1 are those whose input row (ih0 for oh0, then strideHeight further per row)
 * is inside the image, and output columns ow0..ow0+count-1 those whose input columns (from iw0,
 * step strideWidth) are inside too.
 */
function eachTapRun(info: Info, run: (b: number, tap: number, oh0: number, rows: number, ih0: number, ow0: number, iw0: number, count: number) => void): void {
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  for (let i = 0; i < info.filterHeight; i++) {
    const shiftH = i * dh - top; // ih = oh * sh + shiftH
    const oh0 = Math.max(0, Math.ceil(-shiftH / sh));
    const oh1 = Math.min(ho - 1, Math.floor((h - 1 - shiftH) / sh));
    if (oh1 < oh0) continue;
    for (let j = 0; j < info.filterWidth; j++) {
      const shift = j * dw - left; // iw = ow * sw + shift
      const ow0 = Math.max(0, Math.ceil(-shift / sw));
      const ow1 = Math.min(wo - 1, Math.floor((w - 1 - shift) / sw));
      if (ow1 < ow0) continue;
      const tap = i * info.filterWidth + j;
      for (let b = 0; b < n; b++) run(b, tap, oh0, oh1 - oh0 + 1, oh0 * sh + shiftH, ow0, ow0 * sw + shift, ow1 - ow0 + 1);
    }
  }
}

/**
 * Calls `row(b, oh, tap, ih, ow0, iw0, count)` for every batch item, output row and filter tap
 * whose input row ih is inside the image (see {@link eachTapRun}).
 */
function eachTapRow(info: Info, row: (b: number, oh: number, tap: number, ih: number, ow0: number, iw0: number, count: number) => void): void {
  eachTapRun(info, (b, tap, oh0, rows, ih0, ow0, iw0, count) => {
    for (let r = 0; r < rows; r++) row(b, oh0 + r, tap, ih0 + r * info.strideHeight, ow0, iw0, count);
  });
}

/** dFilter of a depthwise conv with channel multiplier 1: filter[tap, c] += x[.., c] * dy[.., c]. */
export function depthwiseFilterGrad(x: tf.TensorInfo, dy: tf.TensorInfo, info: Info, filterShape: number[]): tf.TensorInfo | undefined {
  const s = simdHeap(x, dy);
  if (!s || filterShape[3] !== 1) return undefined;
  const { be, k } = s;
  const c = info.inChannels, { inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideWidth: sw } = info;
  const out = zeros(be, filterShape);
  const xp = ptr(be, x), dyp = ptr(be, dy), op = ptr(be, out), c4 = c * 4;
  const { strideHeight: sh } = info;
  eachTapRun(info, (b, tap, oh0, rows, ih0, ow0, iw0, count) => {
    k.rowMac(xp + ((b * h + ih0) * w + iw0) * c4, sw * c4, sh * w * c4, dyp + ((b * ho + oh0) * wo + ow0) * c4, c4, wo * c4, op + tap * c4, 0, 0, count, rows, c);
  });
  return out;
}

/** dInput of a depthwise conv with channel multiplier 1: dx[.., c] += dy[.., c] * filter[tap, c]. */
export function depthwiseInputGrad(dy: tf.TensorInfo, filter: tf.TensorInfo, info: Info): tf.TensorInfo | undefined {
  const s = simdHeap(dy, filter);
  if (!s || filter.shape[3] !== 1) return undefined;
  const { be, k } = s;
  const c = info.inChannels, { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideWidth: sw } = info;
  const out = zeros(be, [n, h, w, c]);
  const dyp = ptr(be, dy), fp = ptr(be, filter), op = ptr(be, out), c4 = c * 4;
  const { strideHeight: sh } = info;
  eachTapRun(info, (b, tap, oh0, rows, ih0, ow0, iw0, count) => {
    k.rowMac(dyp + ((b * ho + oh0) * wo + ow0) * c4, c4, wo * c4, fp + tap * c4, 0, 0, op + ((b * h + ih0) * w + iw0) * c4, sw * c4, sh * w * c4, count, rows, c);
  });
  return out;
}

/**
 * dInput of a conv2d as col2im: cols = dy [P, Cout] times the filter as [Cout, kk*Cin] (one gemm
 * over the heap; the filter's transpose is padded with zero columns to a multiple of 4, the gemm's
 * column blocks, e.g. 27 -> 28 for a 3x3 filter on 3 channels), then every tap's [P, Cin] slice of
 * cols added into the input rows it came from.
 */
export function conv2dInputGradCol2im(dy: tf.Tensor4D, filter: tf.Tensor4D, info: Info): tf.TensorInfo | undefined {
  const s = simdHeap(dy, filter);
  if (!s) return undefined;
  const { be, k } = s;
  const [kh, kw, cin, cout] = filter.shape;
  const kk = kh * kw, { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideWidth: sw } = info;
  const kc = kk * cin, np = (kc + 3) & ~3, p = n * ho * wo;
  const wt = be.makeOutput([cout, kc], 'float32'); // the filter [kk*Cin, Cout] transposed
  k.transpose(ptr(be, filter), ptr(be, wt), 1, kc, cout);
  let wp = wt;
  if (np !== kc) {
    wp = zeros(be, [cout, np]);
    const heap = be.wasm.HEAPF32, from = ptr(be, wt) >>> 2, to = ptr(be, wp) >>> 2;
    for (let r = 0; r < cout; r++) heap.copyWithin(to + r * np, from + r * kc, from + (r + 1) * kc);
    be.disposeData(wt.dataId);
  }
  const cols = be.makeOutput([p, np], 'float32');
  k.gemm(ptr(be, dy), cout * 4, 4, ptr(be, wp), np * 4, ptr(be, cols), np * 4, p, np, cout, 0);
  be.disposeData(wp.dataId);
  const out = zeros(be, [n, h, w, cin]);
  const cp = ptr(be, cols), op = ptr(be, out), c4 = cin * 4;
  const { strideHeight: sh } = info;
  eachTapRun(info, (b, tap, oh0, rows, ih0, ow0, iw0, count) => {
    k.rowAdd(cp + (((b * ho + oh0) * wo + ow0) * np + tap * cin) * 4, np * 4, wo * np * 4, op + ((b * h + ih0) * w + iw0) * c4, sw * c4, sh * w * c4, count, rows, cin);
  });
  be.disposeData(cols.dataId);
  return out;
}

/**
 * dInput of a 1x1 stride-1 unpadded conv2d (MobileNet's pointwise convolutions): dy [P, Cout]
 * times the filter [Cin, Cout] transposed into a temporary [Cout, Cin], one gemm (the product a
 * matMul of dy and the transposed filter runs, without its five kernel calls). Undefined when Cin
 * is not a multiple of 4 (the gemm's column blocks) or without SIMD.
 */
export function conv1x1InputGrad(dy: tf.TensorInfo, filter: tf.TensorInfo, inputShape: number[]): tf.TensorInfo | undefined {
  const s = simdHeap(dy, filter);
  const [, , cin, cout] = filter.shape as [number, number, number, number];
  const p = tf.util.sizeFromShape(inputShape) / cin;
  if (!s || cin % 4 !== 0 || tf.util.sizeFromShape(dy.shape) !== p * cout) return undefined;
  const { be, k } = s;
  const wt = be.makeOutput([cout, cin], 'float32');
  k.transpose(ptr(be, filter), ptr(be, wt), 1, cin, cout);
  const out = be.makeOutput(inputShape, 'float32');
  if (p * cout > 0) k.gemm(ptr(be, dy), cout * 4, 4, ptr(be, wt), cin * 4, ptr(be, out), cin * 4, p, cin, cout, 0);
  else be.wasm.HEAPF32.fill(0, ptr(be, out) >>> 2, (ptr(be, out) >>> 2) + p * cin);
  be.disposeData(wt.dataId);
  return out;
}

/**
 * dFilter of a 1x1 stride-1 unpadded conv2d: x as [P, Cin] transposed times dy [P, Cout], one gemm
 * over both in place (the tap-window path's product for one tap, without its reshape). Undefined
 * when Cout is not a multiple of 4 or without SIMD.
 */
export function conv1x1FilterGrad(x: tf.TensorInfo, dy: tf.TensorInfo, filterShape: number[]): tf.TensorInfo | undefined {
  const s = simdHeap(x, dy);
  const [, , cin, cout] = filterShape as [number, number, number, number];
  const p = tf.util.sizeFromShape(x.shape) / cin;
  if (!s || cout % 4 !== 0 || x.shape[x.shape.length - 1] !== cin || tf.util.sizeFromShape(dy.shape) !== p * cout) return undefined;
  const { be, k } = s;
  const out = be.makeOutput(filterShape, 'float32');
  k.gemm(ptr(be, x), 4, cin * 4, ptr(be, dy), cout * 4, ptr(be, out), cout * 4, cin, cout, p, 0);
  return out;
}

/**
 * dFilter of a conv2d from its tap windows ([kk, P, Cin], see tapWindows) and dy ([P, Cout]): per
 * tap, taps[t]^T dy with slt's gemm, read in place (no transpose, no packed copy of dy). Undefined
 * when Cout is not a multiple of 4 (the gemm's column blocks) or without SIMD.
 */
export function conv2dFilterGradGemm(taps: tf.Tensor3D, dy: tf.TensorInfo, filterShape: number[]): tf.TensorInfo | undefined {
  const s = simdHeap(taps, dy);
  const [kh, kw, cin, cout] = filterShape as [number, number, number, number];
  const [kk, p] = taps.shape;
  if (!s || cout % 4 !== 0 || kk !== kh * kw || taps.shape[2] !== cin || tf.util.sizeFromShape(dy.shape) !== p * cout) return undefined;
  const { be, k } = s;
  const out = be.makeOutput(filterShape, 'float32');
  const tp = ptr(be, taps), dyp = ptr(be, dy), op = ptr(be, out);
  for (let t = 0; t < kk; t++) k.gemm(tp + t * p * cin * 4, 4, cin * 4, dyp, cout * 4, op + t * cin * cout * 4, cout * 4, cin, cout, p, 0);
  return out;
}

/**
 * dFilter of a strided or k x k conv2d, straight over x and dy: for every filter tap and output
 * row, the input row's channels times the dy row's, summed over the row's columns, is one gemm
 * call accumulating into the tap's [Cin, Cout] block (A = the input row read in place with the
 * stride, B = the dy row), so no tap windows are padded, split or gathered. Undefined when Cout is
 * not a multiple of 4 (the gemm's column blocks) or without SIMD.
 */
export function conv2dFilterGradRows(x: tf.TensorInfo, dy: tf.TensorInfo, info: Info, filterShape: number[]): tf.TensorInfo | undefined {
  const s = simdHeap(x, dy);
  const [, , cin, cout] = filterShape as [number, number, number, number];
  if (!s || cout % 4 !== 0 || cin !== info.inChannels || cout !== info.outChannels) return undefined;
  const { be, k } = s;
  const { inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideWidth: sw } = info;
  const out = zeros(be, filterShape);
  const xp = ptr(be, x), dyp = ptr(be, dy), op = ptr(be, out), ci4 = cin * 4, co4 = cout * 4;
  eachTapRow(info, (b, oh, tap, ih, ow0, iw0, count) => {
    k.gemm(xp + ((b * h + ih) * w + iw0) * ci4, 4, sw * ci4, dyp + ((b * ho + oh) * wo + ow0) * co4, co4, op + tap * cin * co4, co4, cin, cout, count, 1);
  });
  return out;
}
