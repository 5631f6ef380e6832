import path from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { expect, inject, test } from 'vitest';
import { runPlain } from './plain.js';

const searchDir = inject('searchDir');
const root = path.dirname(searchDir);
const collect = () => {
  const chunks: string[] = [];
  const out = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
  return { out, text: () => chunks.join('') };
};

test('plain mode follows a search as a progress log', async () => {
  const c = collect();
  expect(await runPlain({ root, attach: 'fixture', out: c.out })).toBe(0);
  const text = c.text();
  // Generations read from 1; the figures are the CLI's (`slt attach` prints the same line).
  expect(text).toMatch(/generation 1 done: best 0\.\d+ .*\[4\/14 evals \| gen 1\/2 \| cache 0/);
  expect(text).toMatch(/search fixture-search finished: best val accuracy 0\.\d{4}/);
  expect(text).not.toContain(String.fromCharCode(27));
});

test('plain mode lists the searches when none is live', async () => {
  const c = collect();
  expect(await runPlain({ root, out: c.out })).toBe(0);
  expect(c.text()).toMatch(/^1 searches in .*\n.*fixture-search\s+finished\s+14\/14/);
});

test('piped into head, the plain log and slt attach --json / slt ls exit quietly (no EPIPE trace)', async () => {
  const bin = path.resolve(import.meta.dirname, '../bin/tui.js');
  const slt = path.resolve(import.meta.dirname, '../../cli/bin/slt.js');
  for (const cmd of [`${bin} --root ${root} --attach fixture-search`, `${slt} attach --json ${searchDir}`, `${slt} ls --json --root ${root}`]) {
    const r = await execa('bash', ['-c', `set -o pipefail; ${process.execPath} ${cmd} | head -c 10 >/dev/null`], { reject: false, stdin: 'ignore' });
    expect(r.stderr, cmd).not.toMatch(/EPIPE|Error/);
    expect(r.exitCode, cmd).toBe(0);
  }
}, 120_000);

test('the bin without a TTY prints the plain log, and names a bad argument', async () => {
  const bin = path.resolve(import.meta.dirname, '../bin/tui.js');
  const ok = await execa(process.execPath, [bin, '--root', root, '--attach', 'fixture-search'], { reject: false, stdin: 'ignore' });
  expect(ok.exitCode).toBe(0);
  expect(ok.stdout).toContain('search fixture-search finished');
  const bad = await execa(process.execPath, [bin, '--preset', 'fast'], { reject: false, stdin: 'ignore' });
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain('--preset "fast": expected one of "quick demo", "paper", "elitist"');
});
