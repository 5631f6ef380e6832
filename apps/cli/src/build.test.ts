// The build the bins run (tools/build.mjs, tools/fresh.mjs), on a small throw-away repository:
// imports of workspace projects rewritten into their dist/, stale projects found by time and
// rebuilt, removed sources removed, and a source that does not compile handled both ways.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProjects } from '../../../tools/build.mjs';
import { buildBundle, REQUIRED, requiredExportNames } from '../../../tools/bundle.mjs';
import { staleBundle, staleProjects } from '../../../tools/fresh.mjs';

const repo = mkdtempSync(path.join(os.tmpdir(), 'slt-build-test-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  const file = path.join(repo, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}
const run = (): unknown => JSON.parse(execFileSync(process.execPath, [path.join(repo, 'apps/b/dist/main.js')], { encoding: 'utf8' }));

write('libs/a/package.json', JSON.stringify({ name: '@slt/a', type: 'module', exports: { '.': './src/index.ts', './extra': './src/extra.ts' } }));
write('libs/a/src/index.ts', "export const value: number = 1;\nexport { twice } from './math.js';\n");
write('libs/a/src/math.ts', 'export const twice = (x: number): number => 2 * x;\n');
write('libs/a/src/extra.ts', "export const extra = 'x';\n");
write('libs/a/src/a.test.ts', "throw new Error('a test is not built');\n");
write('apps/b/package.json', JSON.stringify({ name: '@slt/b', type: 'module' }));
write('apps/b/src/main.ts', "import { twice, value } from '@slt/a';\nimport { extra } from '@slt/a/extra';\nconsole.log(JSON.stringify({ value, twice: twice(value), extra }));\n");

describe('tools/build.mjs and tools/fresh.mjs', () => {
  it('builds every project, with @slt imports pointing into the dist/ of the project they name', async () => {
    expect(staleProjects(repo).map((r) => path.relative(repo, r)).sort()).toEqual(['apps/b', 'libs/a']);
    const reports = await buildProjects(undefined, { repo });
    expect(reports.map((r) => [path.relative(repo, r.root), r.files, r.failed])).toEqual([['libs/a', 3, []], ['apps/b', 1, []]]);
    expect(existsSync(path.join(repo, 'libs/a/dist/a.test.js'))).toBe(false);
    expect(readFileSync(path.join(repo, 'apps/b/dist/main.js'), 'utf8')).toContain('"../../../libs/a/dist/index.js"');
    expect(run()).toEqual({ value: 1, twice: 2, extra: 'x' });
    expect(staleProjects(repo)).toEqual([]);
  });

  it('finds the project whose source changed or moved, and rebuilds only what changed', async () => {
    write('libs/a/src/index.ts', "export const value: number = 3;\nexport { twice } from './calc.js';\n");
    renameSync(path.join(repo, 'libs/a/src/math.ts'), path.join(repo, 'libs/a/src/calc.ts'));
    // (a rename keeps the file's time: the folder's time tells)
    expect(staleProjects(repo)).toEqual([path.join(repo, 'libs/a')]);
    const [report] = await buildProjects(['libs/a'], { repo });
    expect(report).toMatchObject({ written: 3, removed: 2, failed: [] }); // index.js, calc.js(.map) in; math.js(.map) out
    expect(existsSync(path.join(repo, 'libs/a/dist/math.js'))).toBe(false);
    expect(run()).toEqual({ value: 3, twice: 6, extra: 'x' });
    expect(staleProjects(repo)).toEqual([]);
  });

  it('a source that does not compile fails a strict build, and keeps its last good build otherwise', async () => {
    write('libs/a/src/extra.ts', "export const extra = 'y' +;\n");
    await expect(buildProjects(['libs/a'], { repo })).rejects.toThrow(/libs\/a: libs\/a\/src\/extra\.ts:1:\d+: /);
    const [report] = await buildProjects(['libs/a'], { repo, strict: false });
    expect(report!.failed).toEqual([expect.stringMatching(/^libs\/a\/src\/extra\.ts:1:\d+: /)]);
    expect(run()).toEqual({ value: 3, twice: 6, extra: 'x' });
    expect(staleProjects(repo)).toEqual([path.join(repo, 'libs/a')]); // tried again at the next start
    write('libs/a/src/extra.ts', "export const extra = 'y';\n");
    await buildProjects(['libs/a'], { repo, strict: false });
    expect(run()).toEqual({ value: 3, twice: 6, extra: 'y' });
  });

  it('the bundle is stale when missing or older than a lib\'s sources, not when a rebuild only renewed a stamp', async () => {
    expect(staleBundle(repo)).toBe(true); // none yet
    const stamp = path.join(repo, 'apps/cli/dist/bundle/.slt-build');
    write('apps/cli/dist/bundle/.slt-build', '{}\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(stamp, later, later);
    expect(staleBundle(repo)).toBe(false);
    await buildProjects(['libs/a'], { repo }); // nothing changed: only its dist/ stamp is renewed
    utimesSync(path.join(repo, 'libs/a/dist/.slt-build'), new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
    expect(staleBundle(repo)).toBe(false);
    const edited = path.join(repo, 'libs/a/src/extra.ts');
    utimesSync(edited, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
    expect(staleBundle(repo)).toBe(true);
    rmSync(path.join(repo, 'apps/cli/dist'), { recursive: true, force: true });
  });

  it('names an import of a project that does not exist', async () => {
    write('apps/b/src/main.ts', "import { nothing } from '@slt/zzz';\nconsole.log(nothing);\n");
    await expect(buildProjects(['apps/b'], { repo })).rejects.toThrow(/apps\/b\/src\/main\.ts: imports @slt\/zzz, which is no workspace project/);
  });
});

describe('tools/bundle.mjs (the bin runs it)', () => {
  it('bundles the command and the pool worker: the bundle runs `slt --help`, and its pool spawns the worker beside it', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'slt-bundle-test-'));
    try {
      const first = await buildBundle({ outDir: out });
      expect(first.files).toBeGreaterThan(4);
      expect(existsSync(path.join(out, 'main.js')) && existsSync(path.join(out, 'worker.js'))).toBe(true);
      // The command modules stay separate chunks (loaded on demand), tfjs stays an installed
      // package, loaded with require(): no ESM import of it is left (Node would lex it first).
      const js = readdirSync(out).filter((f) => f.endsWith('.js'));
      expect(js.length).toBeGreaterThan(10);
      const code = js.map((f) => readFileSync(path.join(out, f), 'utf8')).join('\n');
      expect(code).not.toMatch(/(from |import\()"@tensorflow\//);
      for (const pkg of REQUIRED) expect(code).toContain(`createRequire(import.meta.url)(${JSON.stringify(pkg)})`);
      const help = execFileSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(path.join(out, 'main.js'))}); process.exitCode = await main(['--help']);`], { encoding: 'utf8' });
      expect(help).toMatch(/^Usage: slt \[options\] \[command\]/);
      // The pool in the bundle resolves its worker next to itself (spawn.ts: new URL('./worker.js', import.meta.url)).
      const spawners = readdirSync(out).filter((f) => f.endsWith('.js') && /new URL\([^)]*"\.\/worker\.js", import\.meta\.url\)/.test(readFileSync(path.join(out, f), 'utf8')));
      expect(spawners).toHaveLength(1);
      expect(spawners[0]).not.toBe('worker.js');
      // The stand-ins export every name an ESM import of the package has.
      for (const pkg of REQUIRED) {
        const esm = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pkg)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default')))`], { encoding: 'utf8' })) as string[];
        expect(esm.length).toBeGreaterThan(pkg === '@tensorflow/tfjs' ? 500 : 3);
        const names = new Set(requiredExportNames(path.resolve(import.meta.dirname, '../../..'), pkg));
        expect(esm.filter((k) => !names.has(k))).toEqual([]);
      }
      // Nothing changed: nothing written again.
      expect((await buildBundle({ outDir: out })).written).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
