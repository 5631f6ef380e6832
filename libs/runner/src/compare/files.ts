/**
 * The files of a finished comparison, written into the search folder and logged as artifacts of
 * the search's run: the table (text, Markdown, JSON), the fitness chart and the confusion
 * matrices (confusion.json, confusion-<method>.png).
 */
import { comparisonChartPng } from './chart.js';
import { confusionFiles } from './confusion.js';
import { formatComparisonMarkdown, formatComparisonText, type Comparison } from './table.js';

/** A file name (relative to the search folder, also the artifact path) and its content. */
export type ComparisonFile = [name: string, content: string | Uint8Array];

/** Every file of a comparison; a chart that cannot be drawn becomes a warning, not a failure. */
export function comparisonFiles(c: Comparison): { files: ComparisonFile[]; warnings: string[] } {
  const files: ComparisonFile[] = [
    ['comparison.txt', formatComparisonText(c)],
    ['comparison.md', formatComparisonMarkdown(c)],
    ['comparison.json', `${JSON.stringify(c, null, 2)}\n`],
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
