/**
 * Mel filter banks (Slaney scale, Slaney area norm, as `librosa.filters.mel`), mel projection,
 * `power_to_db` and MFCC (DCT-II, orthonormal, as `librosa.feature.mfcc`).
 */
import { AudioOptionError } from './errors.js';
import type { Matrix } from './spectrum.js';

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;

/** Hz to mel on the Slaney scale (linear below 1 kHz, logarithmic above). */
export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP : hz / F_SP;
}

/** Mel (Slaney scale) to Hz. */
export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** Parameters of a mel filter bank. */
export interface MelBankOptions {
  /** Sample rate in Hz. */
  sampleRate: number;
  /** FFT size (bins = nFft/2 + 1). Default 2048. */
  nFft?: number;
  /** Number of mel bands. Default 128. */
  nMels?: number;
  /** Lowest band edge in Hz. Default 0. */
  fMin?: number;
  /** Highest band edge in Hz. Default sampleRate / 2. */
  fMax?: number;
}

const banks = new Map<string, Matrix>();

/** Slaney-normalised triangular mel filter bank, [nMels, nFft/2 + 1] float32 (cached). */
export function melFilterBank(options: MelBankOptions): Matrix {
  const { sampleRate: sr, nFft = 2048, nMels = 128, fMin = 0 } = options;
  const fMax = options.fMax ?? sr / 2;
  if (!Number.isInteger(nMels) || nMels < 1 || nMels > 1024) throw new AudioOptionError('nMels', nMels, 'an integer between 1 and 1024');
  if (!(fMin >= 0 && fMin < fMax)) throw new AudioOptionError('fMin', fMin, `a frequency in Hz from 0 to below fMax (${fMax})`);
  if (!(fMax <= sr / 2 + 1e-9)) throw new AudioOptionError('fMax', fMax, `a frequency in Hz up to sampleRate/2 (${sr / 2})`);
  const key = `${sr}|${nFft}|${nMels}|${fMin}|${fMax}`;
  const hit = banks.get(key);
  if (hit) return hit;
  const bins = Math.floor(nFft / 2) + 1;
  const fftFreqs = new Float64Array(bins);
  for (let k = 0; k < bins; k++) fftFreqs[k] = (k * (sr / 2)) / (bins - 1);
  const minMel = hzToMel(fMin);
  const maxMel = hzToMel(fMax);
  const melF = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) melF[i] = melToHz(minMel + ((maxMel - minMel) * i) / (nMels + 1));
  const data = new Float32Array(nMels * bins);
  for (let m = 0; m < nMels; m++) {
    const lowW = melF[m + 1] - melF[m];
    const highW = melF[m + 2] - melF[m + 1];
    const enorm = 2 / (melF[m + 2] - melF[m]);
    for (let k = 0; k < bins; k++) {
      const lower = (fftFreqs[k] - melF[m]) / lowW;
      const upper = (melF[m + 2] - fftFreqs[k]) / highW;
      const tri = Math.max(0, Math.min(lower, upper));
      // librosa stores the triangle in float32 before scaling by enorm.
      data[m * bins + k] = Math.fround(tri) * enorm;
    }
  }
  const bank = { data, rows: nMels, cols: bins };
  banks.set(key, bank);
  return bank;
}

/** bank [M, F] x spectrum [F, T] -> [M, T] (float64 accumulation, float32 result). */
export function applyFilterBank(bank: Matrix, spec: Matrix): Matrix {
  if (bank.cols !== spec.rows) {
    throw new AudioOptionError('nFft', (spec.rows - 1) * 2, `the filter bank's n_fft (${(bank.cols - 1) * 2})`);
  }
  const { rows: M, cols: F } = bank;
  const T = spec.cols;
  const out = new Float32Array(M * T);
  const acc = new Float64Array(T);
  for (let m = 0; m < M; m++) {
    acc.fill(0);
    const row = m * F;
    let lo = 0;
    let hi = F - 1;
    while (lo < F && bank.data[row + lo] === 0) lo++;
    while (hi > lo && bank.data[row + hi] === 0) hi--;
    for (let f = lo; f <= hi; f++) {
      const w = bank.data[row + f];
      if (w === 0) continue;
      const s = f * T;
      for (let t = 0; t < T; t++) acc[t] += w * spec.data[s + t];
    }
    out.set(acc, m * T);
  }
  return { data: out, rows: M, cols: T };
}

/** Options of {@link powerToDb}, as librosa's `power_to_db`. */
export interface PowerToDbOptions {
  /** Reference power: `'max'` (the array's maximum, the default) or a number. */
  ref?: 'max' | number;
  /** Floor applied to power and ref before the log. Default 1e-10. */
  amin?: number;
  /** Dynamic range kept below the maximum in dB; null for none. Default 80. */
  topDb?: number | null;
}

/** 10 * log10(max(amin, S) / max(amin, ref)), floored at max - topDb. */
export function powerToDb(power: Float32Array, options: PowerToDbOptions = {}): Float32Array {
  const amin = options.amin ?? 1e-10;
  const topDb = options.topDb === undefined ? 80 : options.topDb;
  if (!(amin > 0)) throw new AudioOptionError('amin', amin, 'a positive number');
  if (topDb !== null && !(topDb >= 0)) throw new AudioOptionError('topDb', topDb, 'a non-negative number of dB or null');
  let ref: number;
  if (options.ref === undefined || options.ref === 'max') {
    ref = 0;
    for (let i = 0; i < power.length; i++) if (power[i] > ref) ref = power[i];
  } else ref = Math.abs(options.ref);
  const refDb = 10 * Math.log10(Math.max(amin, ref));
  const out = new Float32Array(power.length);
  let hi = -Infinity;
  for (let i = 0; i < power.length; i++) {
    const v = 10 * Math.log10(Math.max(amin, power[i])) - refDb;
    out[i] = v;
    if (v > hi) hi = v;
  }
  if (topDb !== null && power.length > 0) {
    const floor = Math.fround(hi - topDb);
    for (let i = 0; i < out.length; i++) if (out[i] < floor) out[i] = floor;
  }
  return out;
}

/**
 * MFCC from a dB mel spectrogram [nMels, T]: DCT-II with orthonormal scaling along the mel axis,
 * first `nMfcc` coefficients -> [nMfcc, T].
 */
export function mfccFromDb(db: Matrix, nMfcc = 20): Matrix {
  const { rows: M, cols: T } = db;
  if (!Number.isInteger(nMfcc) || nMfcc < 1 || nMfcc > M) throw new AudioOptionError('nMfcc', nMfcc, `an integer between 1 and nMels (${M})`);
  const out = new Float32Array(nMfcc * T);
  for (let k = 0; k < nMfcc; k++) {
    const scale = k === 0 ? Math.sqrt(1 / M) : Math.sqrt(2 / M);
    for (let t = 0; t < T; t++) {
      let acc = 0;
      for (let m = 0; m < M; m++) acc += db.data[m * T + t] * Math.cos((Math.PI * k * (2 * m + 1)) / (2 * M));
      out[k * T + t] = acc * scale;
    }
  }
  return { data: out, rows: nMfcc, cols: T };
}
