/**
 * End to end: the real TUI in a real pseudo-terminal (tmux), the quick demo launched from the form
 * with a cache filled offline by `slt cache add ../shared/data`, a generation seen finishing on
 * screen, quit; the detached search is then still running, a reopened TUI re-attaches to it, and
 * it completes in its journal.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import { readRecords, recordOf, recordsOf, type Rec } from './helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = path.resolve(REPO, '../shared/data');
const SLT = path.join(REPO, 'apps/cli/bin/slt.js');
const TUI = path.join(REPO, 'apps/tui/bin/tui.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-e2e-'));
// A tmux server of its own, its socket inside the temp folder (removed with it).
const socket = path.join(tmp, 'tmux.sock');
// As a person at a terminal runs it: Ink draws only the last frame when it believes it is in CI.
const AT_A_TERMINAL = 'CI=false CONTINUOUS_INTEGRATION=false';
const env = { SLT_CACHE_DIR: path.join(tmp, 'cache'), SLT_DEMO_WEIGHTS_URL: 'http://127.0.0.1:9/offline/model.json', SLT_DEMO_DATA_URL: 'http://127.0.0.1:9/offline/' };
let searchPid: number | undefined;

const tmux = (...args: string[]) => execa('tmux', ['-S', socket, ...args], { reject: false });
const screen = async (): Promise<string> => (await tmux('capture-pane', '-p', '-t', 'tui')).stdout;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, tries: number, everyMs = 500): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${await screen()}`);
}
const keys = async (...k: string[]) => {
  for (const key of k) {
    await tmux('send-keys', '-t', 'tui', key);
    await sleep(150);
  }
};
const records = (journal: string): Rec[] => readRecords(journal);

afterAll(async () => {
  await tmux('kill-server');
  if (searchPid && alive(searchPid)) process.kill(searchPid, 'SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

test('quick demo from the TUI in tmux: a generation on screen, quit, re-attach, the search completes', async () => {
  const add = await execa(process.execPath, [SLT, 'cache', 'add', path.relative(tmp, SHARED)], { cwd: tmp, env });
  expect(add.stdout).toMatch(/model\s+mobilenet_v1_0\.25/);
  expect(add.stdout).toMatch(/data\s+fashion-mnist-900/);

  const cmd = `cd ${tmp} && env ${AT_A_TERMINAL} ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')} ${process.execPath} ${TUI} --generations 3 --epochs 1 2>>${tmp}/tui.err`;
  await tmux('new-session', '-d', '-s', 'tui', '-x', '120', '-y', '40', cmd);
  await waitFor('the Start screen', async () => (await screen()).includes('New search') || undefined, 120);
  // The form: population 8 -> 4 by typing, then up past the first field to Launch.
  await keys('Tab', 'j', 'Down', 'j', 'j', 'Enter', 'BSpace', '4', 'Enter');
  expect(await screen()).toMatch(/Population\s+4/);
  expect(await screen()).toMatch(/Generations\s+3/);
  await keys('k', 'k', 'k', 'k', 'k');
  expect(await screen()).toContain('› [ Launch ]');
  await keys('Enter');

  // The live screen of the detached search; a generation finishes on screen.
  const seen = await waitFor('generation 1 to finish on screen', async () => {
    const s = await screen();
    return /generation 1 done: best 0\.\d+/.test(s) ? s : undefined;
  }, 400);
  expect(seen).toMatch(/\[Live\]/);
  // Generations read from 1 on every line of the screen.
  expect(seen).toMatch(/Population of generation [12]/);

  const root = path.join(tmp, '.slt', 'searches');
  const [id] = readdirSync(root);
  const dir = path.join(root, id);
  const journal = path.join(dir, 'journal.jsonl');
  const lock = JSON.parse(readFileSync(path.join(dir, 'search.lock'), 'utf8')) as { pid: number };
  searchPid = lock.pid;

  // Quit: the TUI ends, the search does not.
  await keys('q');
  await waitFor('the TUI to exit', async () => ((await tmux('has-session', '-t', 'tui')).exitCode !== 0 ? true : undefined), 60);
  expect(readFileSync(path.join(tmp, 'tui.err'), 'utf8')).toBe('');
  expect(alive(lock.pid)).toBe(true);
  expect(records(journal).some((r) => r.type === 'search.finished')).toBe(false);

  // Reopening lists it as live; enter re-attaches to it.
  await tmux('new-session', '-d', '-s', 'tui', '-x', '120', '-y', '40', cmd);
  await waitFor('the search listed as live', async () => (new RegExp(`●\\s*${id}\\s+live`).test(await screen()) ? true : undefined), 120);
  await keys('Enter');
  const again = await waitFor('the re-attached live screen', async () => {
    const s = await screen();
    // Replayed from the journal, then followed (it may finish meanwhile: the budget is tiny).
    // The one liveness rule: a running search with its process is `live` (as in slt ls).
    return new RegExp(`${id} · (live|finished) ·`).test(s) && /([4-9]|1[0-2])\/12 evals/.test(s) ? s : undefined;
  }, 120);
  expect(again).toMatch(/Population of generation \d/);
  await keys('q');
  await waitFor('the TUI to exit again', async () => ((await tmux('has-session', '-t', 'tui')).exitCode !== 0 ? true : undefined), 60);

  // It completes on its own, in the journal.
  const done = await waitFor('search.finished in the journal', () => {
    const rs = records(journal);
    return rs.some((r) => r.type === 'search.finished') ? rs : undefined;
  }, 600);
  expect(recordsOf(done, 'generation.finished')).toHaveLength(3);
  expect(done.filter((r) => r.type === 'eval.finished' || r.type === 'eval.cached')).toHaveLength(12);
  const started = recordOf(done, 'search.started');
  // The quick demo's settings: 64 px and lr 1e-3 (at 32 px its baselines are at chance).
  expect(started.config).toMatchObject({ population: 4, generations: 3, epochs: 1, input: [64, 64], lr: 0.001 });
  expect(started.config.data).toBe(path.join(env.SLT_CACHE_DIR, 'data', 'fashion-mnist-900'));
  await waitFor('the search process to exit', () => (alive(lock.pid) ? undefined : true), 120);
  expect(existsSync(path.join(dir, 'search.lock'))).toBe(false);
});

test('a launch that stops before its journal (bad weights): the live screen says why, e shows it whole', async () => {
  const dir = mkdtempSync(path.join(tmp, 'stopped-'));
  const cmd = `cd ${dir} && env ${AT_A_TERMINAL} ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')} ${process.execPath} ${TUI} --data ${path.join(SHARED, 'fashion-mnist-900')} --weights ${dir}/missing.h5 2>>${dir}/tui.err`;
  await tmux('new-session', '-d', '-s', 'stop', '-x', '80', '-y', '24', cmd);
  const shot = async () => (await tmux('capture-pane', '-p', '-t', 'stop')).stdout;
  await waitFor('the Start screen', async () => (await shot()).includes('New search') || undefined, 120);
  // Tab to the form, up once: the Launch button.
  await tmux('send-keys', '-t', 'stop', 'Tab');
  await sleep(200);
  await tmux('send-keys', '-t', 'stop', 'k');
  await sleep(200);
  await tmux('send-keys', '-t', 'stop', 'Enter');
  const seen = await waitFor('the launch to be seen stopped', async () => {
    const s = await shot();
    return s.includes('stopped before it started') && s.includes('missing.h5') ? s : undefined;
  }, 480).catch(async (err: Error) => {
    throw new Error(`${err.message}\nthis screen:\n${await shot()}`);
  });
  expect(seen).not.toContain('waiting for the journal');
  await tmux('send-keys', '-t', 'stop', 'e');
  const details = await waitFor('the details view', async () => {
    const s = await shot();
    return s.includes('The launch stopped before its search started') ? s : undefined;
  }, 40);
  expect(details).toMatch(/slt: /);
  await tmux('send-keys', '-t', 'stop', 'Escape');
  await sleep(200);
  await tmux('send-keys', '-t', 'stop', 'q');
  await waitFor('the TUI to exit', async () => ((await tmux('has-session', '-t', 'stop')).exitCode !== 0 ? true : undefined), 60);
  // No error output (a cursor-restore escape sequence is not one).
  expect(readFileSync(path.join(dir, 'tui.err'), 'utf8').replace(new RegExp(`${String.fromCharCode(27)}\\[\\?25[hl]`, 'g'), '')).toBe('');
}, 180_000);
