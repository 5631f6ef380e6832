/**
 * The background delivery coalesces appends: a burst of records (an evaluation's, a generation's)
 * is read and delivered by one pass after `coalesceMs`, not by one pass per record, and nothing is
 * lost or duplicated for it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../store/file-store.js';
import { freshJournal, tempDir, verifyDelivered, writeSearch } from '../test-support/fixtures.js';
import { startDelivery } from './delivery.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Delivers a search written in bursts (6 genomes, 50 ms apart); returns the passes (phase `delivering`) and checks the store. */
async function deliverInBursts(coalesceMs: number): Promise<number> {
  const tmp = tempDir();
  cleanups.push(tmp.cleanup);
  const store = new FileStore(join(tmp.dir, 'mlruns'));
  const journal = freshJournal(tmp.dir);
  let passes = 0;
  let idle!: () => void;
  const ready = new Promise<void>((r) => (idle = r));
  const delivery = startDelivery({
    journalPath: journal.path, journal, store, pollMs: 5000, coalesceMs,
    onStatus: (s) => {
      if (s.phase === 'delivering') passes++;
      if (s.phase === 'idle') idle();
    },
  });
  await ready; // prepared, sleeping until an append wakes it
  passes = 0;
  const shape = await writeSearch(journal, { generations: 2, genomes: 3, epochs: 2, between: () => new Promise((r) => setTimeout(r, 50)) });
  const st = await delivery.flush();
  await delivery.stop();
  expect(st.deliveredSeq).toBe(journal.lastSeq);
  await verifyDelivered(store, shape);
  journal.close();
  return passes;
}

describe('background delivery coalesces appends', () => {
  it('delivers a burst of evaluations in one or two passes with coalescing, in more without, everything once either way', async () => {
    const coalesced = await deliverInBursts(5000); // the burst takes about 300 ms; flush() does not wait
    const eager = await deliverInBursts(0);
    expect(coalesced).toBeGreaterThanOrEqual(1);
    expect(coalesced).toBeLessThanOrEqual(2);
    expect(eager).toBeGreaterThan(coalesced);
  });
});
