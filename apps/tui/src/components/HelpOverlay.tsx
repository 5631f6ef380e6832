import { Box } from 'ink';
import { KEY_HELP } from '../state/keys.js';
import { clip } from '../view/format.js';
import { Tx } from './theme.js';

/** Props of {@link HelpOverlay}. */
export interface HelpOverlayProps {
  width: number;
  height: number;
}

/** Every key, what it does and where (drawn over the screen; esc, ? or q closes it). */
export function HelpOverlay({ width, height }: HelpOverlayProps) {
  const keyW = 15;
  const whereW = width >= 100 ? 12 : 0;
  const lines = KEY_HELP.map(([k, what, where]) => `  ${k.padEnd(keyW)} ${whereW ? `${where.padEnd(whereW)} ` : ''}${what}`);
  const extra = [
    '',
    '  Quitting leaves the search running in the background; reopen the TUI',
    '  (npx nx run tui:start) and pick it from the list to re-attach.',
    '  Offline? Fill the cache first: slt cache add DIR (e.g. ../shared/data).',
  ];
  const all = [...lines, ...extra].slice(0, Math.max(0, height - 2));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Tx role="accent" bold>{clip('Help: keys (esc, ? or q to close)', width)}</Tx>
      <Tx role="dim">{clip(`  ${'key'.padEnd(keyW)} ${whereW ? `${'where'.padEnd(whereW)} ` : ''}what`, width)}</Tx>
      {all.map((l, i) => <Tx key={i}>{clip(l, width)}</Tx>)}
    </Box>
  );
}
