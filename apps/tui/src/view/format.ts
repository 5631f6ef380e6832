/** Pure text helpers shared by the components (no terminal access). */

import { formatDuration } from '@slt/runner/light';

/** Seconds as `12s`, `3m05s`, `1h02m`; `?` when unknown (the runner's one formatter). */
export const fmtDuration = formatDuration;

/** An accuracy in [0, 1] as `0.8123`; `-` when unknown. */
export const fmtAcc = (x: number | undefined | null): string => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(4));

/** A count as `12.3k` / `1.20M`; `-` when unknown. */
export function fmtCount(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '-';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Cuts `s` to `width` characters (an ellipsis marks the cut). */
export function clip(s: string, width: number): string {
  if (width <= 0) return '';
  return s.length <= width ? s : width === 1 ? '…' : `${s.slice(0, width - 1)}…`;
}

/** Pads or cuts `s` to exactly `width` characters. */
export const fit = (s: string, width: number, right = false): string => {
  const c = clip(s, width);
  return right ? c.padStart(width) : c.padEnd(width);
};

/** A progress bar of `width` cells for a fraction in [0, 1]. */
export function bar(fraction: number, width: number): string {
  const w = Math.max(1, width);
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * w);
  return `${'█'.repeat(full)}${'░'.repeat(w - full)}`;
}

/** One character per layer: trainable `█`, frozen `·`. */
export const maskChars = (mask: string): string => mask.replace(/1/g, '█').replace(/0/g, '·');

/** Splits `s` into lines of at most `width` characters. */
export function wrap(s: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += w) out.push(s.slice(i, i + w));
  return out.length ? out : [''];
}

/** Word-wraps `s` to lines of at most `width` characters (long words are split). */
export function wrapWords(s: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    if (!line) line = word;
    else if (line.length + 1 + word.length <= w) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
    while (line.length > w) {
      out.push(line.slice(0, w));
      line = line.slice(w);
    }
  }
  if (line || !out.length) out.push(line);
  return out;
}
