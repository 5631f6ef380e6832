import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileAtomic, removeStaleTemps, writeFileAtomic, writeFileAtomicSync } from './index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'slt-util-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('replaces a file whole, sync and async, and creates the folder when asked', async () => {
    const file = path.join(dir, 'a.json');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    writeFileAtomicSync(file, new Uint8Array([104, 105]), { fsync: false });
    expect(readFileSync(file, 'utf8')).toBe('hi');
    const nested = path.join(dir, 'x', 'y', 'b.txt');
    await expect(writeFileAtomic(nested, 'b')).rejects.toThrow(/ENOENT/);
    await writeFileAtomic(nested, 'b', { mkdir: true });
    writeFileAtomicSync(path.join(dir, 'z', 'c.txt'), 'c', { mkdir: true });
    await copyFileAtomic(nested, path.join(dir, 'copy', 'b.txt'), { mkdir: true });
    expect(readFileSync(path.join(dir, 'copy', 'b.txt'), 'utf8')).toBe('b');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a failed write leaves the old file and no temp file', async () => {
    const target = path.join(dir, 'folder-target');
    await writeFileAtomic(path.join(target, 'inside'), 'x', { mkdir: true });
    await expect(writeFileAtomic(target, 'y')).rejects.toThrow(); // a folder cannot be renamed over
    expect(() => writeFileAtomicSync(target, 'y')).toThrow();
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('x');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('removes the temps of dead writers only', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const d = mkdtempSync(path.join(dir, 'temps-'));
    writeFileSync(path.join(d, `.state.json.${dead}.ab12.tmp`), '');
    writeFileSync(path.join(d, `.state.json.${process.pid}.cd34.tmp`), '');
    writeFileSync(path.join(d, 'state.json'), '{}');
    expect(removeStaleTemps(d, (pid) => pid !== Number(dead))).toEqual([`.state.json.${dead}.ab12.tmp`]);
    expect(readdirSync(d).sort()).toEqual([`.state.json.${process.pid}.cd34.tmp`, 'state.json']);
    expect(removeStaleTemps(path.join(dir, 'missing'), () => false)).toEqual([]);
  });
});
