/**
 * Provenance of a search: what actually ran. slt's version and git commit, the weights file(s)
 * with their sha256 and the data set's fingerprint (sha256 of the loaded splits). Resume refuses
 * data or weights whose fingerprint differs from the journal's.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ResumeError } from '../errors.js';
import type { SearchProvenanceRecord } from '../journal/records.js';
import type { ImageDataset } from '../ports/types.js';

/** slt's version (the workspace package.json) and git commit ('unknown' outside a git checkout). */
export interface BuildInfo {
  version: string;
  commit: string;
}

let build: Promise<BuildInfo> | undefined;

/** The repository root: the first folder above this module with the workspace's package.json. */
function repoRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const j = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; workspaces?: unknown };
        if (j.workspaces) return dir;
      } catch {
        /* not ours */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const execFileAsync = promisify(execFile);

/** `git` in `root` with `args`: its output, or undefined (no git, not a checkout, 5 s passed). */
async function git(root: string, args: string[]): Promise<string | undefined> {
  try {
    return (await execFileAsync('git', ['-C', root, ...args], { encoding: 'utf8', timeout: 5000 })).stdout;
  } catch {
    return undefined;
  }
}

/**
 * slt's version and commit, computed once per process in the background: a search starts this
 * when it starts and awaits it for its provenance record, so the two `git` processes run while
 * the workers start, not on the event loop when the first genomes are due (a synchronous spawn
 * held it about 35 ms there, with git's own CPU on top).
 */
export function buildInfo(): Promise<BuildInfo> {
  build ??= (async () => {
    const root = repoRoot();
    let version = 'unknown';
    let commit = 'unknown';
    if (root) {
      try {
        version = (JSON.parse(readFileSync(path.join(root, 'apps/cli/package.json'), 'utf8')) as { version?: string }).version ?? version;
      } catch {
        /* keep unknown */
      }
      const [head, dirty] = await Promise.all([
        git(root, ['rev-parse', 'HEAD']),
        git(root, ['status', '--porcelain', '--untracked-files=no', '--', 'libs', 'apps']),
      ]);
      if (head?.trim()) commit = head.trim() + (dirty?.trim() ? '-dirty' : '');
    }
    return { version, commit };
  })();
  return build;
}

/** sha256 of the loaded data set: class names, then per split its shape, pixels and labels. */
export function dataFingerprint(d: ImageDataset): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(d.classNames));
  for (const s of [d.train, d.val, d.test]) {
    h.update(JSON.stringify(s.shape));
    h.update(new Uint8Array(s.images.buffer, s.images.byteOffset, s.images.byteLength));
    h.update(new Uint8Array(s.labels.buffer, s.labels.byteOffset, s.labels.byteLength));
  }
  return h.digest('hex');
}

/** What a resume compares with the journal. */
export interface Fingerprints {
  data: { path: string; fingerprint: string };
  weights: { source: string; sha256: string };
}

/**
 * Refuses to resume on data or weights that differ from those the search started with.
 * @throws ResumeError naming both fingerprints (and both paths).
 */
export function checkResumeProvenance(journalPath: string, recorded: SearchProvenanceRecord | undefined, now: Fingerprints): void {
  if (!recorded) return; // a journal written before provenance existed
  const short = (h: string) => h.slice(0, 16);
  if (recorded.data.fingerprint !== now.data.fingerprint) {
    throw new ResumeError(journalPath, `the data set differs from the one the search started with: ${now.data.path} now has fingerprint ${short(now.data.fingerprint)}, the journal records ${short(recorded.data.fingerprint)} for ${recorded.data.path}`, { kind: 'bad-input' });
  }
  if (recorded.weights.sha256 !== now.weights.sha256) {
    throw new ResumeError(journalPath, `the weights differ from those the search started with: ${now.weights.source} has sha256 ${short(now.weights.sha256)}, the journal records ${short(recorded.weights.sha256)} for ${recorded.weights.source}`, { kind: 'bad-input' });
  }
}
