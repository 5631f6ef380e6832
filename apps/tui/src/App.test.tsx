import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, inject, test } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { App } from './App.js';
import { initialAppState, type AppState } from './state/app.js';
import { KEY_HELP } from './state/keys.js';
import { SIZES, expectFits, plain, until } from './testing/frames.js';

const searchDir = inject('searchDir');
const root = path.dirname(searchDir);
const attached = (): AppState => initialAppState({ models: ['mobilenet_v1_0.25'], attach: { id: 'fixture-search', dir: searchDir } });
const KEYS = { tab: '\t', down: '\u001B[B', up: '\u001B[A', right: '\u001B[C', left: '\u001B[D', enter: '\r', esc: '\u001B' };
const press = async (r: ReturnType<typeof render>, ...keys: string[]) => {
  for (const k of keys) {
    r.stdin.write(k);
    await new Promise((res) => setTimeout(res, 30));
  }
};

afterEach(() => cleanup());

describe.each(SIZES)('at $columns x $rows', (size) => {
  test('Start: recent searches (the fixture, not live) and the form', async () => {
    const r = render(<App root={root} size={size} color={false} />);
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), size);
      expect(t).toContain('fixture-search');
      return t;
    });
    expect(text).toMatch(/Recent searches \(1, 0 live\)/);
    expect(text).toMatch(/fixture-search\s+finished\s+14\/14/);
    for (const label of ['Preset', 'quick demo', 'Population', 'Generations', 'Epochs', 'Batch', 'Launch', 'Estimate: about']) expect(text).toContain(label);
    // Tall terminals show every field; 80x24 a window of them that follows the selection.
    if (size.rows >= 40) for (const label of ['Seed', 'Workers', 'Backend', 'MLflow URI', 'Mode', 'Weights', 'Learn rate', 'Experiment', 'Genes', 'Adapter', 'Prune']) expect(text).toContain(label);
    else expect(text).toMatch(/New search {2}\(fields 1-\d+ of 21\)/);
  });

  test('Live: a finished search with its population, progress and MLflow link', async () => {
    const r = render(<App root={root} size={size} color={false} initial={attached()} />);
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), size);
      expect(t).toContain('· finished ·');
      expect(t).toContain('file://');
      return t;
    });
    expect(text).toContain('gen 2/2');
    expect(text).toContain('4/4 genomes');
    expect(text).toMatch(/g1\/0\s+\d+\s+\S+\s+0\.\d{4} done/);
    if (size.rows >= 40) for (const pane of ['Masks (86 layers', 'Fitness per generation', 'Log']) expect(text).toContain(pane);
    // Every pane through tab; all fit.
    for (const pane of ['Masks', 'Fitness per generation', 'Log']) {
      await press(r, KEYS.tab);
      await until(() => expect(expectFits(r.lastFrame(), size)).toContain(pane));
    }
  });

  test('Live: a search mid-training shows the genome in training', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'slt-tui-live-')), 'partial');
    mkdirSync(dir);
    const lines = readFileSync(path.join(searchDir, 'journal.jsonl'), 'utf8').split('\n');
    // Cut the journal just after the second generation's first evaluation started.
    const cut = lines.findIndex((l) => l.includes('"type":"eval.started"') && l.includes('"key":"g1/0"'));
    writeFileSync(path.join(dir, 'journal.jsonl'), `${lines.slice(0, cut + 1).join('\n')}\n`);
    // The live batch progress the search keeps beside its journal.
    writeFileSync(path.join(dir, 'progress.json'), JSON.stringify({ type: 'eval.progress', key: 'g1/0', epoch: 0, batch: 5, batches: 20, imagesPerSecond: 123.4, time: new Date().toISOString() }));
    // A live process (this one) holds its lock: a search without one shows no batch progress.
    writeFileSync(path.join(dir, 'search.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }));
    const r = render(<App root={root} size={size} color={false} initial={initialAppState({ attach: { id: 'partial', dir } })} />);
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), size);
      expect(t).toContain('b 5/20');
      return t;
    });
    expect(text).toMatch(/g1\/0\s+█*░+ ep 1\/1 b 5\/20 · 123 img\/s · ETA \d+s/);
    expect(text).toMatch(/g1\/0 .* training/);
    expect(text).toMatch(/g1\/1 .* queued/);
    expect(text).toContain('0/4 genomes');
    // s: stop goes to the search through its control file.
    await press(r, 's');
    await until(() => expect(plain(r.lastFrame())).toContain('stop now?'));
    await press(r, 'y');
    await until(() => expect(plain(r.lastFrame())).toContain('✓ stop sent to the search'));
    expect(JSON.parse(readFileSync(path.join(dir, 'control.json'), 'utf8'))).toMatchObject({ command: 'stop' });
  });

  test('Results: GA best vs baselines, Pareto view, best mask with layer names', async () => {
    const r = render(<App root={root} size={size} color={false} initial={attached()} />);
    await until(() => expect(plain(r.lastFrame())).toContain('· finished ·'));
    await press(r, 'r');
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), size);
      expect(t).toContain('heuristic');
      return t;
    });
    for (const row of ['GA (best)', 'freeze-all', 'train-all', 'heuristic', 'random-1', 'random-3']) expect(text).toContain(row);
    expect(text).toMatch(/Pareto view: val accuracy \(up\) vs trainable params \(right, log\); front of \d+/);
    expect(text).toContain('@ selected');
    expect(text).toMatch(/[◆◇]/);
    expect(text).toMatch(/@/);
    // The selected row's mask: first the GA's best, then (one row down) freeze-all's.
    expect(text).toMatch(/Mask of GA \(best\): val 0\.\d{4}/);
    await press(r, 'j');
    await until(() => expect(plain(r.lastFrame())).toMatch(/Mask of freeze-all: val 0\.\d{4}, 0 trainable layers/));
    expect(text).toMatch(/conv_(dw|pw)_\d+/);
  });

  test('Help lists every key', async () => {
    const r = render(<App root={root} size={size} color={false} />);
    await press(r, '?');
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), size);
      expect(t).toContain('Help: keys');
      return t;
    });
    for (const [keys, what] of KEY_HELP) {
      expect(text).toContain(keys);
      expect(text).toContain(what.slice(0, 20));
    }
    await press(r, KEYS.esc);
    await until(() => expect(plain(r.lastFrame())).toContain('Recent searches'));
  });
});

