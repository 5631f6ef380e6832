/**
 * `slt sync <journal-or-search-dir> [--tracking-uri URI] [--json]`: delivers the runs of a
 * (finished or interrupted) search to MLflow: a tracking server (`--tracking-uri` or
 * MLFLOW_TRACKING_URI) or the FileStore `./mlruns`. Idempotent: what was delivered before is
 * not sent again. Exit 0 when everything is delivered, 1 on any error.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { deliverJournal, type DeliveryReport } from '@slt/tracking';
import { CliError } from '../errors.js';

class SyncCommandError extends CliError {}

/** The journal files named by `target`: the file itself, or the `.jsonl` files of a search folder. */
async function journalsOf(target: string): Promise<string[]> {
  const abs = resolve(target);
  let st;
  try {
    st = await stat(abs);
  } catch {
    throw new SyncCommandError(`${target}: no such journal file or search folder`);
  }
  if (st.isFile()) return [abs];
  const names = (await readdir(abs)).filter((n) => n.endsWith('.jsonl')).sort();
  if (names.length === 0) throw new SyncCommandError(`${target}: the folder holds no journal (*.jsonl); pass a search folder such as .slt/searches/<id>`);
  return names.map((n) => join(abs, n));
}

function summary(r: DeliveryReport): string {
  return (
    `${r.journalPath} -> ${r.target}: delivered up to record ${r.deliveredSeq} of ${r.journalSeq}; ` +
    `${Object.keys(r.runIds).length} runs (${r.runsCreated} created, ${r.runsFound} found), ` +
    `${r.metricsLogged} metric points (${r.metricsSkipped} already there), ${r.paramsLogged} params, ${r.artifacts} artifacts, ${r.retries} retries`
  );
}

/** Registers `slt sync`. */
export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('Deliver the runs of a search journal to MLflow (server or ./mlruns); safe to repeat')
    .argument('<journal-or-search-dir>', 'a journal file (journal.jsonl) or the folder of a search')
    .option('--tracking-uri <uri>', 'MLflow tracking URI (http(s)://host:port or a folder); default MLFLOW_TRACKING_URI, else ./mlruns')
    .option('--json', 'print the delivery reports as JSON')
    .action(async (target: string, opts: { trackingUri?: string; json?: boolean }) => {
      const reports: DeliveryReport[] = [];
      for (const journalPath of await journalsOf(target)) {
        try {
          const report = await deliverJournal({
            journalPath,
            trackingUri: opts.trackingUri,
            onRetry: (err, ms) => process.stderr.write(`slt sync: ${(err as Error).message}; retrying in ${ms} ms\n`),
            onWarning: (m) => process.stderr.write(`slt sync: warning: ${m}\n`),
          });
          reports.push(report);
          if (!opts.json) process.stdout.write(`${summary(report)}\n`);
        } catch (err) {
          throw new SyncCommandError(`sync of ${journalPath} failed: ${(err as Error).message}`, { cause: err });
        }
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
    });
}
