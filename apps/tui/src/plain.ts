/**
 * Without a terminal (stdout or stdin not a TTY) the TUI draws nothing: it prints a plain progress
 * log of a search, one line per event, for logs and CI.
 */
import { detachedErrors, followSearch, followStudy, formatStudyText, initialSearchState, isStudyDir, isStudyRef, locateSearch, locateStudy, progressParts, readTrackingStatus, reduceSearch, searchProcessAlive, type SearchEvent, type SearchState } from '@slt/runner/light';
import { searchLine } from './components/SearchList.js';
import { listAll } from './hooks/useSearchList.js';
import { launchFromForm, resolveData } from './effects/launch.js';
import { validateForm, type FormValues } from './state/form.js';
import { trackingText } from './view/progress.js';

/** Options of {@link runPlain}. */
export interface PlainOptions {
  root: string;
  /** A search to follow (id, folder or journal). */
  attach?: string;
  /** Launch a search with these form values, then follow it. */
  launch?: FormValues;
  out?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** The progress figures of a plain log line: the same figures as `slt search|attach` print. */
export function plainProgress(s: SearchState): string {
  return progressParts(s).join(' | ');
}

async function follow(dir: string, out: NodeJS.WritableStream, signal?: AbortSignal): Promise<SearchState> {
  let state = initialSearchState();
  // The MLflow delivery (the search's live tracking.status event): one line each time its words change.
  let delivery = '';
  const checkDelivery = () => {
    const text = trackingText(readTrackingStatus(dir), dir);
    if (text === delivery) return;
    delivery = text;
    out.write(`${new Date().toISOString().slice(11, 19)} MLflow: ${text || 'delivery answering again'}\n`);
  };
  const timer = setInterval(checkDelivery, 1000);
  const final = await followSearch(dir, {
    signal,
    onEvent: (e: SearchEvent) => {
      checkDelivery();
      const before = state.logs.length ? state.logs[state.logs.length - 1] : undefined;
      state = reduceSearch(state, e);
      const fresh = state.logs.slice(before ? state.logs.lastIndexOf(before) + 1 : 0);
      for (const l of fresh) out.write(`${l.time.slice(11, 19)} ${l.level === 'info' ? '' : `${l.level}: `}${l.message}  [${plainProgress(state)}]\n`);
    },
  }).finally(() => clearInterval(timer));
  checkDelivery();
  out.write(`search ${final.searchId ?? dir} ${final.status}${final.best ? `: best val accuracy ${final.best.fitness.toFixed(4)}, ${final.best.trainableLayers} trainable layers` : ''}\n`);
  return final;
}

/** Why a launch stopped before its journal existed: what it printed on stderr, whole (indented), or where to look. */
export function stoppedWhy(dir: string): string {
  const err = detachedErrors(dir).trimEnd();
  return err ? `; it said:\n${err.split('\n').map((l) => `  ${l}`).join('\n')}` : ` (it printed nothing; see ${dir}/search.out)`;
}

/** True while process `pid` exists. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Follows a study: a line as each model starts and ends, its search's log lines prefixed with the model's label, then the study table. */
async function followStudyPlain(dir: string, out: NodeJS.WritableStream, signal?: AbortSignal): Promise<number> {
  const states = new Map<string, SearchState>();
  let total = 0;
  const final = await followStudy(dir, {
    signal,
    onState: (st) => {
      total = st.models.length;
    },
    onEvent: (e) => {
      const at = `${e.time.slice(11, 19)} `;
      if (e.type === 'study.model.started') out.write(`${at}model ${Number(e.index) + 1}/${total}: ${String(e.label)} started (${String(e.dir)})\n`);
      else if (e.type === 'study.model.finished') out.write(`${at}model ${Number(e.index) + 1}/${total}: ${String(e.label)} finished\n`);
    },
    onSearchEvent: (label, e) => {
      const before = states.get(label) ?? initialSearchState();
      const after = reduceSearch(before, e);
      states.set(label, after);
      for (const l of after.logs.slice(before.logs.length)) out.write(`${l.time.slice(11, 19)} [${label}] ${l.level === 'info' ? '' : `${l.level}: `}${l.message}  [${plainProgress(after)}]\n`);
    },
  });
  out.write(`study ${final.studyId ?? dir} ${final.status}${final.reason ? ` (${final.reason})` : ''}\n`);
  if (final.table && final.table.models.length) out.write(formatStudyText(final.table));
  return final.status === 'failed' ? 1 : 0;
}

/** Prints searches and follows one (launched, chosen, or the newest live one); resolves to the exit code. */
export async function runPlain(options: PlainOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  if (options.launch) {
    // The zoo's names check a Models list before the launch (the full runner: it launches anyway).
    const { modelNames } = await import('@slt/runner');
    const check = validateForm(options.launch, modelNames());
    if (!check.flags) {
      for (const [k, v] of Object.entries(check.errors)) out.write(`slt-tui: --${k}: ${v}\n`);
      return 2;
    }
    const flags = await resolveData(check.flags, options.signal);
    const l = launchFromForm(flags, options.root, check.mode);
    const study = check.mode === 'compare' && (flags.model ?? '').includes(',');
    out.write(`${study ? 'study' : 'search'} ${l.searchId} started in the background (pid ${l.pid}), folder ${l.dir}\n`);
    if (study) {
      // The study writes its folder's files after its preflight (weights of every model found).
      while (!isStudyDir(l.dir) && processAlive(l.pid) && !options.signal?.aborted) await new Promise((r) => setTimeout(r, 200));
      if (!isStudyDir(l.dir)) {
        out.write(`slt-tui: study ${l.searchId}: slt compare --model ${flags.model} stopped before the study started${stoppedWhy(l.dir)}\n`);
        return 1;
      }
      return followStudyPlain(l.dir, out, options.signal);
    }
    const s = await follow(l.dir, out, options.signal);
    if (s.status === 'empty' && !searchProcessAlive(l.dir)) {
      out.write(`slt-tui: search ${l.searchId}: slt ${check.mode ?? 'search'} stopped before the search started${stoppedWhy(l.dir)}\n`);
      return 1;
    }
    return s.status === 'failed' ? 1 : 0;
  }
  if (options.attach) {
    if (isStudyRef(options.attach, options.root)) return followStudyPlain(locateStudy(options.attach, options.root).dir, out, options.signal);
    const s = await follow(locateSearch(options.attach, options.root).dir, out, options.signal);
    return s.status === 'failed' ? 1 : 0;
  }
  const searches = await listAll(options.root);
  out.write(`${searches.length} searches in ${options.root}${searches.length ? '' : ' (start one: slt-tui --launch, or open the TUI in a terminal)'}\n`);
  for (const s of searches) out.write(`${searchLine(s, 200)}\n`);
  const live = searches.find((s) => s.live);
  if (!live) return 0;
  out.write(`following ${live.searchId} (● live)\n`);
  if (live.mode === 'study') return followStudyPlain(live.dir, out, options.signal);
  const s = await follow(live.dir, out, options.signal);
  return s.status === 'failed' ? 1 : 0;
}
