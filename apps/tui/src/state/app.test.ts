import { describe, expect, test } from 'vitest';
import { initialSearchState } from '@slt/runner';
import { statusLine } from '../view/progress.js';
import { appReducer, initialAppState, type AppState } from './app.js';
import { DEMO_DATA, FIELD_KEYS, validateForm } from './form.js';
import { toKeyPresses, type KeyPress } from './keys.js';

const key = (k: Partial<KeyPress> | string): KeyPress => (typeof k === 'string' ? { input: k } : { input: '', ...k });
const keys = (s: AppState, ...ks: (Partial<KeyPress> | string)[]): AppState => ks.reduce((acc, k) => appReducer(acc, { type: 'key', key: key(k) }), s);

describe('app reducer', () => {
  test('? opens and esc / ? / q close the help without quitting', () => {
    const s = initialAppState();
    expect(keys(s, '?').help).toBe(true);
    for (const close of [{ escape: true }, '?', 'q']) {
      const after = keys(s, '?', close);
      expect(after.help).toBe(false);
      expect(after.quitting).toBe(false);
    }
    expect(keys(s, 'q').quitting).toBe(true);
    expect(keys(s, { input: 'c', ctrl: true }).quitting).toBe(true);
  });

  test('hjkl move like the arrows in the form', () => {
    const s = keys(initialAppState(), { tab: true });
    expect(s.startFocus).toBe('form');
    expect(keys(s, 'j', 'j').form.index).toBe(keys(s, { down: true }, { down: true }).form.index);
    expect(keys(s, 'j', 'j').form.index).toBe(2);
    expect(keys(s, 'k').form.index).toBe(FIELD_KEYS.length); // wraps to Launch
    // preset choice: l/right cycle forward, h/left back
    expect(keys(s, 'l').form.values.preset).toBe(keys(s, { right: true }).form.values.preset);
    expect(keys(s, 'l', 'h').form.values.preset).toBe('quick demo');
  });

  test('editing a field: typed text, backspace, enter commits, esc cancels; q is text while editing', () => {
    let s = keys(initialAppState(), 'n', 'j', 'j', 'j', 'j', { enter: true }); // population
    expect(s.form.editing).toBe(true);
    s = keys(s, { backspace: true }, '1', '2', 'q');
    expect(s.form.draft).toBe('12q');
    expect(s.quitting).toBe(false);
    expect(keys(s, { escape: true }).form.values.population).toBe('8');
    s = keys(s, { backspace: true }, { enter: true });
    expect(s.form.values.population).toBe('12');
  });

  test('launch validates through the runner schema and names the bad fields', () => {
    let s = initialAppState({ values: { population: '6', epochs: 'x', data: '/nonexistent/slt-data' } });
    s = keys(s, 'n', { up: true }, { enter: true });
    expect(s.request).toBeUndefined();
    expect(s.form.errors.population).toMatch(/multiple of 4/);
    expect(s.form.errors.epochs).toMatch(/not an integer/);
    expect(s.form.errors.data).toMatch(/nonexistent\/slt-data: no such folder/);
    expect(s.message?.level).toBe('error');
    // The quick demo is valid as it is and asks for a launch.
    const ok = keys(initialAppState(), 'n', { up: true }, { enter: true });
    expect(ok.request).toEqual({ kind: 'launch', mode: 'search', flags: expect.objectContaining({ data: DEMO_DATA, population: '8', generations: '3', epochs: '1', input: '64x64', lr: '0.001', preset: 'paper' }) });
    // A second enter while the launch is pending asks for nothing more.
    expect(keys(ok, { enter: true }).request).toBe(ok.request);
  });

  test('presets: paper sets the paper budget and clears the demo data; quick demo restores it', () => {
    const paper = keys(initialAppState(), 'n', { right: true });
    expect(paper.form.values).toMatchObject({ preset: 'paper', input: '224x224', population: '20', generations: '10', epochs: '10', data: '' });
    const back = keys(paper, { left: true });
    expect(back.form.values).toMatchObject({ preset: 'quick demo', data: DEMO_DATA, input: '64x64', lr: '1e-3' });
  });

  test('/ filters (typed keys are text, q included); enter keeps, esc clears', () => {
    const s = keys(initialAppState(), '/', 'q', 'x');
    expect(s.filtering).toBe(true);
    expect(s.filter).toBe('qx');
    expect(s.quitting).toBe(false);
    expect(keys(s, { enter: true })).toMatchObject({ filtering: false, filter: 'qx' });
    expect(keys(s, { escape: true })).toMatchObject({ filtering: false, filter: '' });
  });

  test('live keys: tab cycles panes, s and p are only sent to an active search', () => {
    const s = initialAppState({ attach: { id: 'x', dir: '/tmp/x' } });
    expect(s.screen).toBe('live');
    expect(keys(s, { tab: true }).pane).toBe('masks');
    expect(keys(s, { tab: true }, { tab: true }, { tab: true }, { tab: true }).pane).toBe('table');
    expect(keys(s, { shiftTab: true }).pane).toBe('log');
    expect(keys(s, 's').request).toBeUndefined(); // status empty: nothing to stop
    const running = { ...s, search: { ...s.search, status: 'running' as const } };
    // s asks first (the genome in training would be lost) and offers pause.
    expect(keys(running, 's').request).toBeUndefined();
    expect(keys(running, 's').message?.text).toMatch(/^stop now\? .* p pause instead/);
    expect(keys(running, 's', 'y').request).toEqual({ kind: 'control', command: 'stop' });
    expect(keys(running, 's', 'p').request).toEqual({ kind: 'control', command: 'pause' });
    expect(keys(running, 's', { escape: true }).request).toBeUndefined();
    expect(keys(running, 'p').request).toEqual({ kind: 'control', command: 'pause' });
    const paused = { ...s, search: { ...s.search, status: 'paused' as const } };
    expect(keys(paused, 'p').request).toEqual({ kind: 'control', command: 'continue' });
    expect(keys(s, 'r').screen).toBe('results');
    expect(keys(s, 'r', { escape: true }).screen).toBe('live');
    expect(keys(s, { escape: true }).screen).toBe('start');
  });

  test('request results: done clears it, failed shows the error', () => {
    const s = { ...initialAppState(), request: { kind: 'control' as const, command: 'stop' as const } };
    expect(appReducer(s, { type: 'request.done', message: 'ok' })).toMatchObject({ request: undefined, message: { level: 'info', text: 'ok' } });
    expect(appReducer(s, { type: 'request.failed', error: 'boom' })).toMatchObject({ request: undefined, message: { level: 'error', text: 'boom' } });
    const a = appReducer(s, { type: 'attach', id: 'i', dir: '/d' });
    expect(a).toMatchObject({ screen: 'live', attached: { id: 'i', dir: '/d' }, request: undefined });
  });

  test('a live search whose process is gone shows as killed, resumable', () => {
    let s = appReducer(initialAppState(), { type: 'attach', id: 's1', dir: '/tmp/s1' });
    s = { ...s, search: { ...initialSearchState(), status: 'running' } };
    expect(statusLine(s.search, 's1', 120, s.attached?.alive)).toContain('s1 · live ·');
    s = appReducer(s, { type: 'alive', alive: false });
    expect(s.attached).toEqual({ id: 's1', dir: '/tmp/s1', alive: false });
    // The same rule and words as `slt ls` / `slt attach`.
    expect(statusLine(s.search, 's1', 120, s.attached?.alive)).toContain('killed (no process runs it; continue it with: slt resume s1)');
    // The same answer again keeps the same object (hooks keyed on it must not restart).
    expect(appReducer(s, { type: 'alive', alive: false })).toBe(s);
    s = appReducer(s, { type: 'alive', alive: true });
    expect(statusLine(s.search, 's1', 120, s.attached?.alive)).not.toContain('killed');
  });

  test('a preset change keeps the fields the user edited (and says so); others follow the preset', () => {
    let s = keys(initialAppState(), 'n', 'j', 'j', 'j', 'j', { enter: true }, { backspace: true }, '1', '2', { enter: true }); // population 12
    expect(s.form.values.population).toBe('12');
    s = keys(s, 'k', 'k', 'k', 'k', 'l'); // preset -> paper
    expect(s.form.values.preset).toBe('paper');
    expect(s.form.values.population).toBe('12');
    expect(s.form.values.generations).toBe('10');
    expect(s.message?.text).toBe('preset paper: kept your Population');
  });

  test('ctrl-u clears the field being typed; errors show as you type', () => {
    let s = keys(initialAppState(), 'n', 'j', 'j', 'j', 'j', { enter: true });
    s = keys(s, 'x');
    expect(s.form.errors.population).toMatch(/not an integer/);
    s = keys(s, { input: '', ctrl: true, ctrlChar: 'u' });
    expect(s.form.draft).toBe('');
    s = keys(s, '8');
    expect(s.form.errors.population).toBeUndefined();
  });

  test('a burst of keys in one read counts every key', () => {
    const presses = toKeyPresses('jjj', { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, return: false, tab: false, shift: false, escape: false, backspace: false, delete: false, pageUp: false, pageDown: false, ctrl: false });
    expect(presses).toHaveLength(3);
    const s = presses.reduce((acc, k) => appReducer(acc, { type: 'key', key: k }), keys(initialAppState(), 'n'));
    expect(s.form.index).toBe(3);
  });

  test('mode, weights, lr and experiment reach the launch', () => {
    const s = initialAppState({ values: { mode: 'compare', lr: '0.001', experiment: 'paper-exp' } });
    const launched = keys(s, 'n', { up: true }, { enter: true });
    expect(launched.request).toEqual({ kind: 'launch', mode: 'compare', flags: expect.objectContaining({ lr: '0.001', experiment: 'paper-exp' }) });
    expect(validateForm({ ...s.form.values, lr: 'fast' }).errors.lr).toMatch(/not a number/);
  });
});
