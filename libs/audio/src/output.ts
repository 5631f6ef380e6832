/**
 * Writing features to disk: raw little-endian float32 with a JSON side-car, or a PNG picture
 * (pngjs). Both written atomically.
 */
import { PNG } from 'pngjs';
import { writeFileAtomic } from '@slt/util';
import { AudioError, AudioOptionError } from './errors.js';
import type { FeatureMatrix } from './features.js';

function sidecarPath(path: string): string {
  return path.replace(/\.f32$/i, '') + '.json';
}

/**
 * Writes `m.data` as little-endian float32, row-major [rows, frames], to `path` (must end in
 * `.f32`) and `path` minus `.f32` plus `.json` beside it with the shape, dtype, layout and `params`.
 * @returns the two paths written.
 */
export async function writeFeatureF32(
  path: string,
  m: FeatureMatrix,
  params: Record<string, unknown>,
): Promise<{ data: string; json: string }> {
  if (!/\.f32$/i.test(path)) throw new AudioOptionError('out', path, 'a path ending in .f32');
  const bytes = new Uint8Array(m.data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < m.data.length; i++) view.setFloat32(i * 4, m.data[i], true);
  const json = sidecarPath(path);
  const meta = {
    shape: m.shape,
    dtype: 'float32',
    byteOrder: 'little',
    layout: 'row-major [rows, frames]',
    sampleRate: m.sampleRate,
    sourceSampleRate: m.sourceSampleRate,
    sourceDurationSeconds: m.durationSeconds,
    samples: m.samples,
    params,
  };
  try {
    await writeFileAtomic(path, bytes);
    await writeFileAtomic(json, `${JSON.stringify(meta, null, 2)}\n`);
  } catch (err) {
    throw new AudioError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  return { data: path, json };
}

/**
 * Encodes a feature as an 8-bit grey PNG: one pixel per cell, low rows (low frequencies) at the
 * bottom, values mapped linearly from [min, max] to [0, 255].
 */
export function featureToPng(m: FeatureMatrix, range?: { min: number; max: number }): Uint8Array {
  const [rows, cols] = m.shape;
  let min = range?.min ?? Infinity;
  let max = range?.max ?? -Infinity;
  if (!range) {
    for (const v of m.data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const span = max > min ? max - min : 1;
  const png = new PNG({ width: cols, height: rows, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  const pixels = Buffer.alloc(rows * cols);
  for (let r = 0; r < rows; r++) {
    const y = rows - 1 - r;
    for (let c = 0; c < cols; c++) {
      const v = (m.data[r * cols + c] - min) / span;
      pixels[y * cols + c] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
  }
  png.data = pixels;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** Writes {@link featureToPng} of `m` to `path` (must end in `.png`) atomically. */
export async function writeFeaturePng(path: string, m: FeatureMatrix, range?: { min: number; max: number }): Promise<string> {
  if (!/\.png$/i.test(path)) throw new AudioOptionError('out', path, 'a path ending in .png');
  try {
    await writeFileAtomic(path, featureToPng(m, range));
  } catch (err) {
    throw new AudioError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  return path;
}
