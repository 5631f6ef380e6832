#!/usr/bin/env node
/**
 * Builds projects to JavaScript: every `src/**\/*.ts(x)` of a project except tests becomes
 * `dist/**\/*.js` (esbuild, one output file per source file, ESM, node20). Imports stay as
 * written, except `@slt/<name>[/<subpath>]`, which becomes a relative path into that project's
 * dist/ (the file its package.json `exports` names under src/, as .js): the built code needs no
 * tsx, no export conditions and no loader hook. The package exports keep naming the sources,
 * so vitest, tsc and `npx tsx` keep running on them.
 *
 * Safe while other processes read dist/: a file is written only when its content changed, each
 * by temp file + rename; files whose source is gone are removed; `dist/.slt-build` is stamped last
 * with the build's start time (tools/fresh.mjs compares the sources' times with it).
 *
 * Usage: `node tools/build.mjs [projectRoot...]` (default: every project).
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_DIR, buildBundle } from './bundle.mjs';
import { projectRoots } from './fresh.mjs';

/** The repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The stamp file in each dist/, written last with the build's start time. */
export const STAMP = '.slt-build';
const TEST_FILE = /\.test\.tsx?$/;
const SOURCE_FILE = /\.tsx?$/;

/**
 * Every buildable project: a folder under libs/ or apps/ with a package.json and a src/ folder.
 * @returns {{ root: string; name: string; exports: Record<string, unknown> }[]}
 */
export function listProjects(repo = REPO) {
  const out = [];
  for (const root of projectRoots(repo)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
      out.push({ root, name: pkg.name, exports: typeof pkg.exports === 'string' ? { '.': pkg.exports } : (pkg.exports ?? {}) });
    } catch {
      /* not a project */
    }
  }
  return out;
}

/** The source files of `dir` (recursive), tests left out. */
function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (SOURCE_FILE.test(entry.name) && !TEST_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every file below `dir` (recursive); none when it does not exist. */
function filesBelow(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesBelow(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The string a package.json `exports` entry names (a path, or the first path of a conditions object). */
function exportTarget(entry) {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    for (const key of ['import', 'default', 'node']) if (key in entry) return exportTarget(entry[key]);
    for (const v of Object.values(entry)) {
      const t = exportTarget(v);
      if (t) return t;
    }
  }
  return undefined;
}

/** Maps `@slt/x[/sub]` to the absolute path of the built file, or throws naming the import. */
function builtTarget(projects, specifier, importer) {
  const m = /^(@slt\/[^/]+)(\/.+)?$/.exec(specifier);
  const project = m && projects.find((p) => p.name === m[1]);
  if (!project) throw new Error(`${importer}: imports ${specifier}, which is no workspace project`);
  const key = m[2] ? `.${m[2]}` : '.';
  const target = exportTarget(project.exports[key]);
  if (!target || !target.startsWith('./src/') || !SOURCE_FILE.test(target)) {
    throw new Error(`${importer}: imports ${specifier}, but ${project.name}'s package.json exports no ./src/*.ts for "${key}"`);
  }
  return path.join(project.root, 'dist', target.slice('./src/'.length).replace(SOURCE_FILE, '.js'));
}

/** Writes `contents` to `file` by temp file + rename, only when it differs from what is there. */
export function writeIfChanged(file, contents) {
  try {
    if (Buffer.compare(readFileSync(file), contents) === 0) return false;
  } catch {
    /* missing */
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
  return true;
}

/** Removes the empty folders below `dir` (not `dir`). */
function pruneEmpty(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    pruneEmpty(p);
    try {
      rmdirSync(p);
    } catch {
      /* not empty, or gone */
    }
  }
}

/** The esbuild options of one project (every import external; `@slt/x` rewritten to its dist). */
function esbuildOptions(repo, root, projects, entryPoints) {
  const src = path.join(root, 'src');
  const dist = path.join(root, 'dist');
  return {
    absWorkingDir: repo, // messages name files relative to the repository root
    entryPoints,
    outdir: dist,
    outbase: src,
    bundle: true, // with every import external (below): one output per source, imports rewritten
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'slt-externals',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            if (!args.path.startsWith('@slt/')) return { path: args.path, external: true };
            const target = builtTarget(projects, args.path, args.importer);
            const from = path.join(dist, path.relative(src, path.dirname(args.importer)));
            let rel = path.relative(from, target).split(path.sep).join('/');
            if (!rel.startsWith('.')) rel = `./${rel}`;
            return { path: rel, external: true };
          });
        },
      },
    ],
  };
}

