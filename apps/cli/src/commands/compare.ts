/**
 * `slt compare`: the GA search and then the baselines (freeze all, train all, heuristic, R random
 * masks with as many layers as the GA's best) in one search, and the paper's table as text,
 * Markdown or JSON; the table and a PNG chart go to MLflow as artifacts of the search's run.
 *
 * With several models (`--model a,b,c`, or a config file with a `models:` list) it runs a study:
 * one compare search per model, then the paper's table across models (text, Markdown, CSV, JSON)
 * in the study folder and as artifacts of the study's MLflow run, the parent of each model's run.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '@slt/util';
import type { SearchJsonLineInput } from '../json-lines.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  ConfigError, SearchInterruptedError, STUDY_CONFIG_FILE, buildComparison, defaultSearchRoot, comparisonNotes, formatComparisonMarkdown, formatComparisonText,
  formatStudyCsv, formatStudyMarkdown, formatStudyText, isStudyConfigInput, loadStudyConfig, newSearchId, preflightStudy, runSearch, runStudy, searchSeedNoise,
  spawnDetached, studyConfigFile, type RecordEnvelope, type SearchOutcome, type StudyConfig, type StudyEvent, type StudyOutcome,
  type StudyRecordBody,
} from '@slt/runner';
import { SLT_BIN, addSearchFlags, configFromFlags, detach, flagValues, makeReporter, reportOutcome, withInterrupts, type SearchFlags } from './search.js';

/**
 * Prints a finished comparison in the chosen format, with the differences too small to mean
 * anything (within one validation/test image, or within the seeds' noise when searches beside
 * this one differ only in their seed): under the text and Markdown tables, as `notes` in JSON.
 */
export async function printComparison(out: SearchOutcome, format: string): Promise<void> {
  if (format === 'csv') throw new ConfigError('--format', ['format: csv is the format of a study table (several models); use text, markdown or json for one model']);
  const c = buildComparison(out.state);
  const seedNoise = await searchSeedNoise(out.dir, out.state);
  const notes = comparisonNotes(c, { seedNoise });
  if (format === 'json') {
    const noise = seedNoise ? { val: seedNoise.val, seeds: seedNoise.seeds, searches: seedNoise.searches.map((s) => s.searchId ?? s.dir) } : undefined;
    process.stdout.write(`${JSON.stringify({ type: 'comparison', searchId: out.searchId, ...c, notes: notes.map((n) => n.text), ...(noise ? { seedNoise: noise } : {}) } satisfies SearchJsonLineInput)}\n`);
  } else if (format === 'markdown') {
    process.stdout.write(formatComparisonMarkdown(c));
    if (notes.length) process.stdout.write(`\n${notes.map((n) => `- note: ${n.text}`).join('\n')}\n`);
  } else {
    process.stdout.write(formatComparisonText(c));
    // Differences within one validation/test image or the seeds' noise mean nothing: say so under the table.
    for (const note of notes) process.stdout.write(`note: ${note.text}\n`);
    process.stdout.write(`\ntable: ${path.join(out.dir, 'comparison.md')}  chart: ${path.join(out.dir, 'fitness.png')}  confusion: ${path.join(out.dir, 'confusion.json')}\n`);
  }
}

/** Prints a finished study's table in the chosen format (files in the study folder). */
export function printStudy(out: StudyOutcome, format: string): void {
  const t = out.state.table;
  if (!t) return;
  if (format === 'json') process.stdout.write(`${JSON.stringify({ type: 'study', dir: out.dir, ...t } satisfies SearchJsonLineInput)}\n`);
  else if (format === 'markdown') process.stdout.write(formatStudyMarkdown(t));
  else if (format === 'csv') process.stdout.write(formatStudyCsv(t));
  else {
    process.stdout.write(formatStudyText(t));
    process.stdout.write(`\nstudy ${out.studyId} ${out.status}: ${path.join(out.dir, 'study.{txt,md,csv,json}')}; per model: ${path.join(out.dir, 'models/<model>/')}\n`);
  }
}

