/**
 * Studies in the search commands: `slt resume <study>`, `slt attach <study>` and the rows of
 * `slt ls` (a study is listed beside the searches, its models as "done/total").
 */
import {
  SearchInterruptedError, followStudy, locateStudy, readStudyState, resumeStudy, spawnDetached,
  type StudySummary,
} from '@slt/runner';
import { makeStudyReporter, printStudy } from './compare.js';
import { SLT_BIN, withInterrupts } from './search.js';
import { CliError } from '../errors.js';

/** An error of a study command. */
export class StudyCommandError extends CliError {}

/** `slt resume <study>`: continues a killed or interrupted study (in the background with `detach`). */
export async function resumeStudyCommand(ref: string, opts: { json?: boolean; detach?: boolean; format: string; root?: string }): Promise<void> {
  if (opts.detach) {
    const { dir } = locateStudy(ref, opts.root);
    await readStudyState(dir);
    const pid = spawnDetached({ dir, args: [SLT_BIN, 'resume', dir, '--format', opts.format] });
    process.stdout.write(opts.json ? `${JSON.stringify({ type: 'detached', kind: 'study', dir, pid })}\n` : `resuming study ${dir} in the background (pid ${pid}); follow: slt attach ${dir}\n`);
    return;
  }
  const json = !!opts.json;
  const rep = makeStudyReporter(json);
  try {
    const out = await withInterrupts((signal) => resumeStudy(ref, { signal, root: opts.root, onEvent: rep.onEvent, onSearchEvent: rep.onSearchEvent }));
    rep.done();
    if (out.alreadyFinished) process.stderr.write(`slt: study ${out.studyId} had already finished; nothing to resume\n`);
    if (out.status === 'finished') printStudy(out, json ? 'json' : opts.format);
    else throw new SearchInterruptedError(out.dir);
  } finally {
    rep.done();
  }
}

/** `slt attach <study>`: follows a study (each model's search as it runs) and prints its table at the end. */
export async function attachStudyCommand(ref: string, opts: { json?: boolean; root?: string }): Promise<void> {
  const rep = makeStudyReporter(!!opts.json);
  const ctl = new AbortController();
  const onInt = () => ctl.abort();
  process.once('SIGINT', onInt);
  try {
    const { dir, journalPath } = locateStudy(ref, opts.root);
    const state = await followStudy(dir, { signal: ctl.signal, onEvent: rep.onEvent, onSearchEvent: rep.onSearchEvent });
    rep.done();
    if (state.status === 'empty') throw new StudyCommandError(`study ${dir} has not started (or failed before its first record); see ${dir}/search.err`);
    if (state.status === 'finished') printStudy({ studyId: state.studyId ?? ref, dir, journalPath, status: 'finished', state }, opts.json ? 'json' : 'text');
    else if (!opts.json) process.stdout.write(`study ${state.studyId ?? ref}: ${state.status}${state.reason ? ` (${state.reason})` : ''}; ${state.models.filter((m) => m.status === 'finished').length}/${state.models.length} models finished\n`);
    if (state.status === 'failed') process.exitCode = 1;
    else if (state.status === 'interrupted' || (state.status === 'running' && !ctl.signal.aborted)) process.exitCode = 130;
  } finally {
    process.off('SIGINT', onInt);
    rep.done();
  }
}

/** A study as an `slt ls` row: id, status, mode, model(s), data, progress, best (the model running), why it failed. */
export function studyRow(s: StudySummary): string[] {
  return [
    s.studyId, s.live ? 'live' : s.status, 'study', s.models.join(',') || '-', s.data ? s.data.split('/').pop()! : '-', `${s.done}/${s.total} models`,
    s.status === 'running' && s.current ? `at ${s.current}` : '-', s.error ? `error: ${s.error}` : '',
  ];
}
