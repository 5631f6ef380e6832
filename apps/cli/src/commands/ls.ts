/**
 * `slt ls`: the searches under ./.slt/searches (or --root, or $SLT_HOME/searches), plus those
 * your per-user index of searches knows in other folders, newest first.
 */
import type { Command } from 'commander';
import { listKnownSearches } from '@slt/runner';
import { studyRow } from './study.js';
import { addRootOption, rootOf, type RootFlags } from './root.js';

/** The "why" column of a row: a failed or interrupted search's reason, whole (a table row may be long; it is never cut). */
function whyOf(s: { error?: string; reason?: string; liveness?: string }): string {
  if (s.error) return `error: ${s.error}`;
  if (s.reason) return `${s.liveness === 'failed' ? 'failed' : 'why'}: ${s.reason}`;
  return '';
}

/** Registers `slt ls`. */
export function registerLs(program: Command): void {
  addRootOption(program
    .command('ls')
    .description('List searches (live ones marked)')
    .option('--json', 'one JSON object per line')
    .option('--here', 'only the searches under --root, not those of your index'))
    .action(async (opts: RootFlags & { json?: boolean; here?: boolean }) => {
      const root = rootOf(opts);
      const known = await listKnownSearches(root);
      const searches = opts.here ? known.searches.filter((s) => s.from === 'root') : known.searches;
      const studies = opts.here ? known.studies.filter((s) => s.from === 'root') : known.studies;
      const others = opts.here ? 0 : known.fromIndex;
      if (opts.json) {
        for (const s of searches) process.stdout.write(`${JSON.stringify(s)}\n`);
        for (const s of studies) process.stdout.write(`${JSON.stringify(s)}\n`);
        return;
      }
      if (!searches.length && !studies.length) {
        process.stdout.write(`no searches in ${known.root}${known.indexFile && !opts.here ? ' nor in your index of searches' : ''} (another folder: --root DIR, or set SLT_HOME for one folder everywhere)\n`);
        return;
      }
      const rows = searches.map((s) => [
        s.searchId, s.liveness, s.mode ?? '-', s.model ?? '-', s.dataset ?? '-', `${s.done}/${s.total}`,
        s.bestFitness === undefined ? '-' : s.bestFitness.toFixed(4), s.from === 'index' ? s.dir : '', whyOf(s),
      ]);
      rows.push(...studies.map((s) => [...studyRow(s).slice(0, 7), s.from === 'index' ? s.dir : '', studyRow(s)[7]!]));
      // The folder read, on stderr (stdout stays the table).
      process.stderr.write(`searches in ${known.root}${others ? ` and ${others} more from your index (${known.indexFile})` : ''}\n`);
      const head = ['id', 'status', 'mode', 'model', 'data', 'evals', 'best', 'folder', ''];
      const shown = head.map((_, i) => i === 7 ? rows.some((r) => r[7]) : true);
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const r of [head, ...rows]) {
        process.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).filter((_, i) => shown[i]).join('  ').trimEnd()}\n`);
      }
    });
}