/** Progress of a study on stderr: its own lines, and each model's search as `slt search` shows it. */
export function makeStudyReporter(json: boolean): { onEvent: (e: StudyEvent) => void; onSearchEvent: (label: string, e: Parameters<ReturnType<typeof makeReporter>['onEvent']>[0]) => void; done: () => void } {
  let label: string | undefined;
  let rep: ReturnType<typeof makeReporter> | undefined;
  return {
    onEvent: (e) => {
      const r = e as StudyRecordBody & RecordEnvelope; // other types: ignored below
      if (r.type === 'study.model.started') {
        rep?.done();
        rep = undefined;
        process.stderr.write(`== model ${r.index + 1}: ${r.label} (${r.dir})\n`);
      } else if (r.type === 'study.model.finished') process.stderr.write(`== model ${r.index + 1}: ${r.label} finished in ${Math.round(r.seconds)} s\n`);
      else if (r.type === 'study.log') process.stderr.write(`${r.level === 'info' ? '' : `${r.level}: `}${r.message}\n`);
      if (json && r.type.startsWith('study.')) process.stdout.write(`${JSON.stringify({ ...r, ...(r.type === 'study.model.finished' ? { comparison: undefined } : {}) })}\n`);
    },
    onSearchEvent: (l, e) => {
      if (l !== label || !rep) {
        rep?.done();
        label = l;
        rep = makeReporter(false);
      }
      rep.onEvent(e);
    },
    done: () => rep?.done(),
  };
}

/** Runs a study in this process and prints its table. */
async function runStudyCommand(config: StudyConfig, opts: SearchFlags & { format: string }): Promise<void> {
  const json = !!opts.json;
  const rep = makeStudyReporter(json);
  try {
    const out = await withInterrupts((signal) => runStudy(config, { signal, studyId: opts.searchId, onEvent: rep.onEvent, onSearchEvent: rep.onSearchEvent }));
    rep.done();
    if (out.status === 'finished') printStudy(out, json ? 'json' : opts.format);
    else throw new SearchInterruptedError(out.dir);
  } finally {
    rep.done();
  }
}

/** Starts a study detached: checks its models' weights first, then runs `slt compare --config <dir>/study-config.json` in the background. */
async function detachStudy(config: StudyConfig, opts: SearchFlags & { format: string }): Promise<void> {
  const id = opts.searchId ?? newSearchId();
  const dir = path.resolve(config.base.out ?? path.join(defaultSearchRoot(), id));
  const resolved: StudyConfig = {
    base: { ...config.base, data: path.resolve(config.base.data), out: dir },
    models: config.models.map((m) => ({ ...m, ...(m.weights && !/^[a-z][a-z0-9+.-]*:\/\//i.test(m.weights) ? { weights: path.resolve(m.weights) } : {}) })),
  };
  await preflightStudy(resolved);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, STUDY_CONFIG_FILE);
  writeFileAtomicSync(file, `${JSON.stringify(studyConfigFile(resolved), null, 2)}\n`, { fsync: false });
  const pid = spawnDetached({ dir, args: [SLT_BIN, 'compare', '--config', file, '--search-id', id, '--format', opts.format] });
  if (opts.json) process.stdout.write(`${JSON.stringify({ type: 'detached', kind: 'study', searchId: id, dir, pid } satisfies SearchJsonLineInput)}\n`);
  else process.stdout.write(`study ${id} running in the background (pid ${pid})\n  folder: ${dir}\n  follow: slt attach ${dir}\n  stop:   slt stop ${dir}\n`);
}

/** Registers `slt compare`. */
export function registerCompare(program: Command): void {
  addSearchFlags(program.command('compare').description('Run the GA and the baselines and print the comparison table; with several models (--model a,b or a config `models:` list) a study across models'), 'compare')
    .addOption(new Option('--format <format>', 'table format (csv: studies only)').choices(['text', 'markdown', 'json', 'csv']).default('text'))
    .addHelpText('after', '\nA study: --model mobilenet_v1_0.25,vgg16 [--weights w1,w2] [--input 32x32 | --input 32x32,64x64], or --config FILE with\n  models: [{ model: vgg16, weights: vgg16_notop.h5, input: 64x64, label: vgg }]')
    .action(async (opts: SearchFlags & { format: string }) => {
      const flags = flagValues(opts);
      if (await isStudyConfigInput({ file: opts.config, flags })) {
        const study = await loadStudyConfig({ file: opts.config, flags });
        if (opts.detach) return detachStudy(study, opts);
        return runStudyCommand(study, opts);
      }
      if (opts.format === 'csv') throw new ConfigError('--format', ['format: csv is the format of a study table (several models); use text, markdown or json for one model']);
      const config = await configFromFlags(opts, 'compare');
      if (opts.detach) return detach('compare', config, opts, ['--format', opts.format]);
      const json = !!opts.json;
      const rep = makeReporter(json);
      try {
        const out = await withInterrupts((signal) => runSearch(config, { signal, onEvent: rep.onEvent, onTracking: rep.onTracking, searchId: opts.searchId, mode: 'compare' }));
        rep.done();
        if (out.status === 'finished') await printComparison(out, json ? 'json' : opts.format);
        reportOutcome(out, json);
      } finally {
        rep.done();
      }
    });
}
