import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../testing/run-command.js';
import { registerRm } from './rm.js';

// A search folder as the runner leaves it: a journal (and a lock while a process runs it).
function searchFolder(root: string, id: string, lockPid?: number): string {
  const dir = path.join(root, id);
  mkdirSync(dir, { recursive: true });
  const started = { seq: 1, time: new Date().toISOString(), type: 'search.started', searchId: id, parentRunKey: id };
  writeFileSync(path.join(dir, 'journal.jsonl'), `${JSON.stringify(started)}\n`);
  if (lockPid) writeFileSync(path.join(dir, 'search.lock'), JSON.stringify({ pid: lockPid, host: hostname(), startedAt: new Date().toISOString() }));
  return dir;
}

describe('slt rm', () => {
  it('removes a search by id (or prefix) under --root, says what stays in MLflow, and refuses a running one', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'slt-rm-'));
    const dir = searchFolder(root, '20260101-000000-abcd');
    const r = await runCommand(registerRm, ['rm', '20260101-000000-ab', '--root', root]);
    expect(r.code).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(r.out).toContain(`(${dir})`);
    const live = searchFolder(root, 'live-one', process.pid);
    const refused = await runCommand(registerRm, ['rm', 'live-one', '--root', root]);
    expect(refused.code).toBe(1);
    expect(refused.error).toContain(`slt stop ${live}`);
    expect(existsSync(path.join(live, 'journal.jsonl'))).toBe(true);
    const missing = await runCommand(registerRm, ['rm', 'nope', '--root', root]);
    expect(missing.code).not.toBe(0);
    expect(missing.error).toContain('nope');
  });
});
