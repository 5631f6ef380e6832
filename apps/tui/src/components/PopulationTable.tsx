import { Box } from 'ink';
import type { PopulationRow, RowState } from '@slt/runner/light';
import { clip, fit, fmtAcc, fmtCount, maskChars } from '../view/format.js';
import { Tx, type Role } from './theme.js';

/** Props of {@link PopulationTable}. */
export interface PopulationTableProps {
  rows: PopulationRow[];
  selected: number;
  focused: boolean;
  width: number;
  /** Lines available, header included. */
  height: number;
  title: string;
}

const STATE_ROLE: Record<RowState, Role | undefined> = { queued: 'dim', training: 'warn', cached: 'accent', done: 'ok', failed: 'error' };

/** One row as text: genome, trainable layers, trainable params, val accuracy, state, and as much of the mask as fits. */
export function rowLine(r: PopulationRow, width: number, mark = ' '): string {
  const name = r.label ?? r.key;
  const head = `${mark}${fit(name, 11)} ${fit(String(r.trainableLayers), 6, true)} ${fit(fmtCount(r.trainableParams), 8, true)} ${fit(fmtAcc(r.fitness), 7, true)} ${fit(r.state, 8)}`;
  const room = width - head.length - 1;
  return room > 4 ? `${head} ${clip(maskChars(r.mask), room)}` : clip(head, width);
}

/** The population of one generation (and the baselines): one line per genome, the selection kept visible. */
export function PopulationTable({ rows, selected, focused, width, height, title }: PopulationTableProps) {
  const room = Math.max(0, height - 2);
  const start = Math.max(0, Math.min(selected - Math.floor(room / 2), rows.length - room));
  const shown = rows.slice(start, start + room);
  const header = ` ${fit('genome', 11)} ${fit('layers', 6, true)} ${fit('params', 8, true)} ${fit('val acc', 7, true)} ${fit('state', 8)} mask`;
  return (
    <Box flexDirection="column" width={width}>
      <Tx role="accent" bold={focused}>{clip(`${focused ? '▸' : ' '} ${title}${rows.length > room ? (shown.length ? `  (${start + 1}-${start + shown.length} of ${rows.length})` : `  (${rows.length} rows: tab to this pane alone)`) : ''}`, width)}</Tx>
      {height >= 2 ? <Tx role="dim">{clip(header, width)}</Tx> : null}
      {shown.map((r, i) => (
        <Tx key={r.key} role={STATE_ROLE[r.state]} selected={focused && start + i === selected}>
          {rowLine(r, width, start + i === selected ? '›' : ' ')}
        </Tx>
      ))}
    </Box>
  );
}
