/**
 * Band-limited rational resampling: a polyphase FIR (windowed sinc, Kaiser beta 5, 10 zero
 * crossings per side of the slower rate), the same design as `scipy.signal.resample_poly` and so
 * as librosa's `res_type='polyphase'`, followed by librosa's `fix_length` to
 * ceil(n * to / from) samples. Computed in float64, returned as float32.
 */
import { AudioOptionError } from './errors.js';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; ample for |x| <= 50). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * The low-pass prototype of the polyphase resampler, already multiplied by `up`:
 * `numtaps = 2 * 10 * max(up, down) + 1`, cutoff 1/max(up, down) of Nyquist, Kaiser(5.0) window,
 * unit DC gain before the `up` factor.
 */
export function polyphaseFilter(up: number, down: number, beta = 5.0): Float64Array {
  const maxRate = Math.max(up, down);
  const halfLen = 10 * maxRate;
  const numtaps = 2 * halfLen + 1;
  const cutoff = 1 / maxRate;
  const h = new Float64Array(numtaps);
  const alpha = (numtaps - 1) / 2;
  const i0beta = besselI0(beta);
  let sum = 0;
  for (let n = 0; n < numtaps; n++) {
    const m = n - alpha;
    const arg = Math.PI * cutoff * m;
    const sinc = m === 0 ? 1 : Math.sin(arg) / arg;
    const r = (n - alpha) / alpha;
    const win = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0beta;
    h[n] = cutoff * sinc * win;
    sum += h[n];
  }
  for (let n = 0; n < numtaps; n++) h[n] = (h[n] / sum) * up;
  return h;
}

const filters = new Map<string, Float64Array>();

function checkRate(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > 10_000_000) {
    throw new AudioOptionError(name, v, 'an integer sample rate in Hz between 1 and 10000000');
  }
}

/**
 * Resamples `y` from `fromRate` to `toRate` Hz (integers). Equal rates return a copy. The output
 * has exactly ceil(y.length * toRate / fromRate) samples (librosa's `fix_length`).
 */
export function resample(y: Float32Array, fromRate: number, toRate: number): Float32Array {
  checkRate('fromRate', fromRate);
  checkRate('toRate', toRate);
  if (fromRate === toRate) return y.slice();
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const nIn = y.length;
  const nOut = Math.ceil((nIn * toRate) / fromRate);
  const out = new Float32Array(nOut);
  if (nIn === 0) return out;
  const key = `${up}/${down}`;
  let h = filters.get(key);
  if (!h) {
    h = polyphaseFilter(up, down);
    if (filters.size > 16) filters.clear();
    filters.set(key, h);
  }
  const halfLen = (h.length - 1) / 2;
  // Output sample k sits at position k*down of the upsampled stream, delayed by halfLen.
  const len = h.length;
  const nPoly = Math.ceil((nIn * up) / down); // samples resample_poly itself produces
  const count = Math.min(nOut, nPoly);
  for (let k = 0; k < count; k++) {
    const t = k * down + halfLen; // index into conv(upsampled x, h)
    let nLo = Math.ceil((t - (len - 1)) / up);
    if (nLo < 0) nLo = 0;
    let nHi = Math.floor(t / up);
    if (nHi > nIn - 1) nHi = nIn - 1;
    let acc = 0;
    for (let n = nLo, j = t - nLo * up; n <= nHi; n++, j -= up) acc += y[n] * h[j];
    out[k] = acc;
  }
  return out;
}
