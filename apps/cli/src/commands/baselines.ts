/**
 * `slt baselines`: trains the paper's baselines only (freeze all, train all, heuristic, R random
 * masks), each with the budget of one genome; the random masks get `--trainable-layers` layers,
 * or as many as the best genome of `--from <search>`, else half the genome.
 */
import { type Command, Option } from 'commander';
import { RunnerError, readSearchState, runSearch } from '@slt/runner';
import { printComparison } from './compare.js';
import { addSearchFlags, configFromFlags, detach, makeReporter, reportOutcome, warnUnusedFlags, withInterrupts, type SearchFlags } from './search.js';

/** Registers `slt baselines`. */
export function registerBaselines(program: Command): void {
  addSearchFlags(program.command('baselines').description('Train the baselines: freeze all, train all, heuristic, random masks'), 'baselines')
    .option('--trainable-layers <k>', 'set bits of each random mask (default: the GA best of --from, else half the genome)')
    .option('--from <search>', "take the random masks' layer count from this search's best genome")
    .addOption(new Option('--format <format>', 'table format').choices(['text', 'markdown', 'json']).default('text'))
    .action(async (opts: SearchFlags & { trainableLayers?: string; from?: string; format: string }, cmd: Command) => {
      warnUnusedFlags('baselines', cmd);
      const config = await configFromFlags(opts, 'baselines');
      let k: number | undefined;
      if (opts.trainableLayers !== undefined) {
        k = Number(opts.trainableLayers);
        if (!Number.isInteger(k) || k < 0) throw new RunnerError(`--trainable-layers: expected an integer >= 0, got ${JSON.stringify(opts.trainableLayers)}`, { kind: 'bad-input' });
      } else if (opts.from) {
        const s = await readSearchState(opts.from);
        if (!s.best) throw new RunnerError(`--from ${opts.from}: the search has no evaluated genome yet`, { kind: 'bad-input' });
        k = s.best.trainableLayers;
      }
      if (opts.detach) return detach('baselines', config, opts, [...(k !== undefined ? ['--trainable-layers', String(k)] : []), '--format', opts.format]);
      const json = !!opts.json;
      const rep = makeReporter(json);
      try {
        const out = await withInterrupts((signal) => runSearch(config, { signal, onEvent: rep.onEvent, onTracking: rep.onTracking, searchId: opts.searchId, mode: 'baselines', randomTrainableLayers: k }));
        rep.done();
        if (out.status === 'finished') await printComparison(out, json ? 'json' : opts.format);
        reportOutcome(out, json);
      } finally {
        rep.done();
      }
    });
}
