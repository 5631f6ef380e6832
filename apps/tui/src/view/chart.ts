/** The best / mean fitness per generation as text lines that fit a given width. */

/** A point of the chart. */
export interface FitnessPoint {
  generation: number;
  best: number;
  mean: number;
}

/**
 * Draws best (`*`) and mean (`o`) fitness per generation (`@` where they meet) in `height` rows
 * plus an axis row, never wider than `width`.
 */
export function fitnessChart(points: FitnessPoint[], width: number, height: number): string[] {
  const rows = Math.max(2, height);
  const label = 6;
  const plotW = Math.max(4, width - label - 1);
  if (points.length === 0) return ['(no finished generation yet)'.slice(0, width)];
  const values = points.flatMap((p) => [p.best, p.mean]).filter(Number.isFinite);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 0.01) {
    lo = Math.max(0, lo - 0.005);
    hi = lo + 0.01;
  }
  const grid = Array.from({ length: rows }, () => Array.from({ length: plotW }, () => ' '));
  const xOf = (i: number) => (points.length === 1 ? 0 : Math.round((i * (plotW - 1)) / (points.length - 1)));
  const yOf = (v: number) => rows - 1 - Math.round(((v - lo) / (hi - lo)) * (rows - 1));
  points.forEach((p, i) => {
    const x = xOf(i);
    const yb = yOf(p.best);
    const ym = yOf(p.mean);
    grid[ym][x] = 'o';
    grid[yb][x] = yb === ym ? '@' : '*';
  });
  const lines = grid.map((cells, r) => {
    const v = hi - ((hi - lo) * r) / (rows - 1);
    const tag = r === 0 || r === rows - 1 || r === Math.floor((rows - 1) / 2) ? v.toFixed(3) : '';
    return `${tag.padStart(label - 1)} │${cells.join('')}`.trimEnd();
  });
  const axis = `${' '.repeat(label - 1)} └${'─'.repeat(plotW)}`;
  const first = `g${points[0].generation}`;
  const last = `g${points[points.length - 1].generation}`;
  const ticks = `${' '.repeat(label + 1)}${first}${last.padStart(Math.max(0, plotW - first.length))}`;
  return [...lines, axis, ticks].map((l) => l.slice(0, width));
}
