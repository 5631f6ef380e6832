/**
 * The app's state and its reducer: every change is a union action; effects are only *requested*
 * here (`request`) and carried out by hooks, which report back with actions.
 */
import { initialSearchState, reduceSearch, type SearchEvent, type SearchState, type SearchSummary, type SeedNoise, type StudyState, type TrackingStatusEvent } from '@slt/runner/light';
import { FIELD_KEYS, fieldSpecs, presetValues, validateForm, type FieldKey, type FormPreset, type FormValues } from './form.js';
import { isDown, isLeft, isRight, isUp, type KeyPress } from './keys.js';
import { detailsLines, visibleRows, visibleSearches } from './selectors.js';

/** The screens. */
export type Screen = 'start' | 'live' | 'results';
/** Panes of the live screen (tab cycles; small terminals show the table and the focused pane). */
export const LIVE_PANES = ['table', 'masks', 'chart', 'log'] as const;
/** A live pane. */
export type LivePane = (typeof LIVE_PANES)[number];

/** An effect the hooks carry out. */
export type Request =
  | { kind: 'launch'; flags: Record<string, string>; mode: 'search' | 'baselines' | 'compare' }
  | { kind: 'control'; command: 'stop' | 'pause' | 'continue' };

/** The form's state. */
export interface FormState {
  values: FormValues;
  /** Selected field (FIELD_KEYS.length = the Launch button). */
  index: number;
  editing: boolean;
  draft: string;
  errors: Partial<Record<FieldKey, string>>;
  /** Fields the user changed: a preset change keeps them. */
  edited?: FieldKey[];
}

/** Everything the screens draw. */
export interface AppState {
  screen: Screen;
  help: boolean;
  startFocus: 'list' | 'form';
  listIndex: number;
  filter: string;
  filtering: boolean;
  form: FormState;
  models: string[];
  searches: SearchSummary[];
  /**
   * The search on the live screen; `alive` false once its process is known to be gone (no lock
   * holder and no detached launch process), `stderr` what that process printed on stderr.
   */
  attached?: { id: string; dir: string; alive?: boolean; study?: boolean; stderr?: string };
  /** The attached study (a multi-model compare), while one is attached: the live screen follows its running model's search. */
  study?: StudyState;
  search: SearchState;
  /** The attached search's MLflow delivery status (its live `tracking.status` event), when it wrote one. */
  tracking?: TrackingStatusEvent;
  pane: LivePane;
  rowIndex: number;
  /** Generation shown on the live screen; null follows the current one. */
  genIndex: number | null;
  resultIndex: number;
  request?: Request;
  busy?: string;
  message?: { level: 'info' | 'error'; text: string };
  quitting: boolean;
  /** `s` was pressed: stopping waits for `y` (the genome in training is lost), `p` pauses instead. */
  confirmStop?: boolean;
  /** The details view (key `e`): errors and why a search stopped, whole; its first line shown. */
  details?: { offset: number };
  /** The seeds' noise of the followed finished search (`dir`), from the searches beside it that differ only in their seed; `noise` undefined when under 2 seeds. */
  seedNoise?: { dir: string; noise?: SeedNoise };
}

/** Every action. */
export type Action =
  | { type: 'key'; key: KeyPress }
  | { type: 'searches'; searches: SearchSummary[] }
  | { type: 'attach'; id: string; dir: string; study?: boolean }
  /** The attached study's state after its latest record. */
  | { type: 'study'; state: StudyState }
  | { type: 'events'; events: SearchEvent[] }
  /** Liveness of the attached search's process; `stderr`: what a stopped one printed. */
  | { type: 'alive'; alive: boolean; stderr?: string }
  /** The zoo's model names (loaded in the background). */
  | { type: 'models'; models: string[] }
  /** The attached search's latest MLflow delivery status. */
  | { type: 'tracking'; status?: TrackingStatusEvent }
  /** The seeds' noise of the finished search in `dir` (undefined: fewer than 2 seeds). */
  | { type: 'seedNoise'; dir: string; noise?: SeedNoise }
  /** The journal is followed again from its first record: the search state starts over. */
  | { type: 'journal.reset' }
  | { type: 'busy'; text?: string }
  | { type: 'request.done'; message?: string }
  | { type: 'request.failed'; error: string };

