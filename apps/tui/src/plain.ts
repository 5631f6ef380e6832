/**
 * Without a terminal (stdout or stdin not a TTY) the TUI draws nothing: it prints a plain progress
 * log of a search, one line per event, for logs and CI.
 */
import { followSearch, initialSearchState, listSearches, locateSearch, progressParts, readTrackingStatus, reduceSearch, type SearchEvent, type SearchState } from '@slt/runner';
import { searchLine } from './components/SearchList.js';
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

/** Prints searches and follows one (launched, chosen, or the newest live one); resolves to the exit code. */
export async function runPlain(options: PlainOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  if (options.launch) {
    const check = validateForm(options.launch);
    if (!check.flags) {
      for (const [k, v] of Object.entries(check.errors)) out.write(`slt-tui: --${k}: ${v}\n`);
      return 2;
    }
    const flags = await resolveData(check.flags, options.signal);
    const l = launchFromForm(flags, options.root, check.mode);
    out.write(`search ${l.searchId} started in the background (pid ${l.pid}), folder ${l.dir}\n`);
    const s = await follow(l.dir, out, options.signal);
    return s.status === 'failed' ? 1 : 0;
  }
  if (options.attach) {
    const s = await follow(locateSearch(options.attach, options.root).dir, out, options.signal);
    return s.status === 'failed' ? 1 : 0;
  }
  const searches = await listSearches(options.root);
  out.write(`${searches.length} searches in ${options.root}${searches.length ? '' : ' (start one: slt-tui --launch, or open the TUI in a terminal)'}\n`);
  for (const s of searches) out.write(`${searchLine(s, 200)}\n`);
  const live = searches.find((s) => s.live);
  if (!live) return 0;
  out.write(`following ${live.searchId} (● live)\n`);
  const s = await follow(live.dir, out, options.signal);
  return s.status === 'failed' ? 1 : 0;
}
