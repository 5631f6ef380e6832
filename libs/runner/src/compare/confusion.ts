/**
 * Confusion matrices of a comparison: one JSON document with every method's test confusion counts,
 * and one PNG heat map per method (an SVG drawn here, rasterised by resvg like the fitness chart).
 */
import { esc, svgToPng } from './chart.js';
import type { Comparison, ComparisonRow } from './table.js';

/** confusion.json: the class order and, per method, its counts `[true][predicted]` and macro scores. */
export interface ConfusionDocument {
  model?: string;
  dataset?: string;
  classNames: string[];
  methods: { method: string; file: string; matrix: number[][]; testAccuracy: number | null; macroPrecision: number | null; macroRecall: number | null }[];
}

/** A file-name-safe form of a method name: `GA (best)` -> `ga-best`, `random-1` -> `random-1`. */
export function methodSlug(method: string): string {
  return method.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'method';
}

/** The confusion document of a comparison (rows without a matrix are left out). */
export function confusionDocument(c: Comparison): ConfusionDocument {
  const rows = c.rows.filter((r): r is ComparisonRow & { confusion: number[][] } => !!r.confusion && !r.error);
  const k = rows[0]?.confusion.length ?? 0;
  return {
    model: c.model, dataset: c.dataset, classNames: c.classNames ?? Array.from({ length: k }, (_, i) => String(i)),
    methods: rows.map((r) => ({
      method: r.method, file: `confusion-${methodSlug(r.method)}.png`, matrix: r.confusion, testAccuracy: r.testAccuracy, macroPrecision: r.macroPrecision, macroRecall: r.macroRecall,
    })),
  };
}

/** A confusion matrix as an SVG heat map (rows: true class, columns: predicted class, counts in cells). */
export function confusionSvg(matrix: number[][], classNames: string[], title: string): string {
  const k = matrix.length;
  const cell = Math.max(18, Math.min(48, Math.floor(560 / Math.max(1, k))));
  const label = Math.min(140, 12 + 7 * Math.max(1, ...classNames.map((n) => Math.min(18, n.length))));
  const m = { l: label + 30, t: 60, r: 20, b: label + 30 };
  const width = Math.max(m.l + k * cell + m.r, 20 + Math.ceil(title.length * 8.5));
  const height = m.t + k * cell + m.b;
  const max = Math.max(1, ...matrix.flat());
  const name = (i: number) => esc((classNames[i] ?? String(i)).slice(0, 18));
  const font = 'font-family="DejaVu Sans, sans-serif"';
  const fs = Math.max(8, Math.min(12, Math.floor(cell / 3)));
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="white"/>`];
  parts.push(`<text x="10" y="24" ${font} font-size="15">${esc(title)}</text>`);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const v = matrix[t]?.[p] ?? 0;
      const a = v / max;
      // White to dark blue; dark cells get white text.
      const rgb = [255 - Math.round(a * (255 - 8)), 255 - Math.round(a * (255 - 48)), 255 - Math.round(a * (255 - 107))];
      const x = m.l + p * cell;
      const y = m.t + t * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${rgb.join(',')})" stroke="#ccc"/>`);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + fs / 3}" text-anchor="middle" ${font} font-size="${fs}" fill="${a > 0.55 ? 'white' : 'black'}">${v}</text>`);
    }
    parts.push(`<text x="${m.l - 6}" y="${m.t + t * cell + cell / 2 + 4}" text-anchor="end" ${font} font-size="11">${name(t)}</text>`);
    const cx = m.l + t * cell + cell / 2;
    const cy = m.t + k * cell + 6;
    parts.push(`<text transform="translate(${cx + 4} ${cy}) rotate(90)" ${font} font-size="11">${name(t)}</text>`);
  }
  parts.push(`<text x="${m.l + (k * cell) / 2}" y="${height - 8}" text-anchor="middle" ${font} font-size="12">predicted class</text>`);
  parts.push(`<text transform="translate(14 ${m.t + (k * cell) / 2}) rotate(-90)" text-anchor="middle" ${font} font-size="12">true class</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

/** Every method's confusion heat map as PNG files (name -> bytes), plus confusion.json. */
export function confusionFiles(c: Comparison): [string, string | Uint8Array][] {
  const doc = confusionDocument(c);
  const files: [string, string | Uint8Array][] = [['confusion.json', `${JSON.stringify(doc, null, 2)}\n`]];
  for (const m of doc.methods) {
    const scores = [m.testAccuracy, m.macroPrecision, m.macroRecall].map((v) => (v === null ? '-' : v.toFixed(3)));
    const title = `${m.method}${c.model ? ` (${c.model})` : ''}: test acc ${scores[0]}, macro P ${scores[1]}, R ${scores[2]}`;
    files.push([m.file, svgToPng(confusionSvg(m.matrix, doc.classNames, title))]);
  }
  return files;
}