/** The state at start; `attach` opens a search's live screen at once. */
export function initialAppState(options: { models?: string[]; preset?: FormPreset; values?: Partial<FormValues>; attach?: { id: string; dir: string } } = {}): AppState {
  const values = { ...presetValues(options.preset ?? 'quick demo'), ...options.values };
  return {
    screen: options.attach ? 'live' : 'start', help: false, startFocus: 'list', listIndex: 0, filter: '', filtering: false,
    form: { values, index: 0, editing: false, draft: '', errors: {} }, models: options.models ?? [], searches: [],
    attached: options.attach, search: initialSearchState(), pane: 'table', rowIndex: 0, genIndex: null, resultIndex: 0, quitting: false,
  };
}

const clamp = (i: number, n: number): number => Math.max(0, Math.min(i, Math.max(0, n - 1)));
const printable = (k: KeyPress): boolean => k.input.length > 0 && !k.ctrl && [...k.input].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);

function attach(state: AppState, id: string, dir: string, study?: boolean): AppState {
  return { ...state, details: undefined, attached: { id, dir, ...(study ? { study } : {}) }, study: undefined, search: initialSearchState(), tracking: undefined, seedNoise: undefined, screen: 'live', rowIndex: 0, genIndex: null, filter: '', filtering: false, resultIndex: 0 };
}

/** The error of one field for these values (validation as you type), undefined when fine. */
function fieldError(values: FormValues, key: FieldKey, zoo?: readonly string[]): string | undefined {
  return validateForm(values, zoo).errors[key];
}

/** A new draft of the field being edited, checked as it is typed. */
function typing(state: AppState, draft: string): AppState {
  const f = state.form;
  const key = FIELD_KEYS[f.index];
  const errors = { ...f.errors };
  delete errors[key];
  const err = fieldError({ ...f.values, [key]: draft.trim() }, key, state.models);
  if (err) errors[key] = err;
  return { ...state, form: { ...f, draft, errors } };
}

function formKey(state: AppState, k: KeyPress): AppState {
  const f = state.form;
  const specs = fieldSpecs(state.models);
  if (f.editing) {
    const key = FIELD_KEYS[f.index];
    if (k.escape) return { ...state, form: { ...f, editing: false, draft: '' } };
    if (k.enter) {
      const values = { ...f.values, [key]: f.draft.trim() };
      const errors = { ...f.errors };
      delete errors[key];
      const check = fieldError(values, key, state.models);
      if (check) errors[key] = check;
      const edited = f.values[key] === values[key] || f.edited?.includes(key) ? f.edited : [...(f.edited ?? []), key];
      return { ...state, form: { ...f, values, editing: false, draft: '', errors, edited } };
    }
    // Ctrl-U clears the field being typed; every key of a burst counts (Ink may hand several at once).
    if (k.ctrlChar === 'u') return typing(state, '');
    if (k.backspace) return typing(state, f.draft.slice(0, -1));
    if (printable(k)) return typing(state, f.draft + k.input);
    return state;
  }
  const n = FIELD_KEYS.length + 1;
  if (isUp(k)) return { ...state, form: { ...f, index: (f.index + n - 1) % n } };
  if (isDown(k)) return { ...state, form: { ...f, index: (f.index + 1) % n } };
  if (k.escape) return { ...state, startFocus: 'list' };
  const spec = specs[f.index];
  if (spec?.choices && (isLeft(k) || isRight(k) || k.enter)) {
    const c = spec.choices;
    const at = Math.max(0, c.indexOf(f.values[spec.key]));
    const next = c[(at + (isLeft(k) ? c.length - 1 : 1)) % c.length];
    if (spec.key !== 'preset') {
      const edited = f.edited?.includes(spec.key) ? f.edited : [...(f.edited ?? []), spec.key];
      return { ...state, form: { ...f, values: { ...f.values, [spec.key]: next }, errors: {}, edited } };
    }
    // A preset fills the fields the user has not changed; edited ones are kept (and said so).
    const values = presetValues(next as FormPreset, f.values);
    const kept = (f.edited ?? []).filter((key) => key !== 'preset' && values[key] !== f.values[key]);
    for (const key of kept) values[key] = f.values[key];
    const message = kept.length ? { level: 'info' as const, text: `preset ${next}: kept your ${kept.map((key) => specs.find((x) => x.key === key)?.label ?? key).join(', ')}` } : state.message;
    return { ...state, form: { ...f, values, errors: {} }, message };
  }
  if (spec && k.enter) return { ...state, form: { ...f, editing: true, draft: f.values[spec.key] } };
  if (!spec && k.enter) {
    if (state.request || state.busy) return state;
    const check = validateForm(f.values, state.models);
    if (!check.flags) {
      const first = FIELD_KEYS.findIndex((key) => check.errors[key]);
      return { ...state, form: { ...f, errors: check.errors, index: first >= 0 ? first : f.index }, message: { level: 'error', text: 'the form has errors (marked ✗)' } };
    }
    return { ...state, form: { ...f, errors: {} }, request: { kind: 'launch', flags: check.flags, mode: check.mode ?? 'search' }, message: undefined };
  }
  return state;
}

