import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JournalError, openJournal } from '@slt/tracking';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchConfig } from '../config/schema.js';
import { readSearchJournal } from './read.js';
import { checkRecord, RECORD_SCHEMAS } from './records.js';

describe('journal record schemas', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slt-records-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const lines = (recs: object[]) => `${recs.map((r, i) => JSON.stringify({ seq: i + 1, time: '2026-01-01T00:00:00.000Z', ...r })).join('\n')}\n`;

  it('reads a valid journal, NaN written as null comes back as NaN, other owners pass through', async () => {
    const file = path.join(dir, 'ok.jsonl');
    const j = openJournal(file);
    j.append('eval.epoch', { key: 'g0/1', metrics: { epoch: 1, trainLoss: Number.NaN, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5, seconds: 1 } });
    j.append('eval.retry', { key: 'g0/1', attempt: 1, error: 'crash', worker: 0, device: '2' });
    j.close();
    const events = await readSearchJournal(file);
    expect(events[0]!.type).toBe('journal.created');
    const epoch = events.find((e) => e.type === 'eval.epoch') as { metrics: { trainLoss: number } };
    expect(epoch.metrics.trainLoss).toBeNaN();
    expect(events.find((e) => e.type === 'eval.retry')).toMatchObject({ attempt: 1, device: '2' });
  });

  it('a damaged record is a JournalError naming the file, the line and the field', async () => {
    const file = path.join(dir, 'bad.jsonl');
    await writeFile(file, lines([
      { type: 'search.log', level: 'info', message: 'hi' },
      { type: 'eval.finished', key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '0110', fitness: 'high', result: {}, runKey: 'x' },
      { type: 'search.log', level: 'info', message: 'after' },
    ]));
    const err = await readSearchJournal(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalError);
    expect((err as JournalError).line).toBe(2);
    expect((err as Error).message).toContain(`${file} line 2: eval.finished record: fitness:`);
  });

  it('a foreign runner record type is refused by name', async () => {
    const file = path.join(dir, 'foreign.jsonl');
    await writeFile(file, lines([{ type: 'search.log', level: 'info', message: 'a' }, { type: 'eval.teleported', key: 'x' }, { type: 'search.log', level: 'info', message: 'b' }]));
    await expect(readSearchJournal(file)).rejects.toThrow(/line 2: unknown record type "eval\.teleported"/);
  });

  it('search.started keeps why slt chose the worker count (round-trip); a journal without it still reads', async () => {
    const body = {
      searchId: 's1', config: { ...parseSearchConfig({ data: 'd', population: 4 }), seed: 3 }, mode: 'search', parentRunKey: 's1', totalEvaluations: 40, totalBaselines: 0, pid: 1, host: 'h',
      model: { name: 'm', genomeLength: 4, layerNames: ['a', 'b', 'c', 'd'], lockedGenes: [] },
      dataset: { name: 'ds', classNames: ['x', 'y'], counts: { train: 6, val: 2, test: 2 }, shape: [32, 32, 1] },
    };
    const file = path.join(dir, 'workers.jsonl');
    const j = openJournal(file);
    j.append('search.started', { ...body, workersReason: 'one per genome in flight (4)' });
    j.close();
    const started = (await readSearchJournal(file)).find((e) => e.type === 'search.started') as { workersReason?: string };
    expect(started.workersReason).toBe('one per genome in flight (4)');
    const old = checkRecord({ type: 'search.started', ...body });
    expect(old.ok && old.record.type === 'search.started' && old.record.workersReason).toBe(undefined);
    expect(checkRecord({ type: 'search.started', ...body, workersReason: 4 })).toMatchObject({ ok: false, error: expect.stringMatching(/workersReason/) });
  });

  it('the writer check names the type and the bad field', () => {
    expect(checkRecord({ type: 'eval.failed', key: 'g0/0' })).toMatchObject({ ok: false, error: expect.stringMatching(/^eval\.failed record: kind: /) });
    expect(checkRecord({ type: 'search.log', level: 'loud', message: 'x' })).toMatchObject({ ok: false });
    expect(checkRecord({ type: 'search.log', level: 'info', message: 'x' })).toMatchObject({ ok: true });
    expect(Object.keys(RECORD_SCHEMAS)).toContain('eval.failed');
  });
});
