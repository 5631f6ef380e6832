/**
 * A PNG chart of best and mean fitness per generation with every baseline as a horizontal line:
 * an SVG drawn here, rasterised by resvg (a maintained Rust renderer with prebuilt binaries).
 */
import { Resvg } from '@resvg/resvg-js';
import type { Comparison } from './table.js';

const COLOURS = ['#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** Escapes text for SVG. */
export const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The chart as SVG text. */
export function comparisonChartSvg(c: Comparison, width = 800, height = 480): string {
  const m = { l: 60, r: 170, t: 40, b: 50 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const gens = c.generations;
  const baselines = c.rows.filter((r) => r.kind === 'baseline' && r.valAccuracy !== null);
  const values = [...gens.flatMap((g) => [g.best, g.mean]), ...baselines.map((b) => b.valAccuracy!)];
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (hi - lo < 0.02) [lo, hi] = [Math.max(0, lo - 0.01), Math.min(1, hi + 0.01)];
  const pad = (hi - lo) * 0.05;
  lo = Math.max(0, lo - pad);
  hi = Math.min(1, hi + pad);
  if (hi <= lo) hi = lo + 0.01;
  const maxGen = Math.max(1, gens.length ? gens[gens.length - 1].generation : 1);
  const x = (g: number) => m.l + (w * g) / maxGen;
  const y = (v: number) => m.t + h - (h * (v - lo)) / (hi - lo);
  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${m.l}" y="24" font-family="DejaVu Sans, sans-serif" font-size="16">${esc(`Fitness per generation${c.model ? `: ${c.model}` : ''}${c.dataset ? ` on ${c.dataset}` : ''}`)}</text>`);
  parts.push(`<line x1="${m.l}" y1="${m.t + h}" x2="${m.l + w}" y2="${m.t + h}" stroke="black"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + h}" stroke="black"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(`<line x1="${m.l - 4}" y1="${y(v)}" x2="${m.l + w}" y2="${y(v)}" stroke="#ddd"/><text x="${m.l - 8}" y="${y(v) + 4}" text-anchor="end" font-family="DejaVu Sans, sans-serif" font-size="11">${v.toFixed(3)}</text>`);
  }
  for (const g of gens) parts.push(`<text x="${x(g.generation)}" y="${m.t + h + 16}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="11">${g.generation}</text>`);
  parts.push(`<text x="${m.l + w / 2}" y="${height - 12}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="12">generation</text>`);
  parts.push(`<text transform="translate(16 ${m.t + h / 2}) rotate(-90)" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="12">validation accuracy</text>`);
  const legend: { label: string; colour: string; dash?: boolean }[] = [];
  const series = (key: 'best' | 'mean', colour: string) => {
    if (!gens.length) return;
    const pts = gens.map((g) => `${x(g.generation)},${y(g[key])}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2.5"/>`);
    for (const g of gens) parts.push(`<circle cx="${x(g.generation)}" cy="${y(g[key])}" r="3.5" fill="${colour}"/>`);
    legend.push({ label: `GA ${key}`, colour });
  };
  series('best', '#1f77b4');
  series('mean', '#ff7f0e');
  baselines.forEach((b, i) => {
    const colour = COLOURS[i % COLOURS.length];
    parts.push(`<line x1="${m.l}" y1="${y(b.valAccuracy!)}" x2="${m.l + w}" y2="${y(b.valAccuracy!)}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    legend.push({ label: b.method, colour, dash: true });
  });
  legend.forEach((l, i) => {
    const ly = m.t + 10 + i * 20;
    parts.push(`<line x1="${m.l + w + 15}" y1="${ly}" x2="${m.l + w + 40}" y2="${ly}" stroke="${l.colour}" stroke-width="2.5"${l.dash ? ' stroke-dasharray="6 4"' : ''}/><text x="${m.l + w + 46}" y="${ly + 4}" font-family="DejaVu Sans, sans-serif" font-size="12">${esc(l.label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

/** The chart as PNG bytes. */
export function comparisonChartPng(c: Comparison, width = 800, height = 480): Uint8Array {
  return svgToPng(comparisonChartSvg(c, width, height));
}

/** Rasterises SVG text (system fonts, DejaVu Sans by default) to PNG bytes. */
export function svgToPng(svg: string): Uint8Array {
  const r = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' });
  return new Uint8Array(r.render().asPng());
}
