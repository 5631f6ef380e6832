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
  /** Examples in the validation and test splits (one image = 1/count of accuracy), when known. */
  counts?: { val: number; test: number };
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
  const counts = state.dataset?.counts ? { val: state.dataset.counts.val, test: state.dataset.counts.test } : undefined;
  return { searchId: state.searchId, model: state.model?.name, dataset: state.dataset?.name, classNames: state.dataset?.classNames, rows, generations, ...(counts ? { counts } : {}) };
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

/** A difference of the table too small to mean anything (see {@link comparisonNotes}). */
export interface ComparisonNote {
  /** The two methods (the GA's best, or the best baseline, first). */
  methods: [string, string];
  split: 'val' | 'test';
  /** Absolute accuracy difference. */
  difference: number;
  /** Within one image of the split (`count` examples), or within the seeds' noise. */
  within: { image: number } | { noise: number; seeds: number };
  /**
   * The sentence (`GA (best) and heuristic: val accuracy 0.0071 apart, within one validation image (1/140 = 0.0071): no real difference`,
   * `GA (best) and heuristic: val accuracy 0.0120 apart, within the seeds' noise (pooled sd 0.0210 over 3 seeds): no real difference`).
   */
  text: string;
}

/** Options of {@link comparisonNotes}. */
export interface ComparisonNoteOptions {
  /**
   * The seeds' noise of a validation accuracy, when several seeds are known: the pooled sample
   * standard deviation of each method's accuracy over searches that differ only in their seed
   * (`searchSeedNoise`, compare/seeds.ts); a difference below it is said to be within the noise.
   */
  seedNoise?: { val: number; seeds: number };
}

/**
 * Which differences of the table are too small to mean anything: the GA's best (without a GA, the
 * best baseline) against each other method when their accuracies differ by at most one
 * validation (or test) image, `1/count`, or by less than the seeds' noise when it is known.
 * One sentence per pair; none when every difference is larger (or the split sizes are unknown).
 */
export function comparisonNotes(c: Comparison, options: ComparisonNoteOptions = {}): ComparisonNote[] {
  const ok = c.rows.filter((r) => !r.error);
  const notes: ComparisonNote[] = [];
  const eps = 1e-9;
  const pairs: [ComparisonRow, ComparisonRow][] = [];
  const anchor = ok.find((r) => r.kind === 'ga') ?? [...ok].sort((a, b) => (b.valAccuracy ?? -1) - (a.valAccuracy ?? -1))[0];
  if (anchor) for (const b of ok) if (b !== anchor) pairs.push([anchor, b]);
  for (const [a, b] of pairs) {
    for (const split of ['val', 'test'] as const) {
      const x = split === 'val' ? a.valAccuracy : a.testAccuracy;
      const y = split === 'val' ? b.valAccuracy : b.testAccuracy;
      if (x === null || y === null) continue;
      const d = Math.abs(x - y);
      const n = c.counts?.[split];
      const what = `${a.method} and ${b.method}`;
      if (n && d <= 1 / n + eps) {
        const images = Math.round(d * n);
        const text = `${what}: ${split} accuracy ${images === 0 ? 'equal' : `${d.toFixed(4)} apart`}, within one ${split === 'val' ? 'validation' : 'test'} image (1/${n} = ${(1 / n).toFixed(4)}): no real difference`;
        notes.push({ methods: [a.method, b.method], split, difference: d, within: { image: n }, text });
      } else if (split === 'val' && options.seedNoise && d < options.seedNoise.val) {
        const { val: noise, seeds } = options.seedNoise;
        const text = `${what}: val accuracy ${d.toFixed(4)} apart, within the seeds' noise (pooled sd ${noise.toFixed(4)} over ${seeds} seeds): no real difference`;
        notes.push({ methods: [a.method, b.method], split, difference: d, within: { noise, seeds }, text });
      }
    }
  }
  return notes;
}
