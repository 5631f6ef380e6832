/**
 * Fixed clip length as the paper's authors do: trim trailing silence, then zero-pad or
 * repeat-pad (or cut) to D seconds.
 */
import { AudioOptionError } from './errors.js';

/**
 * Index one past the last non-silent sample, as the end that `librosa.effects.trim` finds:
 * frame energy (mean square over `frameLength` centered frames, hop `hopLength`) in dB relative
 * to the loudest frame; frames above -topDb are sound. An all-zero signal is kept whole
 * (as librosa: its frames equal the floored reference).
 */
export function trailingSoundEnd(y: Float32Array, topDb = 60, frameLength = 2048, hopLength = 512): number {
  if (!(topDb > 0)) throw new AudioOptionError('trimTopDb', topDb, 'a positive number of dB');
  const n = y.length;
  if (n === 0) return 0;
  const frames = 1 + Math.floor(n / hopLength);
  const half = Math.floor(frameLength / 2);
  const mse = new Float64Array(frames);
  let max = 0;
  for (let t = 0; t < frames; t++) {
    const start = t * hopLength - half;
    let acc = 0;
    for (let i = Math.max(0, start); i < Math.min(n, start + frameLength); i++) acc += y[i] * y[i];
    mse[t] = acc / frameLength;
    if (mse[t] > max) max = mse[t];
  }
  const amin = 1e-10;
  const refDb = 10 * Math.log10(Math.max(amin, max));
  for (let t = frames - 1; t >= 0; t--) {
    if (10 * Math.log10(Math.max(amin, mse[t])) - refDb > -topDb) return Math.min(n, (t + 1) * hopLength);
  }
  return 0;
}

/** How a clip shorter than the target is filled. */
export type PadMode = 'zero' | 'repeat';

/**
 * Returns exactly `targetSamples` samples: `y` cut, or followed by zeros (`zero`) or by
 * repetitions of itself (`repeat`; an empty `y` gives zeros).
 */
export function fixLength(y: Float32Array, targetSamples: number, pad: PadMode = 'zero'): Float32Array {
  if (!Number.isInteger(targetSamples) || targetSamples < 1) {
    throw new AudioOptionError('durationSeconds', targetSamples, 'a duration of at least one sample');
  }
  if (pad !== 'zero' && pad !== 'repeat') throw new AudioOptionError('pad', pad, "'zero' or 'repeat'");
  if (y.length >= targetSamples) return y.slice(0, targetSamples);
  const out = new Float32Array(targetSamples);
  out.set(y);
  if (pad === 'repeat' && y.length > 0) {
    for (let at = y.length; at < targetSamples; at += y.length) out.set(y.subarray(0, Math.min(y.length, targetSamples - at)), at);
  }
  return out;
}
