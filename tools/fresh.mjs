/**
 * Keeps the built code current for the bins: a project's dist/ is stale when its stamp
 * (`dist/.slt-build`, stamped with the build's start time by tools/build.mjs) is missing or older
 * than anything under its src/ (files and folders: a folder's time changes when a file in it is
 * added, removed or renamed), its package.json or the build script. Only fs calls here (a stat
 * walk, a few ms); esbuild is loaded only when something is stale.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_SCRIPT = path.join(REPO, 'tools', 'build.mjs');
const BUNDLE_SCRIPT = path.join(REPO, 'tools', 'bundle.mjs');
const STAMP = '.slt-build';
/** The stamp of the bin's bundle (tools/bundle.mjs), relative to the repository root. */
const BUNDLE_STAMP = path.join('apps', 'cli', 'dist', 'bundle', STAMP);

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

/** True when some entry below `dir` (or `dir` itself) changed after `since` (ms). */
function changedSince(dir, since) {
  if (mtime(dir) > since) return true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() ? changedSince(p, since) : mtime(p) > since) return true;
  }
  return false;
}

/** Every project folder: a folder under libs/ or apps/ with a src/ folder and a package.json, sorted. */
export function projectRoots(repo = REPO) {
  const out = [];
  for (const group of ['libs', 'apps']) {
    let names = [];
    try {
      names = readdirSync(path.join(repo, group));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const root = path.join(repo, group, name);
      if (mtime(path.join(root, 'src')) >= 0 && mtime(path.join(root, 'package.json')) >= 0) out.push(root);
    }
  }
  return out;
}

/** The project folders whose dist/ is missing or older than their sources. */
export function staleProjects(repo = REPO) {
  const script = mtime(BUILD_SCRIPT);
  return projectRoots(repo).filter((root) => {
    const stamp = mtime(path.join(root, 'dist', STAMP));
    return stamp < 0 || script > stamp || mtime(path.join(root, 'package.json')) > stamp || changedSince(path.join(root, 'src'), stamp);
  });
}

/**
 * True when the bin's bundle is missing or older than the sources it is built from (every lib and
 * the cli: files and folders under src/, package.json) or the scripts. A rebuild of a project that
 * changed nothing (its dist/ stamp renewed) leaves the bundle current.
 */
export function staleBundle(repo = REPO) {
  const stamp = mtime(path.join(repo, BUNDLE_STAMP));
  if (stamp < 0 || mtime(BUILD_SCRIPT) > stamp || mtime(BUNDLE_SCRIPT) > stamp) return true;
  const bundled = projectRoots(repo).filter((root) => path.basename(path.dirname(root)) === 'libs' || root === path.join(repo, 'apps', 'cli'));
  return bundled.some((root) => mtime(path.join(root, 'package.json')) > stamp || changedSince(path.join(root, 'src'), stamp));
}

/**
 * Rebuilds the stale projects (if any) before a bin imports dist/, then the bin's bundle when it
 * is older than them. A source that does not compile (someone mid-edit) keeps its last good
 * build, with a warning on stderr naming it. Resolves whether the bundle is current (when it is
 * not, the bin runs dist/ itself).
 */
export async function ensureBuilt() {
  const stale = staleProjects();
  let failed = false;
  if (stale.length > 0) {
    const { buildProjects } = await import('./build.mjs');
    try {
      for (const report of await buildProjects(stale, { strict: false })) {
        for (const f of report.failed) process.stderr.write(`slt: warning: ${f} (running its last good build)\n`);
        failed ||= report.failed.length > 0;
      }
    } catch (e) {
      process.stderr.write(`slt: cannot build ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    }
  }
  if (failed) return false; // a source mid-edit: run the per-file build, which kept the rest current
  if (!staleBundle()) return true;
  const { buildBundle } = await import('./bundle.mjs');
  try {
    await buildBundle();
    return true;
  } catch {
    return false; // dist/ is current; the bundle is retried at the next start
  }
}
