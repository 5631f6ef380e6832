import { Box } from 'ink';
import { searchLiveness, type SearchSummary } from '@slt/runner/light';
import { clip, fit, fmtAcc } from '../view/format.js';
import { Tx } from './theme.js';

/** Props of {@link SearchList}. */
export interface SearchListProps {
  searches: SearchSummary[];
  selected: number;
  focused: boolean;
  width: number;
  /** Rows available, title included. */
  height: number;
}

/** One line of a search: live mark, id, status, progress, best fitness, model and data set. */
export function searchLine(s: SearchSummary, width: number, cursor = ' '): string {
  const mark = `${cursor}${s.live ? '●' : ' '}`;
  // The one liveness rule, as `slt ls` and `slt attach` show it.
  const status = searchLiveness(s.status, s.live);
  const tail = `${s.model ?? '?'} / ${s.dataset ?? '?'}`;
  return clip(`${mark} ${fit(s.searchId, 20)} ${fit(status, 11)} ${fit(`${s.done}/${s.total}`, 7)} best ${fit(fmtAcc(s.bestFitness), 6)}  ${tail}`, width);
}

/** Recent searches, newest first; live ones marked `●`; the list scrolls to keep the selection visible. */
export function SearchList({ searches, selected, focused, width, height }: SearchListProps) {
  const room = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(selected - Math.floor(room / 2), searches.length - room));
  const shown = searches.slice(start, start + room);
  const live = searches.filter((s) => s.live).length;
  // Rows found through the per-user index live in other folders (their folder is shown on them).
  const elsewhere = searches.filter((s) => (s as { from?: string }).from === 'index').length;
  return (
    <Box flexDirection="column" width={width}>
      <Tx role="accent" bold={focused}>{clip(`${focused ? '▸' : ' '} Recent searches (${searches.length}, ${live} live${elsewhere ? `, ${elsewhere} from other folders` : ''})${searches.length > room ? `  ${start + 1}-${start + shown.length}` : ''}`, width)}</Tx>
      {shown.length === 0 ? <Tx role="dim">{clip('  none yet: fill the form (tab) and launch', width)}</Tx> : null}
      {shown.map((s, i) => (
        <Tx key={s.searchId} selected={focused && start + i === selected} role={s.live ? 'ok' : undefined}>
          {searchLine(s, width, start + i === selected ? '›' : ' ')}
        </Tx>
      ))}
    </Box>
  );
}
