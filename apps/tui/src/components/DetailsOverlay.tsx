import { Box } from 'ink';
import { clip, wrapWords } from '../view/format.js';
import { Tx } from './theme.js';

/** Props of {@link DetailsOverlay}. */
export interface DetailsOverlayProps {
  /** The text, whole (see selectors.detailsLines). */
  lines: string[];
  /** First line shown (↑↓ scroll). */
  offset: number;
  width: number;
  height: number;
}

/** Errors and why a search stopped, whole: word-wrapped to the width, scrolled with ↑↓ (esc or e closes it). */
export function DetailsOverlay({ lines, offset, width, height }: DetailsOverlayProps) {
  const wrapped = lines.flatMap((l) => {
    const indent = /^\s*/.exec(l)?.[0] ?? '';
    return l.trim() ? wrapWords(l.trim(), width - indent.length).map((w) => `${indent}${w}`) : [''];
  });
  const room = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(offset, wrapped.length - room));
  const more = wrapped.length > room ? ` · lines ${start + 1}-${Math.min(wrapped.length, start + room)} of ${wrapped.length} (↑↓)` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Tx role="accent" bold>{clip(`Details (esc or e to close)${more}`, width)}</Tx>
      {wrapped.slice(start, start + room).map((l, i) => <Tx key={i}>{clip(l, width)}</Tx>)}
    </Box>
  );
}
