import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../testing/run-command.js';
import { writeSearchFolder } from '../testing/search-folder.js';
import { registerAttach } from './attach.js';
import { registerLs } from './ls.js';
import { registerRm } from './rm.js';
import { registerResume } from './resume.js';
import { registerSync } from './sync.js';

let base: string;
let saved: string | undefined;
beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'slt-ls-'));
  saved = process.env.SLT_INDEX_FILE;
  process.env.SLT_INDEX_FILE = path.join(base, 'state', 'searches.jsonl');
});
afterEach(() => {
  if (saved === undefined) delete process.env.SLT_INDEX_FILE;
  else process.env.SLT_INDEX_FILE = saved;
});

// A failure reason longer than any terminal: its actionable end must be printed.
const LONG = `cannot download https://storage.googleapis.com/${'x'.repeat(150)}/mobilenet_v1_0.25_224.h5: getaddrinfo ENOTFOUND; offline? put the file in the cache with: slt cache add FILE`;

describe('slt ls and ids from any folder', () => {
  it('lists the root and, from the index, searches started in other folders; names the folder read', async () => {
    const here = path.join(base, 'here');
    const mine = writeSearchFolder(path.join(here, '20260101-000000-aaaa'), '20260101-000000-aaaa');
    const far = writeSearchFolder(path.join(base, 'elsewhere', '20260102-000000-bbbb'), '20260102-000000-bbbb', { failed: LONG });
    const r = await runCommand(registerLs, ['ls', '--root', here]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`searches in ${here} and 1 more from your index (${process.env.SLT_INDEX_FILE})`);
    expect(r.out).toContain('20260101-000000-aaaa');
    expect(r.out).toMatch(new RegExp(`20260102-000000-bbbb +failed .*${far.replace(/[/.-]/g, '\\$&')}`));
    // The failed search's reason is whole, with its offline hint.
    expect(r.out).toContain(`failed: ${LONG}`);
    const here2 = await runCommand(registerLs, ['ls', '--root', here, '--here']);
    expect(here2.out).not.toContain('bbbb');
    const json = (await runCommand(registerLs, ['ls', '--root', here, '--json'])).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(json.map((s) => [s.searchId, s.from, s.dir]).sort()).toEqual([['20260101-000000-aaaa', 'root', mine], ['20260102-000000-bbbb', 'index', far]]);
    expect(json.find((s) => s.from === 'index').reason).toBe(LONG);
  });

  it('attach, resume, sync and rm take an id from the index or under --root', async () => {
    const cwdRoot = path.join(base, 'nowhere');
    const far = writeSearchFolder(path.join(base, 'b', '20260103-000000-cccc'), '20260103-000000-cccc', { failed: LONG });
    // attach on a failed search: its reason whole, exit 1.
    const a = await runCommand(registerAttach, ['attach', '20260103', '--root', cwdRoot]);
    expect(a.code).toBe(1);
    expect(a.out).toContain(`search 20260103-000000-cccc: failed (${LONG})`);
    // resume says it failed/finished, but it found the search (not "no such search").
    const res = await runCommand(registerResume, ['resume', '20260103-000000-cccc', '--root', cwdRoot]);
    expect(res.error ?? '').not.toMatch(/no such search/);
    // sync: the not-found message names the reference once.
    const miss = await runCommand(registerSync, ['sync', 'nope', '--root', cwdRoot]);
    expect(miss.code).toBe(2);
    expect(miss.error).toMatch(/^nope: no such search/);
    expect(miss.error).not.toMatch(/nope: nope/);
    // rm from another folder, by id from the index.
    const rm = await runCommand(registerRm, ['rm', '20260103-000000-cccc', '--root', cwdRoot]);
    expect(rm.code).toBe(0);
    expect(existsSync(far)).toBe(false);
    const after = await runCommand(registerLs, ['ls', '--root', cwdRoot]);
    expect(after.out).toContain(`no searches in ${cwdRoot} nor in your index of searches`);
    // A detached launch that stopped before its journal: attach prints why, whole.
    const early = path.join(cwdRoot, '20260104-000000-eeee');
    mkdirSync(early, { recursive: true });
    writeFileSync(path.join(early, 'detached.json'), JSON.stringify({ pid: 2 ** 30 }));
    writeFileSync(path.join(early, 'search.err'), `some noise\nslt: ${LONG}\n`);
    const never = await runCommand(registerAttach, ['attach', early]);
    expect(never.code).toBe(1);
    expect(never.error).toContain(`has not started (or failed before its first record):\n  slt: ${LONG}\n`);
    // --root of another folder of searches is read for ids.
    const other = path.join(base, 'other-root');
    writeSearchFolder(path.join(other, 'dddd'), 'dddd');
    process.env.SLT_INDEX_FILE = 'off';
    expect((await runCommand(registerAttach, ['attach', 'dddd', '--root', other])).error ?? '').not.toMatch(/no such search/);
    expect((await runCommand(registerAttach, ['attach', 'dddd'])).error).toMatch(/no such search/);
  });
});
