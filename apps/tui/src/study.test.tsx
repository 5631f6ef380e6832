/**
 * Issue 10 (TUI part): the form's Models and Audio preset fields, a study's live screen (following
 * the running model's search, "model i/N: label"), its results screen (the study table), the list
 * and the plain log. The study folder is made from the fixture search (a real compare search and
 * its real comparison) with a study journal read back by the runner's zod-checked study reducer.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, expect, inject, test } from 'vitest';
import { STUDY_CONFIG_FILE, STUDY_JOURNAL, buildStudyTable, modelNames, readStudyState, type Comparison } from '@slt/runner';
import { App } from './App.js';
import { studyRow } from './hooks/useSearchList.js';
import { runPlain } from './plain.js';
import { initialAppState } from './state/app.js';
import { presetValues, validateForm } from './state/form.js';
import { SIZES, expectFits, plain, until } from './testing/frames.js';
import { SHARED_DATA } from './testing/global-setup.js';

const searchDir = inject('searchDir');
afterEach(() => cleanup());

const LABELS = ['mobilenet_v1_0.25@32x32', 'mobilenet_v1_0.25@40x40'];
/** A study folder under a fresh root: two models (copies of the fixture search), `finished` models done. */
function makeStudy(finished: 0 | 1 | 2): { root: string; dir: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-study-'));
  const dir = path.join(root, 'tui-study');
  const comparison = JSON.parse(readFileSync(path.join(searchDir, 'comparison.json'), 'utf8')) as Comparison;
  const started = JSON.parse(readFileSync(path.join(searchDir, 'journal.jsonl'), 'utf8').split('\n').find((l) => l.includes('"search.started"'))!) as { config: Record<string, unknown> };
  const models = LABELS.map((label, i) => ({ model: 'mobilenet_v1_0.25', input: [32 + 8 * i, 32 + 8 * i] as [number, number], label, slug: label.replace('@', '_') }));
  mkdirSync(path.join(dir, 'models'), { recursive: true });
  for (const m of models) cpSync(searchDir, path.join(dir, 'models', m.slug), { recursive: true });
  writeFileSync(path.join(dir, STUDY_CONFIG_FILE), JSON.stringify({ ...started.config, models }));
  let seq = 0;
  const t = (s: number) => new Date(Date.UTC(2026, 11, 2, 6, 0, s)).toISOString();
  const rec = (type: string, body: Record<string, unknown>) => JSON.stringify({ seq: ++seq, time: t(seq), type, ...body });
  const lines = [rec('journal.created', { journalId: 'j-tui-study', format: 'slt-journal/1' }), rec('study.started', { studyId: 'tui-study', base: { ...started.config, seed: 7, experiment: 'slt' }, models, parentRunKey: 'tui-study', pid: 999999, host: 'test' })];
  const done: { label: string; model: string; input: [number, number]; searchId: string; comparison: Comparison }[] = [];
  for (const [i, m] of models.entries()) {
    if (i > finished) break;
    const searchId = `tui-study-${m.slug}`;
    lines.push(rec('study.model.started', { index: i, label: m.label, searchId, dir: path.join(dir, 'models', m.slug) }));
    if (i < finished) {
      lines.push(rec('study.model.finished', { index: i, label: m.label, searchId, comparison, seconds: 30 }));
      done.push({ label: m.label, model: m.model, input: m.input, searchId, comparison });
    }
  }
  if (finished === 2) lines.push(rec('study.finished', { table: buildStudyTable({ studyId: 'tui-study', models: done }), seconds: 60 }));
  writeFileSync(path.join(dir, STUDY_JOURNAL), `${lines.join('\n')}\n`);
  return { root, dir };
}

test('the form: several models in compare mode give `--model a,b`; elsewhere, or named twice, an error; the audio preset goes through', () => {
  const base = { ...presetValues('quick demo'), mode: 'compare', models: 'mobilenet_v1_0.25, mobilenet_v1_0.5' };
  const ok = validateForm(base);
  expect(ok.errors).toEqual({});
  expect(ok.flags?.model).toBe('mobilenet_v1_0.25,mobilenet_v1_0.5');
  expect(validateForm({ ...base, mode: 'search' }).errors.models).toMatch(/mode compare only/);
  expect(validateForm({ ...base, models: 'mobilenet_v1_0.25,mobilenet_v1_0.25' }).errors.models).toMatch(/named twice/);
  expect(validateForm({ ...base, models: 'mobilenet_v1_0.25,nope_net' }, modelNames()).errors.models).toMatch(/^nope_net: /);
  // Before the zoo's names are loaded (they come with tfjs), the CLI checks the name at launch.
  expect(validateForm({ ...base, models: 'mobilenet_v1_0.25,nope_net' }).errors.models).toBeUndefined();
  const audio = validateForm({ ...presetValues('quick demo'), audioPreset: 'hospital-alarm', input: '' });
  expect(audio.errors).toEqual({});
  expect(audio.flags?.audioPreset).toBe('hospital-alarm');
  expect(audio.flags?.input).toBeUndefined();
  expect(validateForm({ ...presetValues('quick demo'), audioPreset: 'none' }).flags?.audioPreset).toBeUndefined();
});

