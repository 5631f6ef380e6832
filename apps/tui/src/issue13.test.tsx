/**
 * Issue 13's TUI points, each drawn by the real App from real files (ink-testing-library):
 * start without tfjs, a launch that stops before its journal, errors never cut where they say
 * what to do, the form's gene/adapter/prune fields and budget estimate, axis labels at 80x24.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, inject, test } from 'vitest';
import { App } from './App.js';
import { launchFromForm } from './effects/launch.js';
import { appReducer, initialAppState, type AppState } from './state/app.js';
import { presetValues, validateForm } from './state/form.js';
import { expectFits, plain, until } from './testing/frames.js';
import { SHARED_DATA } from './testing/global-setup.js';
import { budgetEstimate, DEFAULT_SPEED } from './view/estimate.js';
import { formBudget } from './hooks/useEstimate.js';

const searchDir = inject('searchDir');
const fixtureRoot = path.dirname(searchDir);
const BIN = fileURLToPath(new URL('../bin/tui.js', import.meta.url));
const SMALL = { columns: 80, rows: 24 };
const BIG = { columns: 120, rows: 40 };
const press = async (r: ReturnType<typeof render>, ...keys: string[]) => {
  for (const k of keys) {
    r.stdin.write(k);
    await new Promise((res) => setTimeout(res, 30));
  }
};

afterEach(() => cleanup());

describe('start without tfjs', () => {
  // A preload that reports, at exit, how many tfjs modules the process loaded (CommonJS ones, as
  // tfjs is, are in Module._cache whether imported or required).
  const probe = path.join(mkdtempSync(path.join(os.tmpdir(), 'slt-tui-probe-')), 'probe.cjs');
  test.each([[['--help']], [['--plain', '--root', '/nonexistent-slt-root']]])('slt-tui %j loads no tfjs module', async (args) => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(probe, "process.on('exit', () => { const m = Object.keys(require('module')._cache).filter((k) => k.includes('@tensorflow')); require('fs').writeSync(2, `TFJS_MODULES=${m.length}\\n`); });\n");
    const res = await execa(process.execPath, ['--require', probe, BIN, ...args], { reject: false, env: { SLT_INDEX_FILE: 'off' } });
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toContain('TFJS_MODULES=0');
    if (args[0] === '--help') expect(res.stdout).toMatch(/--genes layers\|weighted\|blocks/);
  }, 120_000);
});

describe('a launch that stops before its journal exists', () => {
  test('the live screen says it stopped and shows what it printed; e shows it whole', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-stopped-'));
    // Bad weights are bad input: `slt search` exits 2 before it writes anything.
    const flags = validateForm({ ...presetValues('quick demo'), data: path.join(SHARED_DATA, 'fashion-mnist-900'), weights: path.join(root, 'no-such-weights.h5') }).flags!;
    const launched = launchFromForm(flags, root, 'search');
    const initial = initialAppState({ models: ['mobilenet_v1_0.25'], attach: { id: launched.searchId, dir: launched.dir } });
    const r = render(<App root={root} size={SMALL} color={false} initial={initial} />);
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), SMALL);
      expect(t).toContain('stopped before it started');
      expect(t).toContain('no-such-weights.h5');
      return t;
    }, 1200);
    expect(text).not.toContain('waiting for the journal');
    expect(text).toContain('e details');
    await press(r, 'e');
    const details = await until(() => {
      const t = expectFits(r.lastFrame(), SMALL);
      expect(t).toContain('The launch stopped before its search started');
      return t;
    });
    // The CLI's message, from its first word.
    expect(details).toMatch(/slt: /);
    await press(r, '\u001B');
    await until(() => expect(plain(r.lastFrame())).toContain('stopped before it started'));
  }, 120_000);

  test('a study launched as one says so too (not "starting (waiting for its journal)" forever)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-stopped-study-'));
    const values = { ...presetValues('quick demo'), mode: 'compare', models: 'mobilenet_v1_0.25,mobilenet_v1_0.5', data: path.join(SHARED_DATA, 'fashion-mnist-900'), weights: path.join(root, 'none.h5') };
    const check = validateForm(values);
    const launched = launchFromForm(check.flags!, root, 'compare');
    let state: AppState = initialAppState({ models: ['mobilenet_v1_0.25'] });
    state = appReducer(state, { type: 'attach', id: launched.searchId, dir: launched.dir, study: true });
    const r = render(<App root={root} size={BIG} color={false} initial={state} />);
    await until(() => {
      const t = expectFits(r.lastFrame(), BIG);
      expect(t).toContain(`study ${launched.searchId} · stopped before it started`);
      expect(t).toMatch(/It printed .*search\.err/);
      return t;
    }, 1200);
  }, 120_000);
});

describe('errors in the footer', () => {
  // The real message of `slt cache demo` offline (the hint of what to do is at its end).
  const OFFLINE = "cannot fetch the quick demo's weights https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json (cannot download https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json and no cached copy in /root/.cache/slt/models/mobilenet_v1_0.25: fetch failed. Offline, fill the cache from a folder holding the weights (slt cache add DIR) or pass --weights DIR) and the cache /root/.cache/slt has no copy. Offline? Fill the cache from a folder holding them: slt cache add DIR (e.g. slt cache add ../shared/data)";

  test('keep the actionable end of a long message at 80x24, and e shows it whole', async () => {
    const state = appReducer(initialAppState({ models: ['mobilenet_v1_0.25'] }), { type: 'request.failed', error: OFFLINE });
    const r = render(<App root={fixtureRoot} size={SMALL} color={false} initial={state} />);
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), SMALL);
      expect(t).toContain('fixture-search');
      return t;
    });
    const footer = text.split('\n').slice(-6).join(' ');
    expect(footer).toContain('✗ cannot fetch');
    expect(footer).toMatch(/Offline\? Fill the cache from a folder holding them: slt cache add DIR \(e\.g\. slt cache add \.\.\/shared\/data\)/);
    expect(footer).toContain('e shows the whole message');
    await press(r, 'e');
    const details = await until(() => {
      const t = expectFits(r.lastFrame(), SMALL);
      expect(t).toContain('Last error:');
      return t;
    });
    // Every word of the message, in order (wrapped over lines).
    expect(details.replace(/\s+/g, ' ')).toContain(OFFLINE.replace(/\s+/g, ' ').slice(0, 60));
    expect(details.replace(/\s+/g, ' ')).toContain('(e.g. slt cache add ../shared/data)');
  });

  test("a failed search's reason reads whole in the details view", async () => {
    const reason = `${'a long failure reason that goes on '.repeat(6)}then says what to do: slt resume X`;
    let state = initialAppState({ models: ['mobilenet_v1_0.25'], attach: { id: 'x', dir: searchDir } });
    state = { ...state, search: { ...state.search, status: 'failed', reason } };
    expect(appReducer(state, { type: 'key', key: { input: 'e' } }).details).toEqual({ offset: 0 });
    const { detailsLines } = await import('./state/selectors.js');
    expect(detailsLines(state).join(' ')).toContain(reason);
  });
});

describe('the form', () => {
  test('has Genes, Adapter and Prune fields (the runner\'s choices) and passes them as flags', async () => {
    const base = { ...presetValues('quick demo'), data: path.join(SHARED_DATA, 'fashion-mnist-900') };
    expect(validateForm(base).flags).not.toHaveProperty('genes');
    const check = validateForm({ ...base, genes: 'blocks', adapter: 'conv1x1-frozen', prune: 'median' });
    expect(check.flags).toMatchObject({ genes: 'blocks', adapter: 'conv1x1-frozen', prune: 'median' });
    expect(validateForm({ ...base, genes: 'some' }).errors.genes).toMatch(/layers|weighted|blocks/);
    const r = render(<App root={fixtureRoot} size={BIG} color={false} initial={initialAppState({ models: ['mobilenet_v1_0.25'] })} />);
    await press(r, '\t');
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), BIG);
      expect(t).toContain('Genes');
      return t;
    });
    expect(text).toMatch(/Genes\s+‹ layers ›/);
    expect(text).toMatch(/Adapter\s+‹ conv1x1 ›/);
    expect(text).toMatch(/Prune\s+‹ none ›/);
  });

  test("estimates the budget's time from the last search's measured speed, and says so", async () => {
    const r = render(<App root={fixtureRoot} size={BIG} color={false} initial={initialAppState({ models: ['mobilenet_v1_0.25'] })} />);
    const text = await until(() => {
      const t = plain(r.lastFrame()).replace(/\s*\n\s*/g, ' ');
      expect(t).toContain("your last search's");
      return t;
    }, 400);
    // The fixture ran at 32x32 on the demo's data set (620 training images); the demo runs at 64x64.
    expect(text).toMatch(/Estimate: about \S+: 24 evaluations x 1 epoch x 620 images at \d+ img\/s \(your last search's \d+ img\/s at 32x32, scaled to 64x64\)/);
  });

  test('the estimate is evaluations x epochs x images / speed, scaled by pixels, else says what is unknown', () => {
    const b = formBudget({ ...presetValues('quick demo'), mode: 'compare' })!;
    expect(b).toMatchObject({ population: 8, generations: 3, epochs: 1, input: [64, 64], mode: 'compare' });
    // 8 x 3 GA + 6 baselines = 30 evaluations x 600 images at 100 img/s measured at 64x64 = 180 s.
    expect(budgetEstimate(b, { imagesPerSecond: 100, input: [64, 64], source: "your last search's" }, 600)).toBe("about 3m00s: 30 evaluations x 1 epoch x 600 images at 100 img/s (your last search's 100 img/s)");
    // The default: 40 img/s at 32x32 is 10 img/s at 64x64.
    expect(budgetEstimate(b, DEFAULT_SPEED, 600)).toBe('about 30m00s: 30 evaluations x 1 epoch x 600 images at 10 img/s (a conservative default of 40 img/s at 32x32, scaled to 64x64)');
    expect(budgetEstimate(b, DEFAULT_SPEED, undefined)).toMatch(/^time unknown until the data set is read/);
  });
});

