import { Box } from 'ink';
import type { Screen } from '../state/app.js';
import { Tx } from './theme.js';

/** Props of {@link Header}. */
export interface HeaderProps {
  screen: Screen;
  width: number;
  title?: string;
}

const TABS: [Screen, string][] = [['start', 'Start'], ['live', 'Live'], ['results', 'Results']];

/** The top line: product name, the screens (current one marked) and the help key. */
export function Header({ screen, width, title }: HeaderProps) {
  const tabs = TABS.map(([s, label]) => (s === screen ? `[${label}]` : ` ${label} `)).join('');
  const right = '? help  q quit';
  const left = `slt ${tabs}`;
  const middle = title ? `  ${title}` : '';
  const room = width - left.length - right.length - 1;
  const mid = room > 3 ? middle.slice(0, room).padEnd(room) : ' '.repeat(Math.max(0, room));
  return (
    <Box width={width}>
      <Tx role="accent" bold>{`${left}${mid} ${right}`.slice(0, width)}</Tx>
    </Box>
  );
}
