/**
 * Regressions of issue 13, each drawn through Ink: a second launch in one TUI session, the evals
 * counter staying equal to the CLI's while the liveness poll runs, and the model chosen in the form
 * kept with the demo data set.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { App } from './App.js';
import { resolveData } from './effects/launch.js';
import { initialAppState } from './state/app.js';
import { DEMO_DATA } from './state/form.js';
import { SHARED_DATA } from './testing/global-setup.js';
import { SIZES, plain, until } from './testing/frames.js';

const searchDir = inject('searchDir');
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SLT = path.join(REPO, 'apps/cli/bin/slt.js');
const KEYS = { tab: '\t', up: '\u001B[A', enter: '\r', esc: '\u001B' };
const press = async (r: ReturnType<typeof render>, ...keys: string[]) => {
  for (const k of keys) {
    r.stdin.write(k);
    await new Promise((res) => setTimeout(res, 30));
  }
};
const killGroup = (pid: number) => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
};

afterEach(() => cleanup());

// The demo assets in a cache of the test's own, filled offline from ../shared/data.
let cache: string;
beforeAll(async () => {
  cache = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-reg-cache-'));
  await execa(process.execPath, [SLT, 'cache', 'add', SHARED_DATA], { env: { SLT_CACHE_DIR: cache } });
}, 120_000);
const withCache = async <T,>(fn: () => Promise<T>): Promise<T> => {
  const saved = { ...process.env };
  process.env.SLT_CACHE_DIR = cache;
  process.env.SLT_DEMO_WEIGHTS_URL = 'http://127.0.0.1:9/offline/model.json';
  process.env.SLT_DEMO_DATA_URL = 'http://127.0.0.1:9/offline/';
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
};

describe('issue 13 regressions', () => {
  test('the evals counter equals the CLI count while the liveness poll runs (no journal replay)', async () => {
    const r = render(<App root={path.dirname(searchDir)} size={SIZES[1]} color={false} initial={initialAppState({ attach: { id: 'fixture-search', dir: searchDir } })} />);
    await until(() => expect(plain(r.lastFrame())).toContain('· finished ·'));
    expect(plain(r.lastFrame())).toMatch(/14\/14 evals/);
    // Three liveness polls (every 2 s); each used to re-follow the journal into the same state.
    await new Promise((res) => setTimeout(res, 6500));
    const text = plain(r.lastFrame());
    expect(text).toMatch(/14\/14 evals/);
    expect(text).toMatch(/4\/4 genomes/);
  }, 20_000);

  test('a killed search (journal says running, no process) shows killed and no stale batch progress', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'slt-tui-killed-')), 'killed');
    mkdirSync(dir);
    const lines = readFileSync(path.join(searchDir, 'journal.jsonl'), 'utf8').split('\n');
    const cut = lines.findIndex((l) => l.includes('"type":"eval.started"') && l.includes('"key":"g1/0"'));
    writeFileSync(path.join(dir, 'journal.jsonl'), `${lines.slice(0, cut + 1).join('\n')}\n`);
    // What a kill -9 leaves: the last batch progress, no live lock holder.
    writeFileSync(path.join(dir, 'progress.json'), JSON.stringify({ type: 'eval.progress', key: 'g1/0', epoch: 0, batch: 5, batches: 20, imagesPerSecond: 123.4, time: new Date().toISOString() }));
    const r = render(<App root={path.dirname(dir)} size={SIZES[1]} color={false} initial={initialAppState({ attach: { id: 'killed', dir } })} />);
    const text = await until(() => {
      const t = plain(r.lastFrame());
      expect(t).toContain('killed (no process runs it; continue it with: slt resume killed)');
      return t;
    });
    expect(text).toContain('none: no process runs this search');
    expect(text).not.toContain('b 5/20');
  });

  test('a second launch in one session starts (after watching a search), and esc cancels a pending one', async () => {
    await withCache(async () => {
      const root = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-reg-root-'));
      const r = render(<App root={root} size={SIZES[1]} color={false} initial={initialAppState({ attach: { id: 'fixture-search', dir: searchDir } })} />);
      await until(() => expect(plain(r.lastFrame())).toContain('· finished ·'));
      // Back to the start screen, the form, up to Launch; esc while it is pending cancels it.
      await press(r, KEYS.esc, KEYS.tab, KEYS.up, KEYS.enter);
      await until(() => expect(plain(r.lastFrame())).toContain('getting the quick demo assets'));
      await press(r, KEYS.esc);
      await until(() => expect(plain(r.lastFrame())).toContain('launch cancelled'));
      // Launch again: it starts a search and attaches to it.
      await press(r, KEYS.enter);
      const text = await until(() => {
        const t = plain(r.lastFrame());
        expect(t).toMatch(/\[Live\].*\d{8}-\d{6}-[0-9a-f]{4}/);
        return t;
      }, 600);
      const id = /\[Live\].*?(\d{8}-\d{6}-[0-9a-f]{4})/.exec(text)![1];
      const detached = JSON.parse(readFileSync(path.join(root, id, 'detached.json'), 'utf8')) as { pid: number };
      killGroup(detached.pid);
    });
  }, 90_000);

  test('a model chosen in the form is kept with the demo data set (never swapped for the demo model)', async () => {
    await withCache(async () => {
      const flags = await resolveData({ model: 'vgg16', data: DEMO_DATA, input: '32x32' });
      expect(flags.model).toBe('vgg16');
      expect(flags.data).toBe(path.join(cache, 'data', 'fashion-mnist-900'));
      // The demo's weights belong to the demo's model only.
      expect(flags.weights).toBeUndefined();
      const demo = await resolveData({ model: 'mobilenet_v1_0.25', data: DEMO_DATA, input: '32x32' });
      expect(demo.model).toBe('mobilenet_v1_0.25');
      expect(demo.weights).toMatch(/mobilenet_v1_0\.25/);
    });
  }, 60_000);
});
