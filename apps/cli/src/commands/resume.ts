/** `slt resume <search>`: continues a killed or interrupted search from its journal. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { isStudyRef, locateSearch, readSearchState, resumeSearch, spawnDetached } from '@slt/runner';
import { printComparison } from './compare.js';
import { resumeStudyCommand } from './study.js';
import { SLT_BIN, makeReporter, reportOutcome, withInterrupts } from './search.js';
import { addRootOption, rootOf, type RootFlags } from './root.js';
import type { SearchJsonLineInput } from '../json-lines.js';

/** Registers `slt resume`. */
export function registerResume(program: Command): void {
  addRootOption(program
    .command('resume'))
    .description('Continue a killed or interrupted search; finished evaluations are not run again')
    .argument('<search>', 'search id, folder or journal file')
    .option('--json', 'results as JSON lines on stdout')
    .option('--detach', 'continue in the background')
    .addOption(new Option('--format <format>', 'table format (compare/baselines searches)').choices(['text', 'markdown', 'json', 'csv']).default('text'))
    .action(async (ref: string, opts: RootFlags & { json?: boolean; detach?: boolean; format: string }) => {
      const root = rootOf(opts);
      if (isStudyRef(ref, root)) return resumeStudyCommand(ref, { ...opts, root });
      if (opts.detach) {
        const { dir } = locateSearch(ref, root);
        await readSearchState(dir);
        const pid = spawnDetached({ dir, args: [SLT_BIN, 'resume', dir, '--format', opts.format] });
        process.stdout.write(opts.json ? `${JSON.stringify({ type: 'detached', dir, pid } satisfies SearchJsonLineInput)}\n` : `resuming ${dir} in the background (pid ${pid}); follow: slt attach ${dir}\n`);
        return;
      }
      const json = !!opts.json;
      const rep = makeReporter(json, await readSearchState(ref, root).catch(() => undefined));
      try {
        const out = await withInterrupts((signal) => resumeSearch(ref, { root, signal, onEvent: rep.onEvent, onTracking: rep.onTracking }));
        rep.done();
        if (out.alreadyFinished) {
          // A finished search stays finished: nothing was run or written (exit 0).
          process.stderr.write(`slt: search ${out.searchId} had already finished; nothing to resume${out.pendingRuns > 0 ? '' : ' (its MLflow runs are delivered)'}\n`);
        }
        if (out.status === 'finished' && out.state.mode !== 'search') await printComparison(out, json ? 'json' : opts.format);
        reportOutcome(out, json);
      } finally {
        rep.done();
      }
    });
}
