/**
 * Image decoding (PNG through pngjs, JPEG through jpeg-js, both pure JS) and the bilinear
 * resize / channel conversion that brings every image to one common size.
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DatasetFileError, messageOf } from './errors.js';

/** A decoded image: H x W x 3 RGB bytes, and whether it is grey (R = G = B everywhere). */
export interface DecodedImage {
  width: number;
  height: number;
  /** RGB, 8 bits per channel, row-major (alpha composited over black). */
  rgb: Uint8Array;
  /** True when every pixel has R = G = B. */
  grey: boolean;
  format: 'png' | 'jpeg';
}

/** Largest image accepted, in megapixels (guards memory against a hostile file). */
const MAX_MEGAPIXELS = 100;

/** The format a buffer's magic bytes announce, or undefined. */
export function sniffImage(buf: Uint8Array): 'png' | 'jpeg' | undefined {
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) return 'png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Decodes a PNG or JPEG buffer; `file` names it in errors. */
export function decodeImage(buf: Buffer, file: string): DecodedImage {
  const format = sniffImage(buf);
  if (!format) throw new DatasetFileError(file, 'not a PNG or JPEG image (unknown magic bytes)');
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (format === 'png') {
      const png = PNG.sync.read(buf);
      ({ width, height } = png);
      rgba = png.data;
    } else {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
      ({ width, height } = img);
      rgba = img.data;
    }
  } catch (err) {
    throw new DatasetFileError(file, `corrupt ${format.toUpperCase()} image: ${messageOf(err)}`, { cause: err });
  }
  if (!(width > 0 && height > 0) || rgba.length < width * height * 4) {
    throw new DatasetFileError(file, `corrupt ${format.toUpperCase()} image: ${width}x${height} with ${rgba.length} bytes`);
  }
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  let grey = true;
  for (let i = 0; i < n; i++) {
    const a = rgba[4 * i + 3]!;
    const r = a === 255 ? rgba[4 * i]! : Math.round((rgba[4 * i]! * a) / 255);
    const g = a === 255 ? rgba[4 * i + 1]! : Math.round((rgba[4 * i + 1]! * a) / 255);
    const b = a === 255 ? rgba[4 * i + 2]! : Math.round((rgba[4 * i + 2]! * a) / 255);
    rgb[3 * i] = r;
    rgb[3 * i + 1] = g;
    rgb[3 * i + 2] = b;
    if (grey && (r !== g || g !== b)) grey = false;
  }
  return { width, height, rgb, grey, format };
}

/**
 * Writes `src` (H x W x srcC values, srcC 1 or 3, times `scale` gives [0, 1]) into `dst` at
 * `offset` as outH x outW x outC floats in [0, 1]: bilinear resize with half-pixel centres (as tf.image.resizeBilinear with
 * halfPixelCenters), RGB to grey by ITU-R 601 luma, grey to RGB by repetition.
 */
export function writeResized(
  src: ArrayLike<number>,
  srcH: number,
  srcW: number,
  srcC: 1 | 3,
  dst: Float32Array,
  offset: number,
  outH: number,
  outW: number,
  outC: 1 | 3,
  scale = 1 / 255,
): void {
  const sy = srcH / outH;
  const sx = srcW / outW;
  const px = new Float32Array(3);
  // Column taps and weights are the same for every row: compute them once.
  const cx0 = new Int32Array(outW);
  const cx1 = new Int32Array(outW);
  const cwx = new Float32Array(outW);
  for (let x = 0; x < outW; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), srcW - 1);
    cx0[x] = Math.floor(fx);
    cx1[x] = Math.min(cx0[x]! + 1, srcW - 1);
    cwx[x] = fx - cx0[x]!;
  }
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), srcH - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, srcH - 1);
    const wy = fy - y0;
    const r0 = y0 * srcW;
    const r1 = y1 * srcW;
    for (let x = 0; x < outW; x++) {
      const x0 = cx0[x]!;
      const x1 = cx1[x]!;
      const wx = cwx[x]!;
      for (let c = 0; c < srcC; c++) {
        const a = src[(r0 + x0) * srcC + c]!;
        const b = src[(r0 + x1) * srcC + c]!;
        const d = src[(r1 + x0) * srcC + c]!;
        const e = src[(r1 + x1) * srcC + c]!;
        px[c] = ((a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy) * scale;
      }
      const o = offset + (y * outW + x) * outC;
      if (outC === srcC) {
        for (let c = 0; c < outC; c++) dst[o + c] = px[c]!;
      } else if (outC === 1) {
        dst[o] = 0.299 * px[0]! + 0.587 * px[1]! + 0.114 * px[2]!;
      } else {
        dst[o] = dst[o + 1] = dst[o + 2] = px[0]!;
      }
    }
  }
}
