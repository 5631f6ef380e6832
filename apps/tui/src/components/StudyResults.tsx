import { Box } from 'ink';
import { formatStudyText, type StudyState } from '@slt/runner/light';
import { clip } from '../view/format.js';
import { Tx } from './theme.js';

/** Props of {@link StudyResults}. */
export interface StudyResultsProps {
  study: StudyState;
  width: number;
  height: number;
}

/**
 * A study's results: the study table (the runner's `formatStudyText`: per model, trainable layers,
 * test accuracy, parameters, macro precision and recall under freeze-all, train-all, heuristic,
 * random and GA), with the models finished so far while it runs.
 */
export function StudyResults({ study, width, height }: StudyResultsProps) {
  const done = study.models.filter((m) => m.status === 'finished').length;
  const title = `Study ${study.studyId ?? ''} · ${study.status} · ${done}/${study.models.length} models${study.table?.dataset ? ` on ${study.table.dataset}` : ''}`;
  const lines = study.table && study.table.models.length ? formatStudyText(study.table).trimEnd().split('\n') : [];
  const room = Math.max(1, height - 2);
  const shown = lines.slice(0, room);
  const more = lines.length > room ? `  … ${lines.length - room} more lines (a taller terminal, or the study's study.txt)` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Tx role="accent" bold>{clip(title, width)}</Tx>
      {shown.length === 0 ? <Tx role="dim">{clip('  no model finished yet: the table fills in as each model ends', width)}</Tx> : null}
      {shown.map((l, i) => <Tx key={i}>{clip(l, width)}</Tx>)}
      {more ? <Tx role="dim">{clip(more, width)}</Tx> : null}
    </Box>
  );
}