function startKey(state: AppState, k: KeyPress): AppState {
  if (k.tab || k.shiftTab) return { ...state, startFocus: state.startFocus === 'list' ? 'form' : 'list' };
  if (state.startFocus === 'form') return formKey(state, k);
  const list = visibleSearches(state);
  if (k.input === 'n') return { ...state, startFocus: 'form' };
  if (isUp(k)) return { ...state, listIndex: clamp(state.listIndex - 1, list.length) };
  if (isDown(k)) return { ...state, listIndex: clamp(state.listIndex + 1, list.length) };
  if (k.enter && list[state.listIndex]) return attach(state, list[state.listIndex].searchId, list[state.listIndex].dir, list[state.listIndex].mode === 'study');
  if (k.escape && state.filter) return { ...state, filter: '', listIndex: 0 };
  return state;
}

function liveKey(state: AppState, k: KeyPress): AppState {
  if (state.confirmStop) {
    const s = { ...state, confirmStop: false, message: undefined };
    if (k.input === 'y') return { ...s, request: { kind: 'control', command: 'stop' } };
    if (k.input === 'p') return { ...s, request: { kind: 'control', command: 'pause' } };
    return s;
  }
  const rows = visibleRows(state);
  const status = state.search.status;
  const active = status === 'running' || status === 'paused';
  if (k.tab || k.shiftTab) {
    const i = LIVE_PANES.indexOf(state.pane);
    return { ...state, pane: LIVE_PANES[(i + (k.tab ? 1 : LIVE_PANES.length - 1)) % LIVE_PANES.length] };
  }
  if (isUp(k)) return { ...state, rowIndex: clamp(state.rowIndex - 1, rows.length) };
  if (isDown(k)) return { ...state, rowIndex: clamp(state.rowIndex + 1, rows.length) };
  const gens = state.search.generations.length;
  const cur = state.genIndex ?? gens - 1;
  if (isLeft(k) && gens > 0) return { ...state, genIndex: Math.max(0, cur - 1), rowIndex: 0 };
  if (isRight(k) && gens > 0) return { ...state, genIndex: cur + 1 >= gens - 1 ? null : cur + 1, rowIndex: 0 };
  if (k.enter || k.input === 'r') return { ...state, screen: 'results', resultIndex: 0 };
  if (k.escape) return state.filter ? { ...state, filter: '' } : { ...state, screen: 'start', startFocus: 'list' };
  if (!state.attached || state.request) return state;
  if (k.input === 's' && active) return { ...state, confirmStop: true, message: { level: 'info', text: 'stop now? the genome in training is lost (the search stays resumable): y stop · p pause instead (after the running genomes) · esc keep going' } };
  if (k.input === 'p' && active) return { ...state, request: { kind: 'control', command: status === 'paused' ? 'continue' : 'pause' } };
  return state;
}

