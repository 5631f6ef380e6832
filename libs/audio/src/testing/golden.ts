/** Test helpers: paths into ../shared/data and golden array readers (not part of the public API). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root (libs/audio/src/testing -> 4 levels up). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** ../shared/data relative to the repo root. */
export const sharedData = resolve(repoRoot, '../shared/data');
/** The librosa golden folder. */
export const goldenDir = resolve(sharedData, 'librosa-golden');

/** Reads a golden .f32 file (little-endian float32). */
export function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  const out = new Float32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}

/** A golden array by file name inside librosa-golden. */
export function golden(name: string): Float32Array {
  return readF32(resolve(goldenDir, name));
}

/** max |a - b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * max |a - b| / |b| over cells, where |b| is floored at `floor` times max|b| (cells far below
 * the peak are compared relative to that floor, so float32 noise at 1e-12 does not dominate).
 */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let peak = 0;
  for (let i = 0; i < b.length; i++) peak = Math.max(peak, Math.abs(b[i]));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), peak * floor));
  return m;
}

/** The manifest's array entries. */
export interface GoldenEntry {
  file: string;
  shape: number[];
  kind: string;
  source: string | null;
  native_sr: number | null;
  sr: number;
  variant: string | null;
  res_type: string | null;
}

/** All entries of librosa-golden/manifest.json. */
export function goldenManifest(): GoldenEntry[] {
  return JSON.parse(readFileSync(resolve(goldenDir, 'manifest.json'), 'utf8')).arrays as GoldenEntry[];
}
