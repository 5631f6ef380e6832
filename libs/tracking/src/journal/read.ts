/**
 * Reading a journal: whole-file read with torn-tail tolerance, and a tail-follow loop.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { JournalError } from '../errors.js';
import type { JournalRecord } from './records.js';
import { abortableSleep } from '../util/sleep.js';

/** Result of parsing journal text. */
export interface ParsedJournal {
  /** Complete, valid records in file order. */
  records: JournalRecord[];
  /** Byte length of the valid prefix (everything after it is a torn tail). */
  validBytes: number;
  /** True when a torn (unterminated or unparsable) last line was dropped. */
  torn: boolean;
}

function parseLine(file: string, line: string, lineNo: number): JournalRecord {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch (cause) {
    throw new JournalError(file, `Journal ${file} line ${lineNo} is not valid JSON`, { cause, line: lineNo });
  }
  const r = rec as JournalRecord;
  if (!r || typeof r !== 'object' || typeof r.seq !== 'number' || typeof r.type !== 'string' || typeof r.time !== 'string') {
    throw new JournalError(file, `Journal ${file} line ${lineNo} is not a record (needs numeric seq, string time and type)`, {
      line: lineNo,
    });
  }
  return r;
}

/** Parses journal bytes; a torn last line is dropped, any other bad line throws `JournalError`. */
export function parseJournal(file: string, buf: Buffer): ParsedJournal {
  const records: JournalRecord[] = [];
  let start = 0;
  let lineNo = 0;
  let torn = false;
  let lastSeq = 0;
  while (start < buf.length) {
    lineNo++;
    const nl = buf.indexOf(0x0a, start);
    const end = nl === -1 ? buf.length : nl;
    const text = buf.subarray(start, end).toString('utf8');
    const isLast = nl === -1 || nl === buf.length - 1;
    if (nl === -1) {
      torn = true; // unterminated: a crash mid-write
      break;
    }
    if (text.trim() === '') {
      start = nl + 1;
      continue;
    }
    let rec: JournalRecord;
    try {
      rec = parseLine(file, text, lineNo);
    } catch (err) {
      if (isLast) {
        torn = true;
        break;
      }
      throw err;
    }
    if (rec.seq <= lastSeq) {
      throw new JournalError(file, `Journal ${file} line ${lineNo}: seq ${rec.seq} does not follow seq ${lastSeq}`, { line: lineNo });
    }
    lastSeq = rec.seq;
    records.push(rec);
    start = nl + 1;
  }
  return { records, validBytes: start, torn };
}

/**
 * Reads every record of the journal at `file` (a torn last line, left by a crash mid-write,
 * is ignored). Throws `JournalError` when the file is missing or a line before the last is bad.
 */
export async function readJournal(file: string): Promise<JournalRecord[]> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (cause) {
    throw new JournalError(file, `Cannot read journal ${file}: ${(cause as Error).message}`, { cause });
  }
  return parseJournal(file, buf).records;
}

/** Options of `followJournal`. */
export interface FollowOptions {
  /** Only records with `seq` greater than this are passed on (default 0: all). */
  afterSeq?: number;
  /** How often the file is polled for new bytes, in ms (default 200). */
  pollMs?: number;
}

/**
 * Tails the journal at `file`: calls `onRecord` for every existing record, then for every
 * record appended later, in order, until `signal` aborts (the promise then resolves). The file
 * may not exist yet. A half-written last line is held back until its newline arrives.
 */
export async function followJournal(
  file: string,
  onRecord: (record: JournalRecord) => void | Promise<void>,
  signal: AbortSignal,
  options: FollowOptions = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 200;
  let lastSeq = options.afterSeq ?? 0;
  let offset = 0;
  let pending = Buffer.alloc(0);
  let lineNo = 0;
  while (!signal.aborted) {
    let size = -1;
    try {
      size = (await stat(file)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new JournalError(file, `Cannot follow journal ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    if (size >= 0 && size < offset) {
      // The torn tail was cut off by a writer reopening the journal.
      offset = size;
      pending = Buffer.alloc(0);
    }
    if (size > offset) {
      const fh = await open(file, 'r');
      try {
        const chunk = Buffer.alloc(size - offset);
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, offset);
        offset += bytesRead;
        pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
      } finally {
        await fh.close();
      }
      let nl: number;
      while ((nl = pending.indexOf(0x0a)) !== -1) {
        const text = pending.subarray(0, nl).toString('utf8');
        pending = pending.subarray(nl + 1);
        lineNo++;
        if (text.trim() === '') continue;
        const rec = parseLine(file, text, lineNo);
        if (rec.seq > lastSeq) {
          lastSeq = rec.seq;
          await onRecord(rec);
        }
        if (signal.aborted) return;
      }
      continue;
    }
    await abortableSleep(pollMs, signal);
  }
}
