/**
 * `slt sync <search> [--tracking-uri URI] [--json]`: delivers what a search's journal holds and
 * its MLflow store lacks (runs, params, metrics, tags, artifacts, statuses), from any folder: the
 * store recorded in the journal is used unless `--tracking-uri` names another. Idempotent: what
 * was delivered before is not sent again. Exit 0 when everything is delivered, 1 when the store
 * cannot be reached or refuses, 2 for a reference that is no search.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isStudyRef, locateSearch, syncSearch, syncStudy } from '@slt/runner';
import { isUnreachable, type DeliveryReport } from '@slt/tracking';
import { CliError } from '../errors.js';
import { addRootOption, rootOf, type RootFlags } from './root.js';

class SyncCommandError extends CliError {}

function summary(r: DeliveryReport): string {
  return (
    `${r.journalPath} -> ${r.target}: delivered up to record ${r.deliveredSeq} of ${r.journalSeq}; ` +
    `${Object.keys(r.runIds).length} runs (${r.runsCreated} created, ${r.runsFound} found), ` +
    `${r.metricsLogged} metric points (${r.metricsSkipped} already there), ${r.paramsLogged} params, ${r.artifacts} artifacts, ${r.retries} retries`
  );
}

const UNREACHABLE_HINT = 'Is the MLflow server running there? Check --tracking-uri (default: the store the search recorded), or give a folder (--tracking-uri ./mlruns).';

/**
 * The failure in words, naming the server once: the request error of the tracking lib when one is
 * in the cause chain ("MLflow at URL is unreachable: connection refused (ECONNREFUSED)"), with
 * what to check for a server that cannot be reached; never a bare TypeError.
 */
function reason(err: unknown, final = false): string {
  let e: unknown = err;
  const seen = new Set<unknown>();
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    // A request that reached no server (no HTTP status): the tracking lib's words, and what to check.
    if (isUnreachable(e)) return final ? `${e.message}. ${UNREACHABLE_HINT}` : e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return (err as Error).message ?? String(err);
}

/**
 * The journals `ref` names: a search (id, folder or journal file), or the `*.jsonl` journals of
 * another folder (a study's `study.jsonl`).
 */
function journalsOf(ref: string, root: string): string[] {
  try {
    return [locateSearch(ref, root).journalPath];
  } catch (err) {
    const abs = resolve(ref);
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      const names = readdirSync(abs).filter((n) => n.endsWith('.jsonl')).sort();
      if (names.length) return names.map((n) => join(abs, n));
    }
    // The not-found message names the reference already (no "ref: ref: ...").
    throw new SyncCommandError((err as Error).message, { exitCode: 2, cause: err });
  }
}

/** Registers `slt sync`. */
export function registerSync(program: Command): void {
  addRootOption(program
    .command('sync'))
    .description('Deliver the runs of a search journal to MLflow (server or ./mlruns); safe to repeat')
    .argument('<search>', 'search id, folder or journal file')
    .option('--tracking-uri <uri>', 'MLflow tracking URI (http(s)://host:port or a folder); default: the one the search recorded')
    .option('--json', 'print the delivery report as JSON')
    .action(async (ref: string, opts: RootFlags & { trackingUri?: string; json?: boolean }) => {
      const root = rootOf(opts);
      const reports: DeliveryReport[] = [];
      // A study: its own run first (the parent of its models' runs), then every model's search.
      const hooks = {
        trackingUri: opts.trackingUri,
        root,
        onRetry: (err: unknown, ms: number) => process.stderr.write(`slt sync: ${reason(err)}; retrying in ${ms} ms\n`),
        onWarning: (m: string) => process.stderr.write(`slt sync: warning: ${m}\n`),
      };
      if (isStudyRef(ref, root)) {
        try {
          reports.push(...(await syncStudy(ref, hooks)));
        } catch (err) {
          throw new SyncCommandError(`sync of study ${ref} failed: ${reason(err, true)}`, { cause: err, exitCode: (err as { name?: string }).name === 'TrackingValidationError' ? 2 : 1 });
        }
        if (!opts.json) for (const r of reports) process.stdout.write(`${summary(r)}\n`);
      }
      for (const journalPath of reports.length ? [] : journalsOf(ref, root)) {
        try {
          const report = await syncSearch(journalPath, {
            trackingUri: opts.trackingUri,
            onRetry: (err, ms) => process.stderr.write(`slt sync: ${reason(err)}; retrying in ${ms} ms\n`),
            onWarning: (m) => process.stderr.write(`slt sync: warning: ${m}\n`),
          });
          reports.push(report);
          if (!opts.json) process.stdout.write(`${summary(report)}\n`);
        } catch (err) {
          const bad = (err as { name?: string }).name === 'TrackingValidationError';
          throw new SyncCommandError(`sync of ${journalPath} failed: ${reason(err, true)}`, { cause: err, exitCode: bad ? 2 : 1 });
        }
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
    });
}
