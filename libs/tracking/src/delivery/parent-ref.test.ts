/**
 * `CreateRunOp.parentRef`: a run whose parent belongs to another journal (a study run above a
 * model's search) links to the parent's copy in EACH store it is delivered to, found by the
 * parent's `slt.journal_id` / `slt.run_key` tags, not to the run id of the first store.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../journal/records.js';
import { FileStore } from '../store/file-store.js';
import { freshJournal, tempDir } from '../test-support/fixtures.js';
import { deliverJournal } from './delivery.js';
import { recordTime, type RunOp, type RunOpsMapperFactory } from './ops.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A child journal's mapper: `child.started` creates run 'c' under another journal's run. */
const childMapper = (ref: { journalId: string; runKey: string }): RunOpsMapperFactory => () => ({
  next: (r: JournalRecord): RunOp[] => (r.type === 'child.started'
    ? [{ op: 'create', runKey: 'c', parentRef: ref, experimentName: 'exp', runName: 'child', tags: {}, startTime: recordTime(r) }, { op: 'status', runKey: 'c', status: 'FINISHED', endTime: recordTime(r) }]
    : []),
});

describe('parentRef (a parent run of another journal)', () => {
  it('links the child to the parent run of each store, and to none where the store lacks it', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const parent = freshJournal(tmp.dir, 'study.jsonl');
    parent.createRun({ runKey: 'study', experimentName: 'exp', runName: 'the study' });
    parent.endRun('study');
    parent.close();
    const child = freshJournal(tmp.dir, 'child.jsonl');
    child.append('child.started', {});
    child.close();
    const mapper = childMapper({ journalId: parent.journalId, runKey: 'study' });

    const stores = [new FileStore(join(tmp.dir, 'a')), new FileStore(join(tmp.dir, 'b'))];
    const parentIds: string[] = [];
    for (const store of stores) {
      parentIds.push((await deliverJournal({ journalPath: parent.path, store })).runIds.study!);
      const c = await deliverJournal({ journalPath: child.path, store, mapper });
      const run = await store.getRun(c.runIds.c!);
      expect(run.tags['mlflow.parentRunId']).toBe(parentIds.at(-1));
    }
    expect(parentIds[0]).not.toBe(parentIds[1]);

    // A store without the parent run: the child is created without a parent tag.
    const bare = new FileStore(join(tmp.dir, 'c'));
    const c = await deliverJournal({ journalPath: child.path, store: bare, mapper });
    expect((await bare.getRun(c.runIds.c!)).tags['mlflow.parentRunId']).toBeUndefined();
  });
});
