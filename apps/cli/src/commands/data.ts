/**
 * `slt data inspect PATH [--json] [--kind K]`: what a data set folder holds and every file that
 * cannot be read. Exit 0 when every file is readable, 2 when some are not (the report is still
 * printed in full), 1 when the path is not a data set layout.
 */
import type { Command } from 'commander';
import { DATASET_KINDS, formatInspectReport, inspectDataset, type DatasetKind } from '@slt/datasets';
import { CliError } from '../errors.js';

class DataCommandError extends CliError {}

/** Registers `slt data` and its sub-commands. */
export function registerData(program: Command): void {
  const data = program.command('data').description('Inspect data set folders (IDX, UrbanSound8K, class folders)');
  data
    .command('inspect')
    .description('Report the layout, classes, counts, sample rates, durations, image sizes and unreadable files of a data set')
    .argument('<path>', 'data set folder')
    .option('--json', 'print the report as JSON')
    .option('--kind <kind>', `layout, instead of detecting it (${DATASET_KINDS.join(', ')})`)
    .action(async (path: string, opts: { json?: boolean; kind?: string }) => {
      if (opts.kind !== undefined && !DATASET_KINDS.includes(opts.kind as DatasetKind)) {
        throw new DataCommandError(`--kind ${JSON.stringify(opts.kind)}: expected one of ${DATASET_KINDS.join(', ')}`);
      }
      const tty = process.stderr.isTTY === true;
      let report;
      try {
        report = await inspectDataset(path, {
          kind: opts.kind as DatasetKind | undefined,
          onProgress: tty ? (done, total) => process.stderr.write(`\rinspecting ${done}/${total}`) : undefined,
        });
      } catch (err) {
        throw new DataCommandError(err instanceof Error ? err.message : String(err), { cause: err });
      } finally {
        if (tty) process.stderr.write('\r\x1b[K');
      }
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatInspectReport(report)}\n`);
      if (report.problems.length > 0) {
        throw new DataCommandError(`${report.problems.length} problem(s) found in ${report.path}`, { exitCode: 2 });
      }
    });
}
