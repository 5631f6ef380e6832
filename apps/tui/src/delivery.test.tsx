/**
 * Issue 11 (TUI part): failed evaluations, retried attempts and the MLflow delivery status (the
 * search's live `tracking.status` event, read through @slt/runner) on the live screen and the plain log.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, expect, inject, test } from 'vitest';
import { initialSearchState, readSearchJournal, reduceSearch, JOURNAL_FILE, TRACKING_STATUS_FILE, type TrackingStatusEvent } from '@slt/runner';
import { App } from './App.js';
import { LiveScreen } from './components/LiveScreen.js';
import { runPlain } from './plain.js';
import { initialAppState } from './state/app.js';
import { SIZES, expectFits, plain, until } from './testing/frames.js';

const searchDir = inject('searchDir');
afterEach(() => cleanup());

/** A copy of the fixture search with a delivery status as a running search writes it. */
function withStatus(status: Partial<TrackingStatusEvent>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-delivery-'));
  const dir = path.join(root, 'delivery-search');
  cpSync(searchDir, dir, { recursive: true });
  const e: TrackingStatusEvent = { type: 'tracking.status', phase: 'retrying', target: 'http://127.0.0.1:9', pendingRecords: 12, pendingRuns: 2, retries: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:9', time: new Date().toISOString(), ...status };
  writeFileSync(path.join(dir, TRACKING_STATUS_FILE), JSON.stringify(e));
  return dir;
}

test('the live screen shows the MLflow delivery retrying, its retries, last error and pending runs', async () => {
  const dir = withStatus({});
  for (const size of SIZES) {
    const r = render(<App root={path.dirname(dir)} size={size} color={false} initial={initialAppState({ attach: { id: 'delivery-search', dir } })} />);
    const frame = await until(() => {
      const f = plain(r.lastFrame());
      expect(f).toContain('MLflow delivery retrying (3 retries');
      return f;
    });
    expectFits(frame, size);
    if (size.columns >= 120) expect(frame).toMatch(/last error: connect ECONNREFUSED 127\.0\.0\.1:9\) · 2 run\(s\) pending/);
    r.unmount();
  }
  // When it ends with runs not delivered, the screen says so and how to deliver them.
  writeFileSync(path.join(dir, TRACKING_STATUS_FILE), JSON.stringify({ type: 'tracking.status', phase: 'stopped', target: 'x', pendingRecords: 4, pendingRuns: 2, retries: 5, time: new Date().toISOString() }));
  const r = render(<App root={path.dirname(dir)} size={{ columns: 160, rows: 40 }} color={false} initial={initialAppState({ attach: { id: 'delivery-search', dir } })} />);
  await until(() => expect(plain(r.lastFrame())).toContain(`MLflow 2 run(s) not delivered (slt sync ${dir}) · 5 delivery retries`));
});

test('the live screen shows failed evaluations and retried attempts when there are some', async () => {
  let search = initialSearchState();
  for (const e of await readSearchJournal(path.join(searchDir, JOURNAL_FILE))) search = reduceSearch(search, e);
  const state = { ...initialAppState({ attach: { id: 'fixture-search', dir: searchDir } }), search };
  const none = render(<LiveScreen state={state} width={80} height={20} />);
  expect(plain(none.lastFrame())).not.toMatch(/failed|retried/);
  const failing = { ...state, search: { ...search, progress: { ...search.progress, failures: 2, retries: 3 } } };
  const r = render(<LiveScreen state={failing} width={80} height={20} />);
  // At 80 columns, on the status line (the figures line is cut before them).
  expect(plain(r.lastFrame()).split('\n')[0]).toMatch(/fixture-search · finished · 2 failed, 3 retried · /);
});

test('the plain log prints the MLflow delivery status of the search it follows', async () => {
  const dir = withStatus({ phase: 'stopped', pendingRuns: 2, retries: 4, lastError: 'timeout' });
  const chunks: string[] = [];
  const out = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
  expect(await runPlain({ root: path.dirname(dir), attach: dir, out })).toBe(0);
  expect(chunks.join('')).toContain(`MLflow: 2 run(s) not delivered (slt sync ${dir}) · 4 delivery retries`);
});
