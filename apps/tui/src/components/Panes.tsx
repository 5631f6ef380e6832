/** The live screen's lower panes: masks, fitness chart, log lines. Each draws at most `height` lines. */
import { Box } from 'ink';
import type { LogLine, PopulationRow } from '@slt/runner/light';
import { fitnessChart, type FitnessPoint } from '../view/chart.js';
import { clip, maskChars, wrap } from '../view/format.js';
import { Tx } from './theme.js';

/** Size and focus of a pane. */
export interface PaneProps {
  width: number;
  height: number;
  focused: boolean;
}

const Title = ({ text, focused, width }: { text: string; focused: boolean; width: number }) => (
  <Tx role="accent" bold={focused}>{clip(`${focused ? '▸' : ' '} ${text}`, width)}</Tx>
);

/** Each genome's mask, one character per layer (█ trainable, · frozen), wrapped to the width. */
export function MaskPane({ rows, selected, width, height, focused }: PaneProps & { rows: PopulationRow[]; selected: number }) {
  const prefix = 8;
  const lines: { text: string; row: number }[] = [];
  rows.forEach((r, i) => {
    wrap(maskChars(r.mask), Math.max(8, width - prefix)).forEach((part, j) => {
      lines.push({ text: `${(j === 0 ? r.label ?? r.key : '').slice(0, prefix - 1).padEnd(prefix)}${part}`, row: i });
    });
  });
  const room = Math.max(0, height - 1);
  const first = lines.findIndex((l) => l.row === selected);
  const start = Math.max(0, Math.min(first - Math.floor(room / 3), lines.length - room));
  return (
    <Box flexDirection="column" width={width}>
      <Title text={`Masks (${rows[0]?.mask.length ?? 0} layers: █ trainable, · frozen)`} focused={focused} width={width} />
      {lines.slice(start, start + room).map((l, i) => (
        <Tx key={i} selected={focused && l.row === selected} role={l.row === selected ? undefined : 'dim'}>{clip(l.text, width)}</Tx>
      ))}
    </Box>
  );
}

/** Best (*) and mean (o) fitness per generation. */
export function ChartPane({ points, width, height, focused }: PaneProps & { points: FitnessPoint[] }) {
  const lines = fitnessChart(points, Math.min(width, 80), Math.max(2, height - 3));
  return (
    <Box flexDirection="column" width={width}>
      <Title text="Fitness per generation: * best, o mean (val accuracy)" focused={focused} width={width} />
      {lines.slice(0, Math.max(0, height - 1)).map((l, i) => <Tx key={i}>{l}</Tx>)}
    </Box>
  );
}

/** The latest log lines (filtered), newest last. */
export function LogPane({ logs, filter, width, height, focused }: PaneProps & { logs: LogLine[]; filter: string }) {
  const shown = logs.filter((l) => !filter || l.message.toLowerCase().includes(filter.toLowerCase())).slice(-Math.max(0, height - 1));
  return (
    <Box flexDirection="column" width={width}>
      <Title text={`Log${filter ? ` /${filter}` : ''}`} focused={focused} width={width} />
      {shown.map((l, i) => (
        <Tx key={i} role={l.level === 'error' ? 'error' : l.level === 'warn' ? 'warn' : undefined}>{clip(`${l.time.slice(11, 19)} ${l.message}`, width)}</Tx>
      ))}
    </Box>
  );
}
