/**
 * Where a study lives: a folder (under the search root, like a search, or `--out`) with its
 * journal `study.jsonl`, its resolved config `study-config.json` and one compare search per
 * model under `models/<slug>/`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { defaultSearchRoot } from '../search/paths.js';
import { findInSearchIndex } from '../search/search-index.js';
import { StudyNotFoundError } from './errors.js';

/** File name of a study's journal inside its folder. */
export const STUDY_JOURNAL = 'study.jsonl';
/** File name of a study's resolved configuration (a `--config` file; marks a study folder before its journal exists). */
export const STUDY_CONFIG_FILE = 'study-config.json';
/** Sub-folder holding one search folder per model. */
export const STUDY_MODELS_DIR = 'models';

/** A study's folder and journal. */
export interface StudyLocation {
  dir: string;
  journalPath: string;
}

/** True when `dir` is a study folder (its journal or its config is there). */
export function isStudyDir(dir: string): boolean {
  return existsSync(path.join(dir, STUDY_JOURNAL)) || existsSync(path.join(dir, STUDY_CONFIG_FILE));
}

/** The folder of one model's search inside a study. */
export function studyModelDir(studyDir: string, slug: string): string {
  return path.join(studyDir, STUDY_MODELS_DIR, slug);
}

/** True when `ref` (a folder, a `study.jsonl`, or an id under `root`) names a study. */
export function isStudyRef(ref: string, root: string = defaultSearchRoot()): boolean {
  try {
    locateStudy(ref, root);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a study from what a user typed: its folder, its `study.jsonl`, or its id (or a unique
 * prefix) under `root`.
 * @throws StudyNotFoundError naming the reference.
 */
export function locateStudy(ref: string, root: string = defaultSearchRoot()): StudyLocation {
  const abs = path.resolve(ref);
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) {
      if (!isStudyDir(abs)) throw new StudyNotFoundError(abs, `no ${STUDY_JOURNAL} in this folder: not a study folder`);
      return { dir: abs, journalPath: path.join(abs, STUDY_JOURNAL) };
    }
    if (path.basename(abs) === STUDY_JOURNAL) return { dir: path.dirname(abs), journalPath: abs };
    throw new StudyNotFoundError(abs, `not a study journal (${STUDY_JOURNAL})`);
  }
  const ids = existsSync(root) ? readdirSync(root).filter((d) => isStudyDir(path.join(root, d))) : [];
  const hits = ids.filter((id) => id === ref || id.startsWith(ref));
  if (hits.length === 1 || hits.includes(ref)) {
    const id = hits.includes(ref) ? ref : hits[0]!;
    return { dir: path.join(root, id), journalPath: path.join(root, id, STUDY_JOURNAL) };
  }
  // Not under root: the per-user index of searches knows the studies started from any folder.
  const known = hits.length ? [] : findInSearchIndex(ref, 'study', (e) => isStudyDir(e.dir));
  if (known.length === 1) return { dir: known[0]!.dir, journalPath: path.join(known[0]!.dir, STUDY_JOURNAL) };
  if (known.length > 1) throw new StudyNotFoundError(ref, `ambiguous study id; matches ${known.map((e) => `${e.id} (${e.dir})`).join(', ')}`);
  throw new StudyNotFoundError(ref, hits.length > 1 ? `ambiguous study id; matches ${hits.join(', ')}` : `no such study folder, journal or id under ${root}`);
}
