/**
 * Bundles the `slt` command and its pool worker for a faster start: `apps/cli/dist/bundle/`
 * holds `main.js` and `worker.js` (one ESM graph, code split into shared chunks, the commands still
 * loaded on demand), built from the sources of every project. Node loads a few dozen files instead
 * of about 600 modules (the libs' one-file-per-source dist/, zod, yaml, execa, commander), which
 * took each process about 0.4 s of a core before it did anything. tfjs stays external (CommonJS,
 * loaded as installed; tfjs-node swaps in on GPU servers), as do native and build-time packages.
 *
 * The pool spawns `./worker.js` next to the code that spawns it, so in the bundle the worker is
 * the bundle's own. Written like tools/build.mjs writes dist/: only changed files, by temp file +
 * rename; chunks of older bundles stay a day (a process started before may still load one), and
 * the stamp `.slt-build` is written last with the build's start time.
 */
import { readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// (build.mjs imports this file too: the cycle is safe, each uses the other's functions only when called)
import { writeIfChanged } from './build.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The bundle's folder, relative to the repository root. */
export const BUNDLE_DIR = 'apps/cli/dist/bundle';
const STAMP = '.slt-build';
const STALE_CHUNK_MS = 24 * 3600 * 1000;

/**
 * The CommonJS packages the bundle loads with require() rather than import: Node reads a CommonJS
 * module imported from ESM with its export lexer first, and for tfjs (its re-exports reach
 * tfjs-core, layers, converter, data and two backends, several MB) that lexing took each process
 * 0.4-0.8 s of a core before tfjs ran at all: the workers' start, on a search's critical path.
 */
export const REQUIRED = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'];

/** A name `export const { name } = m` can bind. */
function isBindable(name) {
  if (!/^[A-Za-z_$][\w$]*$/.test(name) || name === 'default') return false;
  try {
    new Function(`"use strict"; let ${name};`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The names the bundle's stand-in for `pkg` exports: every bindable key of the installed package's
 * exports object (a superset of the names Node's lexer gives an ESM import of it). Read in a child
 * process: loading tfjs here would register its backends in the process that builds (the bin
 * rebuilds a stale bundle in-process, then runs it).
 * @param {string} repo
 * @param {string} pkg
 * @returns {string[]}
 */
export function requiredExportNames(repo, pkg) {
  const script = `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(pkg)}))))`;
  const keys = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repo, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }));
  return keys.filter(isBindable).sort();
}

/**
 * An esbuild plugin: each of `packages`, imported statically or dynamically, becomes a small module
 * that require()s the installed package (still external: one instance, loaded as installed) and
 * exports its names, listed here at build time from the package itself (what the lexer would find
 * at run time, and more: getters included).
 * @param {string} repo
 * @param {string[]} packages
 */
function requireCommonJs(repo, packages) {
  const filter = new RegExp(`^(${packages.map((p) => p.replace(/[/.-]/g, '\\$&')).join('|')})$`);
  return {
    name: 'slt-require-commonjs',
    setup(b) {
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'slt-require' }));
      b.onLoad({ filter: /.*/, namespace: 'slt-require' }, (args) => {
        const names = requiredExportNames(repo, args.path);
        const spec = JSON.stringify(args.path);
        return {
          loader: 'js',
          resolveDir: repo,
          contents: [
            `import { createRequire } from 'node:module';`,
            `const m = createRequire(import.meta.url)(${spec});`,
            'export default m;',
            `export const { ${names.join(', ')} } = m;`,
          ].join('\n'),
        };
      });
    },
  };
}

/**
 * Builds the bundle; throws (naming the file and line) when a source does not compile, leaving the
 * last good bundle in place and its stamp unchanged.
 * @param {{ repo?: string; outDir?: string }} options `outDir`: another folder (tests)
 * @returns {Promise<{ files: number; written: number; removed: number }>}
 */
export async function buildBundle({ repo = REPO, outDir } = {}) {
  const started = new Date();
  const out = outDir ?? path.join(repo, BUNDLE_DIR);
  const { build } = await import('esbuild');
  let result;
  try {
    result = await build({
      absWorkingDir: repo,
      entryPoints: { main: 'apps/cli/src/main.ts', worker: 'libs/models/src/pool/worker.ts' },
      outdir: out,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      jsx: 'automatic',
      // tfjs (CommonJS, and tfjs-node replaces its backend where installed), native addons, and
      // what only the sources' mode (SLT_DEV=1) or a build loads stay as installed packages.
      external: ['@tensorflow/*', '@resvg/*', 'tsx', 'tsx/*', 'esbuild'],
      plugins: [requireCommonJs(repo, REQUIRED)],
      // CommonJS packages bundled into ESM call require(): give them one.
      banner: { js: "import { createRequire as __sltCreateRequire } from 'node:module'; const require = __sltCreateRequire(import.meta.url);" },
      sourcemap: 'linked',
      sourcesContent: false,
      write: false,
      logLevel: 'silent',
    });
  } catch (e) {
    const errors = e?.errors ?? [];
    const text = errors.length > 0 ? errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text)).join('\n') : String(e?.message ?? e);
    throw new Error(`${path.relative(repo, out)}: ${text}`);
  }
  const keep = new Set([path.join(out, STAMP)]);
  let written = 0;
  // Chunks (content-hashed names) first, the entry points last: a process that starts meanwhile
  // loads either the old entry with its old chunks (kept, below) or the new one with all of its own.
  const entries = new Set(['main.js', 'worker.js'].map((f) => path.join(out, f)));
  const ordered = [...result.outputFiles.filter((f) => !entries.has(f.path)), ...result.outputFiles.filter((f) => entries.has(f.path))];
  for (const file of ordered) {
    keep.add(file.path);
    if (writeIfChanged(file.path, file.contents)) written++;
  }
  let removed = 0;
  for (const name of readdirSync(out)) {
    const file = path.join(out, name);
    if (keep.has(file)) continue;
    try {
      if (Date.now() - statSync(file).mtimeMs < STALE_CHUNK_MS && !name.endsWith('.tmp')) continue;
      rmSync(file, { force: true });
      removed++;
    } catch {
      /* gone meanwhile */
    }
  }
  writeFileSync(path.join(out, STAMP), `${JSON.stringify({ outputs: result.outputFiles.length })}\n`);
  utimesSync(path.join(out, STAMP), started, started);
  return { files: result.outputFiles.length, written, removed };
}