/** `file:line:col: text` of an esbuild message. */
function describe(message) {
  const l = message.location;
  return l ? `${l.file}:${l.line}:${l.column}: ${message.text}` : message.text;
}

/** The built file of a source file. */
function outputOf(root, source) {
  return path.join(root, 'dist', path.relative(path.join(root, 'src'), source).replace(SOURCE_FILE, '.js'));
}

/**
 * Builds one project's src/ to dist/. A source that does not compile fails the build (`strict`,
 * the default: `nx run x:build`, `npm ci`); with `strict: false` (the bins' rebuild, while
 * someone may be mid-edit) it keeps its last good build and is reported in `failed`, the rest is
 * built, and the stamp is not renewed (so the next start tries again).
 * @param {string} root the project folder
 * @returns {Promise<{ files: number; written: number; removed: number; failed: string[] }>}
 */
export async function buildProject(root, projects = listProjects(), { strict = true, repo = REPO } = {}) {
  const started = new Date();
  const dist = path.join(root, 'dist');
  const entryPoints = sourceFiles(path.join(root, 'src'));
  let entries = entryPoints;
  const failed = [];
  let result;
  for (;;) {
    try {
      result = await build(esbuildOptions(repo, root, projects, entries));
      break;
    } catch (e) {
      const errors = e?.errors ?? [];
      const bad = new Set(errors.map((m) => m.location?.file && path.resolve(repo, m.location.file)).filter(Boolean));
      const text = errors.length > 0 ? errors.map(describe).join('\n') : String(e?.message ?? e);
      if (strict || bad.size === 0 || ![...bad].every((f) => entries.includes(f))) throw new Error(`${path.relative(repo, root)}: ${text}`);
      failed.push(...errors.map(describe));
      entries = entries.filter((f) => !bad.has(f));
    }
  }
  const keep = new Set([path.join(dist, STAMP)]);
  for (const source of entryPoints) {
    if (entries.includes(source)) continue;
    keep.add(outputOf(root, source)); // its last good build stays
    keep.add(`${outputOf(root, source)}.map`);
  }
  let written = 0;
  for (const file of result.outputFiles) {
    keep.add(file.path);
    if (writeIfChanged(file.path, file.contents)) written++;
  }
  let removed = 0;
  const bundle = path.join(repo, BUNDLE_DIR) + path.sep; // tools/bundle.mjs's, inside apps/cli/dist
  for (const file of filesBelow(dist)) {
    if (keep.has(file) || file.endsWith('.tmp') || file.startsWith(bundle)) continue;
    rmSync(file, { force: true });
    removed++;
  }
  pruneEmpty(dist);
  if (failed.length === 0) {
    mkdirSync(dist, { recursive: true });
    writeFileSync(path.join(dist, STAMP), `${JSON.stringify({ sources: entryPoints.length })}\n`);
    utimesSync(path.join(dist, STAMP), started, started);
  }
  return { files: entryPoints.length, written, removed, failed };
}

/**
 * Builds the given project folders (default: every project), one after the other.
 * @param {string[] | undefined} roots project folders (absolute, or relative to `options.repo`)
 * @param {{ strict?: boolean; repo?: string }} options `repo`: the repository root (default: this one)
 */
export async function buildProjects(roots, options = {}) {
  const repo = options.repo ?? REPO;
  const projects = listProjects(repo);
  const chosen = roots && roots.length > 0 ? roots.map((r) => path.resolve(repo, r)) : projects.map((p) => p.root);
  const reports = [];
  for (const root of chosen) reports.push({ root, ...(await buildProject(root, projects, options)) });
  return reports;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const roots = process.argv.slice(2);
    for (const r of await buildProjects(roots)) {
      process.stdout.write(`${path.relative(REPO, r.root)}: ${r.files} files, ${r.written} written, ${r.removed} removed\n`);
    }
    // The bin's bundle: with every project (npm ci, npm run build) or with the cli's own build.
    if (roots.length === 0 || roots.some((r) => path.resolve(REPO, r) === path.join(REPO, 'apps', 'cli'))) {
      const b = await buildBundle();
      process.stdout.write(`${BUNDLE_DIR}: ${b.files} files, ${b.written} written, ${b.removed} removed\n`);
    }
  } catch (e) {
    process.stderr.write(`build: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