function resultsKey(state: AppState, k: KeyPress): AppState {
  const n = state.search.baselines.length + 1;
  if (isUp(k)) return { ...state, resultIndex: clamp(state.resultIndex - 1, n) };
  if (isDown(k)) return { ...state, resultIndex: clamp(state.resultIndex + 1, n) };
  if (k.escape || k.tab || k.shiftTab) return { ...state, screen: 'live' };
  return state;
}

function detailsKey(state: AppState, k: KeyPress): AppState {
  const offset = state.details?.offset ?? 0;
  if (isUp(k) || k.pageUp) return { ...state, details: { offset: Math.max(0, offset - (k.pageUp ? 10 : 1)) } };
  if (isDown(k) || k.pageDown) return { ...state, details: { offset: Math.min(Math.max(0, detailsLines(state).length - 1), offset + (k.pageDown ? 10 : 1)) } };
  if (k.escape || k.input === 'e' || k.input === 'q' || k.enter) return { ...state, details: undefined };
  return state;
}

function onKey(state: AppState, k: KeyPress): AppState {
  // Esc cancels a launch in progress (the hook aborts its `slt cache demo` child).
  if (k.escape && state.request?.kind === 'launch') return { ...state, request: undefined, busy: undefined, message: { level: 'info', text: 'launch cancelled' } };
  if (state.details) return detailsKey(state, k);
  if (state.help) return k.escape || k.input === '?' || k.input === 'q' || k.enter ? { ...state, help: false } : state;
  if (state.filtering) {
    if (k.escape) return { ...state, filtering: false, filter: '' };
    if (k.enter) return { ...state, filtering: false };
    if (k.backspace) return { ...state, filter: state.filter.slice(0, -1) };
    if (printable(k)) return { ...state, filter: state.filter + k.input, listIndex: 0, rowIndex: 0 };
    return state;
  }
  if (state.form.editing && state.screen === 'start' && state.startFocus === 'form') return formKey(state, k);
  if (k.input === '?') return { ...state, help: true };
  // e: the errors and why the search stopped, whole (the footer and status line cut long ones).
  if (k.input === 'e' && detailsLines(state).length) return { ...state, details: { offset: 0 } };
  if (k.input === 'q' || k.ctrlChar === 'c' || (k.ctrl && k.input === 'c')) return { ...state, quitting: true };
  if (k.input === '/' && state.screen !== 'results') return { ...state, filtering: true, filter: '' };
  const s = state.message && !k.enter ? { ...state, message: undefined } : state;
  if (state.screen === 'start') return startKey(s, k);
  if (state.screen === 'live') return liveKey(s, k);
  return resultsKey(s, k);
}

/** The reducer of the whole app. */
export function appReducer(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'key':
      return onKey(state, action.key);
    case 'searches':
      return { ...state, searches: action.searches, listIndex: clamp(state.listIndex, visibleSearches({ ...state, searches: action.searches }).length) };
    case 'attach':
      return { ...attach(state, action.id, action.dir, action.study), request: undefined, busy: undefined };
    case 'study':
      return { ...state, study: action.state };
    case 'alive': {
      // The same answer keeps the same object: hooks keyed on `attached` must not restart on a poll.
      const a = state.attached;
      if (!a || (a.alive === action.alive && a.stderr === action.stderr)) return state;
      return { ...state, attached: { ...a, alive: action.alive, ...(action.stderr !== undefined ? { stderr: action.stderr } : {}) } };
    }
    case 'models':
      return { ...state, models: action.models };
    case 'tracking':
      return state.tracking?.time === action.status?.time && state.tracking?.phase === action.status?.phase ? state : { ...state, tracking: action.status };
    case 'journal.reset':
      return { ...state, search: initialSearchState(), seedNoise: undefined };
    case 'seedNoise':
      return { ...state, seedNoise: { dir: action.dir, noise: action.noise } };
    case 'events': {
      let search = state.search;
      for (const e of action.events) search = reduceSearch(search, e);
      return { ...state, search };
    }
    case 'busy':
      return { ...state, busy: action.text };
    case 'request.done':
      return { ...state, request: undefined, busy: undefined, message: action.message ? { level: 'info', text: action.message } : state.message };
    case 'request.failed':
      return { ...state, request: undefined, busy: undefined, message: { level: 'error', text: action.error } };
  }
}
