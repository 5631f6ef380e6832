/**
 * The paper's study table: per model the rows "number of trainable layers" (the paper's bit
 * count; beside it slt's "layers with weights", the layers that really train), "test accuracy",
 * "number of parameters" (trainable), and the last table's "macro precision" / "macro recall",
 * with the columns freeze-all, train-all, heuristic, random (mean over the random masks), GA;
 * as text, Markdown, CSV and JSON.
 */
import type { Comparison, ComparisonRow } from '../compare/table.js';

/** Columns of the study table, in the paper's order. */
export const STUDY_COLUMNS = ['freeze-all', 'train-all', 'heuristic', 'random', 'GA'] as const;
/** A column of the study table. */
export type StudyColumn = (typeof STUDY_COLUMNS)[number];

/** Rows of the study table per model: key and label. */
export const STUDY_ROWS = [
  ['trainableLayers', 'number of trainable layers'],
  ['trainableWeightedLayers', 'layers with weights'],
  ['testAccuracy', 'test accuracy'],
  ['trainableParams', 'number of parameters'],
  ['macroPrecision', 'macro precision'],
  ['macroRecall', 'macro recall'],
] as const;

/** One cell group: a method's figures for one model. */
export interface StudyCell {
  /** Set bits of the mask (random: of every random mask, they are equal). */
  trainableLayers: number;
  /** Layers with weights that trained (a '1' on a ReLU or padding trains nothing; random: mean); null when unknown (older journals). */
  trainableWeightedLayers: number | null;
  /** Test accuracy (random: mean over the masks that did not fail); null when it failed. */
  testAccuracy: number | null;
  /** Trainable parameters (random: mean, rounded). */
  trainableParams: number | null;
  /** Macro precision on the test split (random: mean). */
  macroPrecision: number | null;
  /** Macro recall on the test split (random: mean). */
  macroRecall: number | null;
  /** Evaluations behind the cell (random: masks that did not fail). */
  n: number;
  /** Set when every evaluation of the cell failed. */
  error?: string;
}

/** One model of the table. */
export interface StudyTableModel {
  label: string;
  model: string;
  input: [number, number];
  /** Search id of the model's compare search. */
  searchId?: string;
  cells: Record<StudyColumn, StudyCell | null>;
}

/** The whole table (JSON-able: study.json). */
export interface StudyTable {
  studyId?: string;
  dataset?: string;
  columns: StudyColumn[];
  models: StudyTableModel[];
}

const mean = (v: number[]): number | null => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

function cellOf(rows: ComparisonRow[]): StudyCell | null {
  if (!rows.length) return null;
  const ok = rows.filter((r) => !r.error && r.testAccuracy !== null);
  if (!ok.length) return { trainableLayers: rows[0]!.trainableLayers, trainableWeightedLayers: rows[0]!.trainableWeightedLayers ?? null, testAccuracy: null, trainableParams: rows[0]!.trainableParams, macroPrecision: null, macroRecall: null, n: 0, error: rows[0]!.error ?? 'not evaluated' };
  const pick = (f: (r: ComparisonRow) => number | null) => mean(ok.map(f).filter((v): v is number => v !== null));
  const params = pick((r) => r.trainableParams);
  return {
    trainableLayers: ok[0]!.trainableLayers, trainableWeightedLayers: pick((r) => r.trainableWeightedLayers ?? null), testAccuracy: pick((r) => r.testAccuracy), trainableParams: params === null ? null : Math.round(params),
    macroPrecision: pick((r) => r.macroPrecision), macroRecall: pick((r) => r.macroRecall), n: ok.length,
  };
}

/** The columns of one model from its comparison (GA best, each baseline, random masks averaged). */
export function studyCells(c: Comparison): Record<StudyColumn, StudyCell | null> {
  const by = (f: (r: ComparisonRow) => boolean) => cellOf(c.rows.filter(f));
  return {
    'freeze-all': by((r) => r.method === 'freeze-all'),
    'train-all': by((r) => r.method === 'train-all'),
    heuristic: by((r) => r.method === 'heuristic'),
    random: by((r) => /^random-\d+$/.test(r.method)),
    GA: by((r) => r.kind === 'ga'),
  };
}

/** Builds the table from the models' comparisons (models without one yet are left out). */
export function buildStudyTable(o: {
  studyId?: string;
  dataset?: string;
  models: { label: string; model: string; input: [number, number]; searchId?: string; comparison?: Comparison }[];
}): StudyTable {
  const models = o.models.filter((m) => m.comparison).map((m) => ({ label: m.label, model: m.model, input: m.input, ...(m.searchId ? { searchId: m.searchId } : {}), cells: studyCells(m.comparison!) }));
  const dataset = o.dataset ?? o.models.find((m) => m.comparison?.dataset)?.comparison?.dataset;
  return { ...(o.studyId ? { studyId: o.studyId } : {}), ...(dataset ? { dataset } : {}), columns: [...STUDY_COLUMNS], models };
}

function fmt(key: (typeof STUDY_ROWS)[number][0], c: StudyCell | null): string {
  if (!c) return '-';
  const v = c[key];
  if (v === null) return key === 'testAccuracy' && c.error ? 'failed' : '-';
  if (key === 'trainableLayers' || key === 'trainableParams') return v.toLocaleString('en-US');
  if (key === 'trainableWeightedLayers') return Number.isInteger(v) ? String(v) : v.toFixed(1); // random: a mean
  return v.toFixed(4);
}

const header = (): string[] => ['model', 'row', ...STUDY_COLUMNS];
const body = (t: StudyTable): string[][] =>
  t.models.flatMap((m) => STUDY_ROWS.map(([key, label]) => [m.label, label, ...STUDY_COLUMNS.map((col) => fmt(key, m.cells[col]))]));

/** The table as aligned plain text (a block per model). */
export function formatStudyText(t: StudyTable): string {
  const rows = body(t);
  const head = header();
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (v: string[]) => v.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  rows.forEach((r, i) => {
    if (i > 0 && i % STUDY_ROWS.length === 0) out.push('');
    out.push(line(i % STUDY_ROWS.length === 0 ? r : ['', ...r.slice(1)]));
  });
  return `${out.join('\n')}\n`;
}

/** The table as GitHub Markdown. */
export function formatStudyMarkdown(t: StudyTable): string {
  const title = `Selective layer tuning study${t.dataset ? ` on ${t.dataset}` : ''}${t.studyId ? ` (${t.studyId})` : ''}\n\n`;
  const head = header();
  const rows = body(t).map((r, i) => (i % STUDY_ROWS.length === 0 ? r : ['', ...r.slice(1)]));
  return `${title}| ${head.join(' | ')} |\n|${head.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`;
}

const csvCell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The table as CSV (RFC 4180): one line per model and row, raw numbers (empty when none). */
export function formatStudyCsv(t: StudyTable): string {
  const lines = [['model', 'input', 'row', ...STUDY_COLUMNS].join(',')];
  for (const m of t.models) {
    for (const [key, label] of STUDY_ROWS) {
      const vals = STUDY_COLUMNS.map((col) => {
        const v = m.cells[col]?.[key];
        return v === null || v === undefined ? '' : String(v);
      });
      lines.push([m.label, `${m.input[0]}x${m.input[1]}`, label, ...vals].map(csvCell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
