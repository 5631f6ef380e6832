/**
 * The files of a finished comparison, written into the search folder and logged as artifacts of
 * the search's run: the table (text, Markdown, JSON) with the differences within one validation or
 * test image noted under it, the fitness chart and the confusion matrices (confusion.json,
 * confusion-<method>.png). The files derive from the journal alone: the seeds' noise, which depends
 * on the searches beside this one, is noted where the table is shown (`slt compare`, the TUI).
 */
import { comparisonChartPng } from './chart.js';
import { confusionFiles } from './confusion.js';
import { comparisonNotes, formatComparisonMarkdown, formatComparisonText, type Comparison } from './table.js';

/** A file name (relative to the search folder, also the artifact path) and its content. */
export type ComparisonFile = [name: string, content: string | Uint8Array];

/** Every file of a comparison; a chart that cannot be drawn becomes a warning, not a failure. */
export function comparisonFiles(c: Comparison): { files: ComparisonFile[]; warnings: string[] } {
  const notes = comparisonNotes(c).map((n) => n.text);
  const files: ComparisonFile[] = [
    ['comparison.txt', `${formatComparisonText(c)}${notes.map((n) => `note: ${n}\n`).join('')}`],
    ['comparison.md', `${formatComparisonMarkdown(c)}${notes.length ? `\n${notes.map((n) => `- note: ${n}`).join('\n')}\n` : ''}`],
    ['comparison.json', `${JSON.stringify({ ...c, notes }, null, 2)}\n`],
  ];
  const warnings: string[] = [];
  try {
    files.push(['fitness.png', comparisonChartPng(c)]);
  } catch (err) {
    warnings.push(`cannot draw the fitness chart: ${(err as Error).message}`);
  }
  try {
    files.push(...confusionFiles(c));
  } catch (err) {
    warnings.push(`cannot draw the confusion matrices: ${(err as Error).message}`);
  }
  return { files, warnings };
}