test('results at 80x24: both axes of the Pareto plot keep their labels', async () => {
  const r = render(<App root={fixtureRoot} size={SMALL} color={false} initial={initialAppState({ models: ['mobilenet_v1_0.25'], attach: { id: 'fixture-search', dir: searchDir } })} />);
  await until(() => expect(plain(r.lastFrame())).toContain('· finished ·'));
  await press(r, 'r');
  const text = await until(() => {
    const t = expectFits(r.lastFrame(), SMALL);
    expect(t).toContain('Pareto view');
    return t;
  });
  expect(text).toMatch(/^\s+val │/m);
  expect(text).toMatch(/^\s+acc │/m);
  expect(text).toMatch(/^ 0\.\d{3} │/m);
  expect(text).toMatch(/└─+/);
  expect(text).toMatch(/^\s+\d+\s+trainable params \(log\) →\s+\d+$/m);
});

test("the list shows searches of other folders from the per-user index (as slt ls does)", async () => {
  const { rememberSearch } = await import('@slt/runner');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-index-'));
  const saved = process.env.SLT_INDEX_FILE;
  process.env.SLT_INDEX_FILE = path.join(dir, 'searches.jsonl');
  try {
    rememberSearch({ kind: 'search', id: 'fixture-search', dir: searchDir, mode: 'compare' });
    // An empty root: the fixture is found only through the index.
    const r = render(<App root={path.join(dir, 'empty-root')} size={SMALL} color={false} initial={initialAppState({ models: ['mobilenet_v1_0.25'] })} />);
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), SMALL);
      expect(t).toContain('fixture-search');
      return t;
    });
    expect(text).toContain('Recent searches (1, 0 live, 1 from other folders)');
  } finally {
    if (saved === undefined) delete process.env.SLT_INDEX_FILE;
    else process.env.SLT_INDEX_FILE = saved;
  }
});
