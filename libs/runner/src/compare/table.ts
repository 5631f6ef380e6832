/**
 * The paper's comparison table (method, trainable layers, test accuracy, trainable params, test
 * macro precision and recall) built from a search's state, as text, Markdown and JSON.
 */
import type { SearchState } from '../state/types.js';

/** One row of the comparison. */
export interface ComparisonRow {
  /** `GA (best)`, `freeze-all`, `train-all`, `heuristic`, `random-1`, ... */
  method: string;
  kind: 'ga' | 'baseline';
  mask: string;
  trainableLayers: number;
  /** Layers with weights that trained (a '1' on a weightless layer trains nothing), when recorded. */
  trainableWeightedLayers?: number;
  /** Stopped early by `--prune`. */
  pruned?: boolean;
  /** Fitness: best validation accuracy. */
  valAccuracy: number | null;
  testAccuracy: number | null;
  trainableParams: number | null;
  /** Macro precision on the test split (a class nobody was predicted as counts 0). */
  macroPrecision: number | null;
  /** Macro recall on the test split. */
  macroRecall: number | null;
  /** Test confusion counts `[true][predicted]` (absent for old journals and failures). */
  confusion?: number[][];
  /** Set when the evaluation failed. */
  error?: string;
}

/** The whole comparison. */
export interface Comparison {
  searchId?: string;
  model?: string;
  dataset?: string;
  /** Class names of the data set (the confusion matrices' order). */
  classNames?: string[];
  rows: ComparisonRow[];
  /** Best and mean fitness per generation (for the chart). */
  generations: { generation: number; best: number; mean: number }[];
}

/** Builds the comparison from a search's state (GA best first, then every baseline). */
export function buildComparison(state: SearchState): Comparison {
  const rows: ComparisonRow[] = [];
  const gaRows = state.generations.flatMap((g) => g.rows).filter((r) => r.state === 'done');
  const bestKey = state.best?.key;
  const best = gaRows.find((r) => r.key === bestKey);
  if (best) {
    rows.push({
      method: 'GA (best)', kind: 'ga', mask: best.mask, trainableLayers: best.trainableLayers, trainableWeightedLayers: best.trainableWeightedLayers, pruned: best.pruned, valAccuracy: best.fitness ?? null, testAccuracy: best.testAccuracy ?? null,
      trainableParams: best.trainableParams ?? null, ...testScores(best),
    });
  }
  for (const b of state.baselines) {
    const done = b.state === 'done';
    rows.push({
      method: b.label ?? b.key, kind: 'baseline', mask: b.mask, trainableLayers: b.trainableLayers, trainableWeightedLayers: b.trainableWeightedLayers,
      valAccuracy: done || b.state === 'failed' ? (b.fitness ?? null) : null,
      testAccuracy: done ? (b.testAccuracy ?? null) : null,
      trainableParams: b.trainableParams ?? null,
      ...(done ? testScores(b) : { macroPrecision: null, macroRecall: null }),
      ...(b.error ? { error: b.error } : {}),
    });
  }
  const generations = state.generations
    .filter((g) => g.finished && g.best !== undefined && g.mean !== undefined)
    .map((g) => ({ generation: g.generation, best: g.best!, mean: g.mean! }));
  return { searchId: state.searchId, model: state.model?.name, dataset: state.dataset?.name, classNames: state.dataset?.classNames, rows, generations };
}

function testScores(r: SearchState['baselines'][number]): Pick<ComparisonRow, 'macroPrecision' | 'macroRecall' | 'confusion'> {
  return { macroPrecision: r.testMacroPrecision ?? null, macroRecall: r.testMacroRecall ?? null, ...(r.testConfusion ? { confusion: r.testConfusion } : {}) };
}

const HEAD = ['method', 'trainable layers', 'layers with weights', 'test accuracy', 'val accuracy', 'trainable params', 'test macro precision', 'test macro recall'];
const f4 = (v: number | null): string => (v === null ? '-' : v.toFixed(4));
const cells = (r: ComparisonRow): string[] => [
  r.method + (r.error ? ' (failed)' : '') + (r.pruned ? ' (pruned)' : ''),
  String(r.trainableLayers),
  r.trainableWeightedLayers === undefined ? '-' : String(r.trainableWeightedLayers),
  f4(r.testAccuracy),
  f4(r.valAccuracy),
  r.trainableParams === null ? '-' : r.trainableParams.toLocaleString('en-US'),
  f4(r.macroPrecision),
  f4(r.macroRecall),
];

/** The table as aligned plain text. */
export function formatComparisonText(c: Comparison): string {
  const body = c.rows.map(cells);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (v: string[]) => v.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}

/** The table as GitHub Markdown. */
export function formatComparisonMarkdown(c: Comparison): string {
  const title = c.model && c.dataset ? `Selective layer tuning: ${c.model} on ${c.dataset}\n\n` : '';
  return `${title}| ${HEAD.join(' | ')} |\n|${HEAD.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|\n${c.rows.map((r) => `| ${cells(r).join(' | ')} |`).join('\n')}\n`;
}
