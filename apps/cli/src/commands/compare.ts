/**
 * `slt compare`: the GA search and then the baselines (freeze all, train all, heuristic, R random
 * masks with as many layers as the GA's best) in one search, and the paper's table as text,
 * Markdown or JSON; the table and a PNG chart go to MLflow as artifacts of the search's run.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { buildComparison, formatComparisonMarkdown, formatComparisonText, runSearch, type SearchOutcome } from '@slt/runner';
import { addSearchFlags, configFromFlags, detach, makeReporter, reportOutcome, withInterrupts, type SearchFlags } from './search.js';

/** Prints a finished comparison in the chosen format. */
export function printComparison(out: SearchOutcome, format: string): void {
  const c = buildComparison(out.state);
  if (format === 'json') process.stdout.write(`${JSON.stringify({ type: 'comparison', searchId: out.searchId, ...c })}\n`);
  else if (format === 'markdown') process.stdout.write(formatComparisonMarkdown(c));
  else {
    process.stdout.write(formatComparisonText(c));
    process.stdout.write(`\ntable: ${path.join(out.dir, 'comparison.md')}  chart: ${path.join(out.dir, 'fitness.png')}\n`);
  }
}

/** Registers `slt compare`. */
export function registerCompare(program: Command): void {
  addSearchFlags(program.command('compare').description('Run the GA and the baselines and print the comparison table'))
    .addOption(new Option('--format <format>', 'table format').choices(['text', 'markdown', 'json']).default('text'))
    .action(async (opts: SearchFlags & { format: string }) => {
      const config = await configFromFlags(opts);
      if (opts.detach) return detach('compare', config, opts, ['--format', opts.format]);
      const json = !!opts.json;
      const rep = makeReporter(json);
      try {
        const out = await withInterrupts((signal) => runSearch(config, { signal, onEvent: rep.onEvent, searchId: opts.searchId, mode: 'compare' }));
        rep.done();
        if (out.status === 'finished') printComparison(out, json ? 'json' : opts.format);
        reportOutcome(out, json);
      } finally {
        rep.done();
      }
    });
}
