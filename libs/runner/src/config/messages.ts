/**
 * Config problems in plain words: zod's issues rewritten as `key: what was expected (got what
 * was given)`, and "did you mean" for an unknown key close to a known one.
 */
import type { z } from 'zod';

/** Levenshtein distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const norm = (k: string) => k.toLowerCase().replace(/[-_]/g, '');

/**
 * The known key closest to `word` (case, `-` and `_` ignored) when it is close enough to be a
 * typo: at most 1 edit for short words, 2 from 5 letters, 3 from 9; written in the style of
 * `word` (kebab-case when it has a `-`). Undefined when none is close.
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const w = norm(word);
  const limit = w.length >= 9 ? 3 : w.length >= 5 ? 2 : 1;
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    const d = editDistance(w, norm(key));
    if (d <= limit && (!best || d < best.d)) best = { key, d };
  }
  if (!best) return undefined;
  return word.includes('-') ? kebab(best.key) : best.key;
}

/**
 * `key: unknown key; did you mean near?`, else `key: unknown key (valid keys: ...)`; `at` names
 * where the key is when it is not at the root (`models[1].modle`).
 */
export function unknownKeyText(key: string, known: readonly string[], at = key): string {
  const near = didYouMean(key, known);
  return near ? `${at}: unknown key; did you mean ${near}?` : `${at}: unknown key (valid keys: ${known.join(', ')})`;
}

/** `unknown model "resnet5"; did you mean resnet50? (valid: ...)`: a name that is not one of `known`. */
export function unknownNameText(what: string, given: string, known: readonly string[]): string {
  const near = didYouMean(given, known);
  return `unknown ${what} ${JSON.stringify(given)}${near ? `; did you mean ${near}?` : ''} (valid: ${known.join(', ')})`;
}

/** A given value in words: `the string "abc"`, `the number 5`, `a list`, `true`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping of keys';
  return typeof v;
}

/** A given value as written: `"abc"`, `5`, `true`, `a list of 2`. */
function shortValue(v: unknown): string {
  // A flag's value is text: "--n-fft 1000" reads back as 1000, not "1000".
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return v.trim();
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return describeValue(v);
}

const EXPECTED: Record<string, string> = {
  number: 'a number', int: 'a whole number', string: 'text', boolean: 'true or false', array: 'a list', object: 'a mapping of keys',
};

/** The value at `path` of `input`, or undefined. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Options of {@link plainIssues}. */
export interface PlainIssuesOptions {
  /** The keys an object at the root may hold (for "did you mean" and the list of valid keys). */
  keys: readonly string[];
  /** What each key expects when zod only says "Invalid input" (a union: `input` -> "HxW, e.g. 32x32"). */
  expects?: Record<string, string>;
  /** The key as the user wrote it (kebab-case), by the key zod saw. */
  written?: Record<string, string>;
}

/**
 * zod issues as `key: problem` lines in plain words: "lr: expected a number (got the string
 * "abc")", "populaton: unknown key; did you mean population?", "preset: expected one of "paper",
 * "elitist" (got the string "greedy")". A custom message of the schema is kept, with what was given.
 */
export function plainIssues(issues: readonly z.core.$ZodIssue[], input: unknown, options: PlainIssuesOptions): string[] {
  const name = (k: string) => options.written?.[k] ?? k;
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => unknownKeyText(name(k), options.keys));
    }
    const segments = issue.path.map(String);
    const key = segments.length ? [name(segments[0]!), ...segments.slice(1)].join('.') : '(root)';
    const given = valueAt(input, issue.path);
    // A custom message that already says what was given gets no second "(got ...)".
    // The type is named where it is the problem ("got the string "8""), else the value alone ("got "greedy"").
    const shownValue = issue.code === 'invalid_type' && !(issue.expected === 'int' && typeof given === 'number') ? describeValue(given) : shortValue(given);
    const got = given === undefined || /\bgot\b/.test(issue.message) ? '' : ` (got ${shownValue})`;
    const generic = /^Invalid (input|option)|^Too (small|big)/.test(issue.message);
    let msg = issue.message;
    switch (issue.code) {
      case 'invalid_type':
        if (given === undefined) msg = generic ? 'required' : msg;
        else msg = `${generic ? `expected ${EXPECTED[issue.expected] ?? issue.expected}` : msg}${got}`;
        break;
      case 'invalid_value':
        msg = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
        break;
      case 'invalid_union':
        msg = `${options.expects?.[segments[0] ?? ''] ? `expected ${options.expects[segments[0]!]}` : generic ? 'not a value this key takes' : msg}${got}`;
        break;
      case 'too_small':
      case 'too_big':
        if (generic) {
          const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
          const what = issue.origin === 'string' ? (issue.code === 'too_small' && bound === 1 ? 'must not be empty' : `${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} characters`)
            : issue.origin === 'array' ? `${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} entries`
            : `must be ${issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<'} ${bound}`;
          msg = `${what}${got}`;
        } else msg = `${msg}${got}`;
        break;
      default:
        msg = `${generic ? 'not a value this key takes' : msg}${got}`;
    }
    return [`${key}: ${msg}`];
  });
}