describe('keys', () => {
  test('form: tab focuses it, j/k and arrows move, enter edits, bad values are named', async () => {
    const size = SIZES[0];
    const r = render(<App root={root} size={size} color={false} />);
    await press(r, KEYS.tab);
    await until(() => expect(plain(r.lastFrame())).toContain('▸ New search'));
    // preset -> model -> data
    await press(r, 'j', KEYS.down, KEYS.enter);
    for (const c of '/no/such/folder') await press(r, c);
    await until(() => expect(plain(r.lastFrame())).toMatch(/Data set\s+demo:fashion-mnist-900\/no\/such\/folder█/));
    // clear and type again
    for (let i = 0; i < 40; i++) r.stdin.write('\u007F');
    await press(r, ...'/no/such/folder', KEYS.enter, 'k', KEYS.up, KEYS.up);
    // up from preset wraps to Launch
    await until(() => expect(plain(r.lastFrame())).toContain('› [ Launch ]'));
    await press(r, KEYS.enter);
    const text = await until(() => {
      const t = expectFits(r.lastFrame(), size);
      expect(t).toContain('✗ the form has errors');
      return t;
    });
    expect(text).toContain('/no/such/folder: no such folder');
  });

  test('form: the preset choice fills the paper budget', async () => {
    const r = render(<App root={root} size={SIZES[1]} color={false} />);
    await press(r, 'n', 'l');
    const text = await until(() => {
      const t = plain(r.lastFrame());
      expect(t).toContain('‹ paper ›');
      return t;
    });
    expect(text).toMatch(/Input size\s+224x224/);
    expect(text).toMatch(/Population\s+20/);
  });

  test('/ filters the list; esc clears', async () => {
    const r = render(<App root={root} size={SIZES[0]} color={false} />);
    await until(() => expect(plain(r.lastFrame())).toContain('fixture-search'));
    await press(r, '/', 'z', 'z', 'z');
    await until(() => expect(plain(r.lastFrame())).toContain('/zzz█'));
    await until(() => expect(plain(r.lastFrame())).toContain('Recent searches (0, 0 live)'));
    await press(r, KEYS.esc);
    await until(() => expect(plain(r.lastFrame())).toContain('Recent searches (1, 0 live)'));
  });

  test('enter opens the selected search; h/l and arrows pick the generation; esc goes back', async () => {
    const r = render(<App root={root} size={SIZES[0]} color={false} />);
    await until(() => expect(plain(r.lastFrame())).toContain('fixture-search'));
    await press(r, KEYS.enter);
    // Generations read from 1 (header, pane, log).
    await until(() => expect(plain(r.lastFrame())).toContain('Population of generation 2'));
    await press(r, 'h');
    await until(() => expect(plain(r.lastFrame())).toContain('Population of generation 1 (of 2'));
    await press(r, KEYS.right);
    await until(() => expect(plain(r.lastFrame())).toMatch(/Population of generation 2\s/));
    await press(r, KEYS.left, 'l');
    await until(() => expect(plain(r.lastFrame())).toMatch(/Population of generation 2\s/));
    await press(r, KEYS.esc);
    await until(() => expect(plain(r.lastFrame())).toContain('Recent searches'));
  });

  test('resize redraws to the new width', async () => {
    const r = render(<App root={root} color={false} />);
    for (const size of [...SIZES, SIZES[0]]) {
      Object.defineProperty(r.stdout, 'columns', { value: size.columns, configurable: true });
      Object.defineProperty(r.stdout, 'rows', { value: size.rows, configurable: true });
      r.stdout.emit('resize');
      await until(() => {
        const lines = plain(r.lastFrame()).split('\n');
        expect(Math.max(...lines.map((l) => [...l].length))).toBe(size.columns);
        expectFits(r.lastFrame(), size);
      });
    }
  });

  test('the quick demo offline says to fill the cache with slt cache add', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-cache-'));
    const saved = { ...process.env };
    process.env.SLT_CACHE_DIR = cache;
    process.env.SLT_DEMO_WEIGHTS_URL = 'http://127.0.0.1:9/mobilenet_v1_0.25_224/model.json';
    try {
      const emptyRoot = path.join(cache, 'searches');
      const r = render(<App root={emptyRoot} size={SIZES[1]} color={false} />);
      await press(r, KEYS.tab, KEYS.up, KEYS.enter);
      await until(() => expect(plain(r.lastFrame())).toContain('slt cache add DIR'), 600);
      await until(() => expect(plain(r.lastFrame())).toContain('Offline?'));
    } finally {
      process.env = saved;
    }
  });
});

test('a copied search folder is listed too (the list reads every journal)', async () => {
  const other = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-root-'));
  mkdirSync(path.join(other, 'copy'));
  copyFileSync(path.join(searchDir, 'journal.jsonl'), path.join(other, 'copy', 'journal.jsonl'));
  const r = render(<App root={other} size={SIZES[0]} color={false} />);
  await until(() => expect(plain(r.lastFrame())).toMatch(/fixture-search\s+finished/));
});