test('the start form shows the Models and Audio preset fields', async () => {
  const r = render(<App root={os.tmpdir()} size={SIZES[1]} color={false} initial={{ ...initialAppState(), startFocus: 'form' }} />);
  const frame = await until(() => {
    const f = plain(r.lastFrame());
    expect(f).toMatch(/Models/);
    return f;
  });
  expect(frame).toMatch(/Audio preset\s+.*none/);
});

test('a running study: the live screen follows the running model with "model 2/2: label"', async () => {
  const { root, dir } = makeStudy(1);
  for (const size of SIZES) {
    const r = render(<App root={root} size={size} color={false} initial={initialAppState({ attach: { id: 'tui-study', dir } })} />);
    const frame = await until(() => {
      const f = plain(r.lastFrame());
      expect(f).toContain(`model 2/2: ${LABELS[1]}`);
      // The model's own search (the fixture's journal, followed from the model's folder).
      expect(f).toMatch(/14\/14 evals/);
      return f;
    });
    expectFits(frame, size);
    expect(frame).toMatch(/1\/2 models done/);
    r.unmount();
  }
});

test('a finished study: the results screen shows the study table (rows per model, freeze-all ... GA)', async () => {
  const { root, dir } = makeStudy(2);
  expect((await readStudyState(dir)).status).toBe('finished');
  const r = render(<App root={root} size={{ columns: 120, rows: 40 }} color={false} initial={initialAppState({ attach: { id: 'tui-study', dir } })} />);
  await until(() => expect(plain(r.lastFrame())).toContain('2/2 models done'));
  r.stdin.write('r');
  const frame = await until(() => {
    const f = plain(r.lastFrame());
    expect(f).toContain('Study tui-study · finished · 2/2 models');
    return f;
  });
  expect(frame).toMatch(/freeze-all\s+train-all\s+heuristic\s+random\s+GA/);
  for (const label of LABELS) expect(frame).toContain(label);
  for (const row of ['number of trainable layers', 'test accuracy', 'number of parameters', 'macro precision', 'macro recall']) expect(frame).toContain(row);
  expectFits(frame, { columns: 120, rows: 40 });
});

test('the search list shows studies, and the plain log follows a study to its table', async () => {
  const { root, dir } = makeStudy(2);
  const r = render(<App root={root} size={SIZES[1]} color={false} />);
  await until(() => expect(plain(r.lastFrame())).toMatch(/tui-study\s+finished\s+2\/2 /));
  const listed: string[] = [];
  expect(await runPlain({ root, out: new Writable({ write(c, _e, cb) { listed.push(String(c)); cb(); } }) })).toBe(0);
  expect(listed.join('')).toMatch(/tui-study\s+finished\s+2\/2 .*study: mobilenet_v1_0\.25@32x32,mobilenet_v1_0\.25@40x40/);
  expect(studyRow({ kind: 'study', studyId: 's', dir, journalPath: path.join(dir, STUDY_JOURNAL), status: 'running', live: false, models: ['a', 'b'], done: 1, total: 2 }).liveness).toBe('killed');
  const chunks: string[] = [];
  const out = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
  expect(await runPlain({ root, attach: 'tui-study', out })).toBe(0);
  const text = chunks.join('');
  expect(text).toContain(`model 1/2: ${LABELS[0]} started`);
  expect(text).toContain(`model 2/2: ${LABELS[1]} finished`);
  expect(text).toContain('study tui-study finished');
  expect(text).toMatch(/macro recall/);
});

test('launched from the form values with several models, `slt compare --model a,b` runs as a study (here stopping at its preflight: no weights in an empty cache)', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-study-launch-'));
  const saved = process.env.SLT_CACHE_DIR;
  process.env.SLT_CACHE_DIR = path.join(root, 'empty-cache');
  try {
    const chunks: string[] = [];
    const out = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
    const values = { ...presetValues('quick demo'), mode: 'compare', models: 'mobilenet_v1_0.25,mobilenet_v1_0.5', data: path.join(SHARED_DATA, 'fashion-mnist-900'), population: '4', generations: '1' };
    expect(await runPlain({ root, launch: values, out })).toBe(1);
    const text = chunks.join('');
    expect(text).toMatch(/^study \S+ started in the background/);
    expect(text).toContain('slt compare --model mobilenet_v1_0.25,mobilenet_v1_0.5 stopped before the study started');
    // Why, whole: what the launch printed on stderr (its search.err), not "run it in a terminal".
    expect(text).toMatch(/stopped before the study started; it said:\n {2}slt: .*cannot start/);
  } finally {
    if (saved === undefined) delete process.env.SLT_CACHE_DIR;
    else process.env.SLT_CACHE_DIR = saved;
  }
}, 120_000);
