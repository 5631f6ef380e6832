/**
 * `slt search` starts its worker processes before it loads tfjs: the first process the command
 * spawns (a worker) is spawned while no @tensorflow module is loaded in the search process, so the
 * workers' own start (Node, tfjs, backend) overlaps the parent's. A probe (`--require`) wraps
 * child_process.spawn and, at the first spawn, prints how many @tensorflow modules are loaded.
 */
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sharedData, slt, smallSearchFlags, tempDir } from './helpers.js';

let cwd: string;
beforeAll(async () => {
  cwd = await tempDir('early');
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

it('spawns the first worker before the search process loads tfjs, and still finishes', async () => {
  const probe = path.join(cwd, 'probe.cjs');
  writeFileSync(probe, [
    "const cp = require('child_process'); const spawn = cp.spawn; let seen = false;",
    "cp.spawn = function (...args) { if (!seen) { seen = true; const n = Object.keys(require('module')._cache).filter((k) => /@tensorflow/.test(k)).length; require('fs').writeSync(2, `FIRST_SPAWN_TFJS=${n}\\n`); } return spawn.apply(this, args); };",
    "require('module').syncBuiltinESMExports();",
  ].join('\n'));
  const flags = smallSearchFlags(path.join(sharedData, 'fashion-mnist-900'), ['--workers', '1', '--population', '4', '--generations', '1', '--out', 'run']);
  const r = await slt(['search', ...flags], cwd, { NODE_OPTIONS: `--require ${probe}` });
  expect(r.exitCode, r.all).toBe(0);
  expect(r.all).toMatch(/FIRST_SPAWN_TFJS=0\n/);
  expect(r.stdout).toMatch(/search \S+ finished: best val accuracy/);
}, 180_000);
