/** A key press, independent of Ink (so the reducer and its tests need no terminal). */
export interface KeyPress {
  /** The printable character(s) typed, '' for special keys. */
  input: string;
  up?: boolean;
  down?: boolean;
  left?: boolean;
  right?: boolean;
  enter?: boolean;
  tab?: boolean;
  shiftTab?: boolean;
  escape?: boolean;
  backspace?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  ctrl?: boolean;
  /** The letter held with Ctrl (`u` for Ctrl-U); `input` is '' then. */
  ctrlChar?: string;
}

/** Ink's `Key` fields this app reads. */
export interface InkKeyLike {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  return: boolean;
  tab: boolean;
  shift: boolean;
  escape: boolean;
  backspace: boolean;
  delete: boolean;
  pageUp: boolean;
  pageDown: boolean;
  ctrl: boolean;
}

/** Turns Ink's `(input, key)` into a {@link KeyPress}. */
export function toKeyPress(input: string, key: InkKeyLike): KeyPress {
  return {
    input: key.ctrl || key.escape || key.return || key.tab ? '' : input,
    up: key.upArrow, down: key.downArrow, left: key.leftArrow, right: key.rightArrow,
    enter: key.return, tab: key.tab && !key.shift, shiftTab: key.tab && key.shift, escape: key.escape,
    backspace: key.backspace || key.delete, pageUp: key.pageUp, pageDown: key.pageDown, ctrl: key.ctrl,
    ...(key.ctrl && input ? { ctrlChar: input.toLowerCase() } : {}),
  };
}

/**
 * The key presses of one terminal read: a burst of plain characters (keys pressed faster than the
 * screen redraws, or a paste) is one press per character, so every key counts.
 */
export function toKeyPresses(input: string, key: InkKeyLike): KeyPress[] {
  const special = key.ctrl || key.escape || key.return || key.tab || key.backspace || key.delete || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow;
  const chars = [...input];
  if (special || chars.length <= 1) return [toKeyPress(input, key)];
  return chars.map((c) => toKeyPress(c, key));
}

/** Moves up: arrow or `k`. */
export const isUp = (k: KeyPress): boolean => !!k.up || k.input === 'k';
/** Moves down: arrow or `j`. */
export const isDown = (k: KeyPress): boolean => !!k.down || k.input === 'j';
/** Moves left: arrow or `h`. */
export const isLeft = (k: KeyPress): boolean => !!k.left || k.input === 'h';
/** Moves right: arrow or `l`. */
export const isRight = (k: KeyPress): boolean => !!k.right || k.input === 'l';

/** Every key, for the help overlay: [keys, what they do, where]. */
export const KEY_HELP: [string, string, string][] = [
  ['↑ ↓  k j', 'move the selection', 'everywhere'],
  ['← →  h l', 'change a choice / generation shown', 'form, live'],
  ['enter', 'open search / edit field / launch / results', 'start, live'],
  ['tab  shift-tab', 'switch list ↔ form / pane / screen', 'everywhere'],
  ['esc', 'cancel edit, filter or a launch; close help; go back', 'everywhere'],
  ['ctrl-u', 'clear the field being edited', 'form'],
  ['/', 'filter the list, rows and log lines', 'start, live'],
  ['n', 'new search (focus the form)', 'start'],
  ['p', 'pause / continue the search', 'live'],
  ['s', 'stop the search (asks first; y stops, p pauses)', 'live'],
  ['r', 'results: comparison, Pareto view, best mask', 'live'],
  ['?', 'this help', 'everywhere'],
  ['q', 'quit (the search keeps running)', 'everywhere'],
];
