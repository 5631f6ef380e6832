/**
 * Short-time Fourier power spectrum as librosa's `stft` with its defaults: periodic Hann window
 * of n_fft, hop, center=True with constant (zero) padding of n_fft/2 on each side, power 2.
 * The FFT is fft.js (radix-4, float64).
 */
import FFT from 'fft.js';
import { AudioOptionError } from './errors.js';

/** A row-major 2-D float32 array. */
export interface Matrix {
  /** Row-major values, length rows * cols. */
  data: Float32Array;
  /** Row count (frequency bins or mel bands). */
  rows: number;
  /** Column count (frames). */
  cols: number;
}

/** Periodic Hann window (scipy `get_window('hann', n, fftbins=True)`), float64. */
export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Frames librosa's centered STFT yields for `samples` samples: 1 + floor(samples / hop). */
export function frameCount(samples: number, hopLength: number): number {
  return 1 + Math.floor(samples / hopLength);
}

const ffts = new Map<number, { fft: FFT; window: Float64Array }>();

/** Checks an n_fft / hop pair; n_fft must be a power of two (fft.js) between 16 and 65536. */
export function checkFrameParams(nFft: number, hopLength: number): void {
  if (!Number.isInteger(nFft) || nFft < 16 || nFft > 65536 || (nFft & (nFft - 1)) !== 0) {
    throw new AudioOptionError('nFft', nFft, 'a power of two between 16 and 65536');
  }
  if (!Number.isInteger(hopLength) || hopLength < 1 || hopLength > nFft) {
    throw new AudioOptionError('hopLength', hopLength, `an integer between 1 and nFft (${nFft})`);
  }
}

/**
 * |STFT(y)|^2 with a periodic Hann window, centered frames, zero padding.
 * @returns [1 + nFft/2, frames] row-major.
 */
export function powerSpectrogram(y: Float32Array, nFft = 2048, hopLength = 512): Matrix {
  checkFrameParams(nFft, hopLength);
  let entry = ffts.get(nFft);
  if (!entry) {
    entry = { fft: new FFT(nFft), window: hannWindow(nFft) };
    ffts.set(nFft, entry);
  }
  const { fft, window } = entry;
  const bins = nFft / 2 + 1;
  const frames = frameCount(y.length, hopLength);
  const data = new Float32Array(bins * frames);
  const frame = new Float64Array(nFft);
  const out = fft.createComplexArray() as number[];
  const frameMajor = new Float32Array(bins * frames);
  const pad = nFft / 2;
  for (let t = 0; t < frames; t++) {
    const start = t * hopLength - pad;
    const lo = Math.max(0, -start);
    const hi = Math.min(nFft, y.length - start);
    if (lo > 0 || hi < nFft) frame.fill(0); // zero padding at the edges (center=True, constant)
    for (let i = lo; i < hi; i++) frame[i] = y[start + i] * window[i];
    fft.realTransform(out, frame);
    for (let k = 0; k < bins; k++) {
      const re = out[2 * k];
      const im = out[2 * k + 1];
      frameMajor[t * bins + k] = re * re + im * im;
    }
  }
  // Blocked transpose to [bins, frames] (cache-friendly both ways).
  const B = 32;
  for (let t0 = 0; t0 < frames; t0 += B) {
    const t1 = Math.min(frames, t0 + B);
    for (let k0 = 0; k0 < bins; k0 += B) {
      const k1 = Math.min(bins, k0 + B);
      for (let t = t0; t < t1; t++) for (let k = k0; k < k1; k++) data[k * frames + t] = frameMajor[t * bins + k];
    }
  }
  return { data, rows: bins, cols: frames };
}
