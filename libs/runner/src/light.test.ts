/** `@slt/runner/light` loads no tfjs: imported in a child process (through tsx, as the sources run), no @tensorflow module is loaded. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, it } from 'vitest';

it('imports without loading tfjs, the model zoo or the chart renderer', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slt-light-'));
  const probe = path.join(dir, 'probe.cjs');
  // CommonJS modules (tfjs, resvg) are in Module._cache whether imported or required.
  writeFileSync(probe, "process.on('exit', () => { const m = Object.keys(require('module')._cache).filter((k) => /@tensorflow|resvg/.test(k)); require('fs').writeSync(2, `HEAVY=${m.length}\\n`); });\n");
  const light = fileURLToPath(new URL('./light.ts', import.meta.url));
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  const run = (file: string) => execa(process.execPath, ['--require', probe, '--import', 'tsx', '--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); if (typeof m.listKnownSearches !== 'function') process.exit(3);`], { reject: false });
  const [a, b] = await Promise.all([run(light), run(index)]);
  expect(a.exitCode, a.stderr).toBe(0);
  expect(a.stderr).toContain('HEAVY=0');
  // The check can fail: the full entry does load them.
  expect(b.stderr).toMatch(/HEAVY=[1-9]/);
}, 120_000);
