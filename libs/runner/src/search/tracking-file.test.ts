import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackingStatusEvent } from '../ports/tracking.js';
import { readTrackingStatus } from './paths.js';
import { TrackingStatusFile } from './tracking-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const ev = (phase: TrackingStatusEvent['phase'], pendingRuns: number): TrackingStatusEvent =>
  ({ type: 'tracking.status', phase, target: '/x/mlruns', pendingRecords: pendingRuns * 3, pendingRuns, retries: 0, time: new Date().toISOString() });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tracking.json (TrackingStatusFile)', () => {
  it('writes a change of state at once, the counts of a delivery that goes on at most once per interval, and the last one by its timer or flush', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slt-trackfile-'));
    dirs.push(dir);
    const f = new TrackingStatusFile(dir, 300);
    f.push(ev('delivering', 5));
    expect(readTrackingStatus(dir)?.pendingRuns).toBe(5); // the first: at once
    f.push(ev('delivering', 4));
    f.push(ev('delivering', 3));
    expect(readTrackingStatus(dir)?.pendingRuns).toBe(5); // same phase, too soon: due
    f.push(ev('idle', 2));
    expect(readTrackingStatus(dir)?.pendingRuns).toBe(5); // delivering and idle alternate with every pass: one state
    f.push(ev('retrying', 2));
    expect(readTrackingStatus(dir)).toMatchObject({ phase: 'retrying', pendingRuns: 2 }); // a new state: at once, the due one dropped
    f.push(ev('idle', 1));
    expect(readTrackingStatus(dir)?.phase).toBe('idle'); // back to a delivery that goes on: at once
    await sleep(450);
    expect(readTrackingStatus(dir)?.pendingRuns).toBe(1); // the due one, by its timer
    f.push(ev('idle', 0));
    f.push(ev('idle', 7));
    expect(readTrackingStatus(dir)?.pendingRuns).not.toBe(7);
    f.flush();
    expect(readTrackingStatus(dir)?.pendingRuns).toBe(7);
    f.flush(); // nothing due: no write, no error
    expect(readTrackingStatus(dir)?.pendingRuns).toBe(7);
  });
});
