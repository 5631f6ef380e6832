/** The Pareto view: validation accuracy (up) vs trainable parameters (right, log scale). */

/** One evaluated mask. */
export interface ParetoPoint {
  label: string;
  accuracy: number;
  params: number;
  baseline: boolean;
  /** The evaluated mask (marks the selected row's point). */
  mask?: string;
}

/** What every symbol of {@link paretoPlot} means. */
export const PARETO_LEGEND = '◆ GA on front  ◇ baseline on front  · GA  B baseline  @ selected';

/** The points no other point beats on both accuracy (higher) and trainable params (lower), by params. */
export function paretoFront(points: ParetoPoint[]): ParetoPoint[] {
  const sorted = [...points].sort((a, b) => a.params - b.params || b.accuracy - a.accuracy);
  const front: ParetoPoint[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.accuracy > best) {
      front.push(p);
      best = p.accuracy;
    }
  }
  return front;
}

/**
 * Draws the points in `height` rows, at most `width` wide: `◆` on the front, `·` other GA masks,
 * `B` baselines (`◇` a baseline on the front), `@` the point of the `selected` mask. Two more
 * lines follow, always: the x axis and its labels (lowest and highest trainable params, and the
 * axis name); the y axis names itself (`val acc`) between its lowest and highest values.
 */
export function paretoPlot(points: ParetoPoint[], width: number, height: number, selected?: string): string[] {
  if (points.length === 0) return ['(no finished evaluation yet)'.slice(0, width)];
  const rows = Math.max(3, height);
  const label = 7;
  const plotW = Math.max(8, width - label - 1);
  const front = new Set(paretoFront(points));
  const lx = (p: number) => Math.log10(Math.max(1, p));
  const xs = points.map((p) => lx(p.params));
  const ys = points.map((p) => p.accuracy);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  const y0 = Math.min(...ys);
  const y1 = Math.max(Math.max(...ys), y0 + 0.01);
  const grid = Array.from({ length: rows }, () => Array.from({ length: plotW }, () => ' '));
  const rank = (p: ParetoPoint) => (front.has(p) ? 2 : p.baseline ? 1 : 0);
  for (const p of [...points].sort((a, b) => rank(a) - rank(b))) {
    const x = x1 === x0 ? 0 : Math.round(((lx(p.params) - x0) / (x1 - x0)) * (plotW - 1));
    const y = rows - 1 - Math.round(((p.accuracy - y0) / (y1 - y0)) * (rows - 1));
    grid[y][x] = front.has(p) ? (p.baseline ? '◇' : '◆') : p.baseline ? 'B' : '·';
  }
  const sel = selected === undefined ? undefined : points.find((p) => p.mask === selected);
  if (sel) {
    const x = x1 === x0 ? 0 : Math.round(((lx(sel.params) - x0) / (x1 - x0)) * (plotW - 1));
    grid[rows - 1 - Math.round(((sel.accuracy - y0) / (y1 - y0)) * (rows - 1))][x] = '@';
  }
  const lines = grid.map((cells, r) => {
    const tag = r === 0 ? y1.toFixed(3) : r === rows - 1 ? y0.toFixed(3) : r === 1 ? 'val' : r === 2 && rows > 3 ? 'acc' : '';
    return `${tag.padStart(label - 1)} │${cells.join('')}`.trimEnd();
  });
  const lo = `${Math.round(10 ** x0)}`;
  const hi = `${Math.round(10 ** x1)}`;
  const name = 'trainable params (log) →';
  const inner = Math.max(0, plotW - lo.length - hi.length);
  const mid = inner >= name.length + 2 ? `${' '.repeat(Math.floor((inner - name.length) / 2))}${name}`.padEnd(inner) : ' '.repeat(inner);
  const xLabels = `${' '.repeat(label + 1)}${lo}${mid}${hi}${inner >= name.length + 2 ? '' : ' params'}`;
  return [...lines, `${' '.repeat(label - 1)} └${'─'.repeat(plotW)}`, xLabels].map((l) => l.slice(0, width));
}
