import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalError, TrackingValidationError } from '../errors.js';
import { openJournal, JOURNAL_CREATED } from './journal.js';
import { followJournal, readJournal } from './read.js';
import type { JournalRecord } from './records.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'slt-journal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('journal', () => {
  it('appends numbered JSON lines and reads them back', async () => {
    const file = join(tmp(), 'sub', 'search.jsonl');
    const j = openJournal(file, { defaultExperimentName: 'exp' });
    const r = j.append('search.started', { config: { population: 4 } });
    expect(r.seq).toBe(2);
    const key = j.createRun({ runKey: 'search', runName: 'GA search', tags: { 'slt.kind': 'search' } });
    j.logParams(key, { model: 'mobilenet', population: 4, elitism: true });
    j.logMetrics(key, [{ key: 'best_fitness', value: 0.5, step: 0 }, { key: 'mean_fitness', value: NaN, step: 0 }]);
    j.logArtifact(key, 'mask.json', '{"a":1}');
    j.logArtifact(key, 'bin/raw.bin', new Uint8Array([0, 255, 7]));
    j.endRun(key, 'FINISHED');
    j.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(8);
    const recs = await readJournal(file);
    expect(recs.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(recs[0].type).toBe(JOURNAL_CREATED);
    expect(recs[0].journalId).toMatch(/^[0-9a-f-]{36}$/);
    const created = recs[2];
    expect(created).toMatchObject({ type: 'run.created', runKey: 'search', experimentName: 'exp', runName: 'GA search' });
    expect((created.tags as Record<string, string>)['mlflow.runName']).toBe('GA search');
    expect((created.tags as Record<string, string>)['slt.run_key']).toBe('search');
    expect(recs[3].params).toEqual({ model: 'mobilenet', population: '4', elitism: 'true' });
    expect((recs[4].metrics as { value: unknown }[])[1]!.value).toBe('NaN'); // JSON has no NaN
    expect(recs[6]).toMatchObject({ encoding: 'base64', content: Buffer.from([0, 255, 7]).toString('base64') });
  });

  it('ignores a torn last line and continues numbering after it on reopen', async () => {
    const file = join(tmp(), 'j.jsonl');
    const j = openJournal(file);
    j.append('a.one', { x: 1 });
    j.close();
    appendFileSync(file, '{"seq":3,"time":"2026-01-01T00:00:00Z","type":"a.t'); // crash mid-write
    expect((await readJournal(file)).map((r) => r.type)).toEqual([JOURNAL_CREATED, 'a.one']);
    const j2 = openJournal(file);
    expect(j2.lastSeq).toBe(2);
    j2.append('a.two', {});
    j2.close();
    const recs = await readJournal(file);
    expect(recs.map((r) => `${r.seq}:${r.type}`)).toEqual([`1:${JOURNAL_CREATED}`, '2:a.one', '3:a.two']);
  });

  it('names the file and line of a corrupt record that is not the last', async () => {
    const file = join(tmp(), 'bad.jsonl');
    writeFileSync(file, '{"seq":1,"time":"t","type":"x"}\nnot json\n{"seq":3,"time":"t","type":"y"}\n');
    const err = await readJournal(file).catch((e) => e);
    expect(err).toBeInstanceOf(JournalError);
    expect(err.line).toBe(2);
    expect(err.message).toContain(file);
    expect(() => openJournal(file)).toThrow(/line 2/);
  });

  it('rejects bad keys, changed params and unknown runs with errors that name them', () => {
    const j = openJournal(join(tmp(), 'v.jsonl'));
    expect(() => j.createRun({ runKey: 'bad key!', runName: 'x' })).toThrow(/runKey 'bad key!'/);
    j.createRun({ runKey: 'p', runName: 'parent' });
    expect(() => j.createRun({ runKey: 'p', runName: 'again' })).toThrow(/already created/);
    expect(() => j.createRun({ runKey: 'c', parentRunKey: 'nope', runName: 'child' })).toThrow(/Parent run 'nope'/);
    expect(() => j.logParams('p', { 'a:b': 1 })).toThrow(TrackingValidationError);
    expect(() => j.logParams('p', { '../up': 1 })).toThrow(/resolve/);
    expect(() => j.logParams('p', { ['k'.repeat(251)]: 1 })).toThrow(/250/);
    expect(() => j.logParams('p', { long: 'v'.repeat(6001) })).toThrow(/6000/);
    expect(j.logParams('p', { lr: 0.001 })).toBeDefined();
    expect(j.logParams('p', { lr: 0.001 })).toBeUndefined(); // same value again: nothing new
    expect(() => j.logParams('p', { lr: 0.01 })).toThrow(/Param 'lr' of run 'p' was logged as '0.001'/);
    expect(() => j.logMetrics('q', [{ key: 'x', value: 1 }])).toThrow(/Unknown run 'q'/);
    expect(() => j.logMetrics('p', [{ key: 'x', value: 1, step: 1.5 }])).toThrow(/step/);
    expect(() => j.logArtifact('p', '../mask.json', 'x')).toThrow(/artifact path/);
    expect(() => j.endRun('p', 'DONE' as never)).toThrow(/FINISHED, FAILED or KILLED/);
    expect(() => j.append('x', { seq: 5 })).toThrow(/seq/);
    j.close();
    // Params survive a reopen: immutability holds across processes.
    const j2 = openJournal(j.path);
    expect(() => j2.logParams('p', { lr: 0.5 })).toThrow(/was logged as '0.001'/);
    j2.close();
  });

  it('follows records appended later, holding back a half-written line', async () => {
    const file = join(tmp(), 'f.jsonl');
    const seen: JournalRecord[] = [];
    const ac = new AbortController();
    let notify: () => void = () => undefined;
    const following = followJournal(file, (r) => {
      seen.push(r);
      notify();
    }, ac.signal, { pollMs: 20 });
    const waitFor = (n: number) =>
      new Promise<void>((resolve) => {
        notify = () => seen.length >= n && resolve();
        notify();
      });
    const j = openJournal(file); // file appears after the follower started
    j.append('a.one', {});
    await waitFor(2);
    appendFileSync(file, '{"seq":3,"time":"t","type":"a.h');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(2);
    appendFileSync(file, 'alf"}\n');
    await waitFor(3);
    ac.abort();
    await following;
    expect(seen.map((r) => r.type)).toEqual([JOURNAL_CREATED, 'a.one', 'a.half']);
    j.close();
  });
});
