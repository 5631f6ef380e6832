// Helpers shared by this folder's tests (not exported from the lib).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@slt/util';

/** Deterministic uniform(-1, 1) values, from slt's one seeded source (`Rng` of @slt/util). */
export function randomValues(n: number, seed: number): Float32Array {
  const rng = Rng.fromSeed(seed, 'kernel test values');
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.float() * 2 - 1;
  return out;
}

/** Runs `f` on backend `name` and returns its result's values. */
export async function onBackend(name: string, f: () => tf.Tensor): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(name);
  const t = f();
  const values = (await t.data()) as Float32Array;
  const shape = t.shape;
  t.dispose();
  return { values, shape };
}

/**
 * Largest |a-b| / max(floor, max|b|): the error relative to the reference's magnitude. `floor`
 * keeps an all-but-zero reference (e.g. the bias gradient in front of a training-mode BatchNorm,
 * which is 0 up to rounding) from turning rounding noise into a huge relative error.
 */
export function relError(a: Float32Array, b: Float32Array, floor = 1e-12): number {
  if (a.length !== b.length) return Infinity;
  let scale = floor, diff = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return Number.isFinite(diff) ? diff / scale : Infinity;
}

/** Largest |v| over all arrays. */
export function maxAbs(arrays: Float32Array[]): number {
  let m = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
