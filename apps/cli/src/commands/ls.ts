/** `slt ls`: the searches under ./.slt/searches (or --root), newest first. */
import type { Command } from 'commander';
import { defaultSearchRoot, listSearches } from '@slt/runner';
import { studyRows } from './study.js';

/** Registers `slt ls`. */
export function registerLs(program: Command): void {
  program
    .command('ls')
    .description('List searches (live ones marked)')
    .option('--root <dir>', 'folder of searches', defaultSearchRoot())
    .option('--json', 'one JSON object per line')
    .action(async (opts: { root: string; json?: boolean }) => {
      const list = await listSearches(opts.root);
      // Studies (one compare search per model) are listed beside the searches.
      const studies = await studyRows(opts.root);
      if (opts.json) {
        for (const s of list) process.stdout.write(`${JSON.stringify(s)}\n`);
        for (const s of studies) process.stdout.write(`${JSON.stringify(s.summary)}\n`);
        return;
      }
      if (!list.length && !studies.length) {
        process.stdout.write(`no searches under ${opts.root} (another folder: --root DIR, or set SLT_HOME for one folder everywhere)\n`);
        return;
      }
      const rows = list.map((s) => [
        s.searchId, s.liveness, s.mode ?? '-', s.model ?? '-', s.dataset ?? '-', `${s.done}/${s.total}`,
        s.bestFitness === undefined ? '-' : s.bestFitness.toFixed(4), s.error ? `error: ${s.error}` : '',
      ]);
      rows.push(...studies.map((s) => s.row));
      // The folder read, on stderr (stdout stays the table).
      process.stderr.write(`searches in ${opts.root}\n`);
      const head = ['id', 'status', 'mode', 'model', 'data', 'evals', 'best', ''];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const r of [head, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
    });
}
