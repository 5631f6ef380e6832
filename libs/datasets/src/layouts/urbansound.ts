/**
 * The UrbanSound8K layout: `metadata/UrbanSound8K.csv` (slice_file_name, fold, classID, class,
 * ...) and the clips in `audio/fold1` .. `audio/fold10`. One fold is the test split (fold 1 by
 * default, as in the paper); classes are the CSV's classID -> class pairs.
 */
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DatasetEmptyClassError, DatasetFileError, DatasetOptionError, messageOf } from '../errors.js';
import { readFileNamed } from '../files.js';
import type { Catalog, CatalogItem } from './catalog.js';

/** The metadata file of the layout, relative to its root. */
export const URBANSOUND_CSV = join('metadata', 'UrbanSound8K.csv');
const REQUIRED = ['slice_file_name', 'fold', 'classID', 'class'] as const;

/** One parsed row of the metadata file. */
export interface UrbanSoundRow {
  file: string;
  fold: number;
  classId: number;
  className: string;
  /** 1-based line in the CSV (header = 1). */
  line: number;
}

/**
 * Parses and checks `metadata/UrbanSound8K.csv`; an error names the file and line. With
 * `problems`, a bad row is reported there (as `line N: ...`) and left out instead of thrown.
 */
export async function readUrbanSoundCsv(root: string, problems?: string[]): Promise<UrbanSoundRow[]> {
  const csvFile = join(root, URBANSOUND_CSV);
  const text = (await readFileNamed(csvFile)).toString('utf8');
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true });
  } catch (err) {
    throw new DatasetFileError(csvFile, `not valid CSV: ${messageOf(err)}`, { cause: err });
  }
  if (records.length === 0) throw new DatasetFileError(csvFile, 'has no data rows');
  const header = Object.keys(records[0]!.record);
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new DatasetFileError(csvFile, `lacks column(s) ${missing.join(', ')} (needs ${REQUIRED.join(', ')})`);
  }
  const rows: UrbanSoundRow[] = [];
  for (const { record: r, info } of records) {
    const line = info.lines;
    const fold = Number(r.fold);
    const classId = Number(r.classID);
    let problem: string | undefined;
    if (!r.slice_file_name) problem = 'empty slice_file_name';
    else if (!Number.isInteger(fold) || fold < 1 || fold > 10) problem = `fold ${JSON.stringify(r.fold)} is out of range 1..10`;
    else if (!Number.isInteger(classId) || classId < 0 || classId > 9999) {
      problem = `classID ${JSON.stringify(r.classID)} is not an integer in 0..9999`;
    } else if (!r.class) problem = 'empty class name';
    if (problem === undefined) rows.push({ file: r.slice_file_name!, fold, classId, className: r.class!, line });
    else if (problems) problems.push(`line ${line}: ${problem}`);
    else throw new DatasetFileError(csvFile, `line ${line}: ${problem}`);
  }
  return rows;
}

/** Class names by classID; a classID with two names, or a gap in 0..max, is an error. */
export function urbanSoundClasses(root: string, rows: UrbanSoundRow[]): string[] {
  const csvFile = join(root, URBANSOUND_CSV);
  const names: string[] = [];
  for (const r of rows) {
    const known = names[r.classId];
    if (known === undefined) names[r.classId] = r.className;
    else if (known !== r.className) {
      throw new DatasetFileError(
        csvFile,
        `line ${r.line}: classID ${r.classId} is named "${r.className}" but earlier "${known}"`,
      );
    }
  }
  for (let c = 0; c < names.length; c++) {
    if (names[c] === undefined) throw new DatasetEmptyClassError(`classID ${c}`, csvFile, 'has no row (classIDs must run 0..K-1)');
  }
  return names;
}

/** Builds the catalog with fold `testFold` (1..10) as the fixed test split. */
export async function catalogUrbanSound(root: string, name: string, testFold: number): Promise<Catalog> {
  if (!Number.isInteger(testFold) || testFold < 1 || testFold > 10) {
    throw new DatasetOptionError('testFold', testFold, 'an integer fold number in 1..10');
  }
  const rows = await readUrbanSoundCsv(root);
  const classNames = urbanSoundClasses(root, rows);
  if (!rows.some((r) => r.fold === testFold)) {
    throw new DatasetOptionError('testFold', testFold, `a fold present in ${join(root, URBANSOUND_CSV)}`);
  }
  const items: CatalogItem[] = rows.map((r) => {
    const rel = `audio/fold${r.fold}/${r.file}`;
    return { id: rel, label: r.classId, file: join(root, rel), fixedTest: r.fold === testFold };
  });
  return { kind: 'urbansound8k', name, root, media: 'audio', classNames, items, testSource: `fold ${testFold}` };
}
