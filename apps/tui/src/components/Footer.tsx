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

/** The footer's lines and role (a message may take up to 4 lines; anything else one). */
export function footerLines({ width, hints, filter, filtering, busy, message }: FooterProps): { lines: string[]; role: Role } {
  if (filtering) return { lines: [clip(`/${filter}█  (enter keep, esc clear)`, width)], role: 'accent' };
  if (busy) return { lines: [clip(`… ${busy}`, width)], role: 'warn' };
  if (message) {
    const text = `${message.level === 'error' ? '✗' : '✓'} ${message.text}`;
    const lines = wrapWords(text, width);
    return { lines: lines.length > 4 ? [...lines.slice(0, 3), clip(lines.slice(3).join(''), width)] : lines, role: message.level === 'error' ? 'error' : 'ok' };
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
