/**
 * Printable renderings of file bytes for error messages: a message never carries raw header
 * bytes (control characters, invalid UTF-8) to a terminal or a log.
 */

/** `n` bytes from `at` as text: printable ASCII kept, every other byte written `\xNN`. */
export function printableBytes(buf: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = at; i < Math.min(buf.length, at + n); i++) {
    const b = buf[i]!;
    s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/** The first `n` bytes as hex plus their printable form, e.g. `4d 54 68 64 ("MThd")`. */
export function describeLeadingBytes(buf: Uint8Array, n = 8): string {
  const k = Math.min(n, buf.length);
  const hex = Array.from(buf.subarray(0, k), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${hex} ("${printableBytes(buf, 0, k)}")`;
}
