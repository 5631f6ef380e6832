/** Helpers of the screen tests: frames without ANSI codes, and their size checks. */
import { expect } from 'vitest';

/** The two sizes every screen is drawn at. */
export const SIZES = [{ columns: 80, rows: 24 }, { columns: 120, rows: 40 }] as const;

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
/** `frame` without ANSI escape codes. */
export const plain = (frame: string | undefined): string => (frame ?? '').replace(ANSI, '');

/** Asserts that no line of `frame` is wider than `columns` and that it has fewer lines than `rows`. */
export function expectFits(frame: string | undefined, size: { columns: number; rows: number }): string {
  const text = plain(frame);
  const lines = text.split('\n');
  expect(lines.length).toBeLessThan(size.rows);
  for (const l of lines) expect([...l].length, `line wider than ${size.columns}: ${JSON.stringify(l)}`).toBeLessThanOrEqual(size.columns);
  return text;
}

/** Polls `fn` until it stops throwing (waits on the real journal follower). */
export async function until<T>(fn: () => T, tries = 200): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return fn();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
