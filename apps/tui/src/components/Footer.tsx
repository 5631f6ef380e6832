import { Box } from 'ink';
import { clip, wrapWords } from '../view/format.js';
import { Tx, type Role } from './theme.js';

/** Props of {@link Footer}. */
export interface FooterProps {
  width: number;
  hints: string;
  filter: string;
  filtering: boolean;
  busy?: string;
  message?: { level: 'info' | 'error'; text: string };
}

/** Lines a footer message may take before its middle is left out (its end, the actionable part, stays). */
export const FOOTER_MESSAGE_LINES = 5;

/**
 * The footer's lines and role (a message may take up to {@link FOOTER_MESSAGE_LINES} lines;
 * anything else one). A longer message keeps its first line and its last lines, where the hint
 * of what to do is (`Offline? Fill the cache ...`), and says that `e` shows it whole.
 */
export function footerLines({ width, hints, filter, filtering, busy, message }: FooterProps): { lines: string[]; role: Role } {
  if (filtering) return { lines: [clip(`/${filter}█  (enter keep, esc clear)`, width)], role: 'accent' };
  if (busy) return { lines: [clip(`… ${busy}`, width)], role: 'warn' };
  if (message) {
    const text = `${message.level === 'error' ? '✗' : '✓'} ${message.text}`;
    const lines = wrapWords(text, width);
    const max = FOOTER_MESSAGE_LINES;
    const shown = lines.length > max ? [lines[0], clip(`  … ${lines.length - max + 1} more line(s): e shows the whole message …`, width), ...lines.slice(lines.length - (max - 2))] : lines;
    return { lines: shown, role: message.level === 'error' ? 'error' : 'ok' };
  }
  return { lines: [clip(`${filter ? `filter /${filter}  ` : ''}${hints}`, width)], role: 'dim' };
}

/** The bottom lines: the filter being typed, a busy note, a message, or the screen's keys. */
export function Footer(props: FooterProps) {
  const { lines, role } = footerLines(props);
  return (
    <Box flexDirection="column" width={props.width}>
      {lines.map((l, i) => <Tx key={i} role={role}>{l}</Tx>)}
    </Box>
  );
}
