/**
 * Reading a search journal back: every runner record is parsed with its schema (records.ts);
 * records of other owners (`journal.created`, tracking's `run.*`) pass through untouched.
 */
import { JournalError, readJournal, type JournalRecord } from '@slt/tracking';
import { checkRecord, isRunnerRecordType, type SearchEvent } from './records.js';

/**
 * Parses one record read back from `file` (at 1-based `line`, when known).
 * @throws JournalError (of @slt/tracking) naming the file, the line and the bad fields.
 */
export function toSearchEvent(record: JournalRecord, file: string, line?: number): SearchEvent {
  if (!isRunnerRecordType(record.type)) return record as SearchEvent;
  const res = checkRecord(record);
  if (!res.ok) {
    const where = line === undefined ? `seq ${record.seq}` : `line ${line}`;
    throw new JournalError(file, `Journal ${file} ${where}: ${res.error}`, { line });
  }
  return { ...res.record, seq: record.seq, time: record.time } as SearchEvent;
}

/**
 * Reads a search journal and parses every runner record.
 * @throws JournalError naming the file and line of a foreign or damaged record.
 */
export async function readSearchJournal(file: string): Promise<SearchEvent[]> {
  const records = await readJournal(file);
  // The journal writes one record per line and no blank lines: record i is line i + 1.
  return records.map((r, i) => toSearchEvent(r, file, i + 1));
}
