import { Box } from 'ink';
import { displayGeneration } from '@slt/runner/light';
import type { AppState } from '../state/app.js';
import { launchStopped, shownGeneration, studyModel, trainingRow, visibleRows } from '../state/selectors.js';
import { clip, wrapWords } from '../view/format.js';
import { generationLine, genomeLine, statusLine, trackingText } from '../view/progress.js';
import { ChartPane, LogPane, MaskPane } from './Panes.js';
import { PopulationTable } from './PopulationTable.js';
import { Tx } from './theme.js';

/** Props of {@link LiveScreen}. */
export interface LiveScreenProps {
  state: AppState;
  width: number;
  height: number;
  /** The MLflow link of the search's run (or where it will be). */
  mlflow?: string;
}

/**
 * A search as it runs: status, MLflow link, progress of the generation and of the genome in
 * training, the population table, and the masks / fitness chart / log panes (all of them on tall
 * terminals; the one `tab` focuses on small ones).
 */
export function LiveScreen({ state, width, height: full, mlflow }: LiveScreenProps) {
  const s = state.search;
  const studyText = studyLine(state);
  const height = studyText ? full - 1 : full;
  const rows = visibleRows(state);
  const g = shownGeneration(s, state.genIndex);
  const gens = s.generations.length;
  const title = g < 0 ? 'Population (no generation yet)' : `Population of generation ${displayGeneration(s.generations[g].generation)}${g === gens - 1 ? '' : ` (of ${gens}, → for the latest)`}`;
  const points = s.generations.filter((x) => x.finished && x.best !== undefined).map((x) => ({ generation: x.generation, best: x.best!, mean: x.mean ?? x.best! }));
  const body = Math.max(4, height - 4);
  const pane = state.pane;
  const table = (h: number) => <PopulationTable rows={rows} selected={state.rowIndex} focused={pane === 'table'} width={width} height={h} title={title} />;
  const masks = (h: number) => <MaskPane rows={rows} selected={state.rowIndex} width={width} height={h} focused={pane === 'masks'} />;
  const chart = (h: number) => <ChartPane points={points} width={width} height={h} focused={pane === 'chart'} />;
  const log = (h: number) => <LogPane logs={s.logs} filter={state.filter} width={width} height={h} focused={pane === 'log'} />;
  let panes;
  if (launchStopped(state)) {
    panes = <StoppedEarly state={state} width={width} height={body} />;
  } else if (body >= 30) {
    const tableH = Math.min(rows.length + 2, Math.floor(body * 0.35));
    const chartH = 9;
    const logH = 6;
    panes = <>{table(tableH)}{masks(body - tableH - chartH - logH)}{chart(chartH)}{log(logH)}</>;
  } else if (pane === 'table') {
    panes = table(body);
  } else {
    const paneH = Math.max(6, Math.floor(body * 0.55));
    const tableH = Math.min(rows.length + 2, body - paneH);
    const rest = body - tableH;
    panes = <>{table(tableH)}{pane === 'masks' ? masks(rest) : pane === 'chart' ? chart(rest) : log(rest)}</>;
  }
  return (
    <Box flexDirection="column" width={width} height={full}>
      {studyText ? <Tx role="accent" bold>{clip(studyText, width)}</Tx> : null}
      <Tx bold role={launchStopped(state) ? 'error' : undefined}>{launchStopped(state) ? clip(`${state.attached?.id ?? '?'} · stopped before it started (its process is gone, its journal empty) · e: why, whole`, width) : statusLine(s, state.attached?.id, width, state.attached?.alive)}</Tx>
      <MlflowLine link={mlflow} delivery={trackingText(state.tracking, state.attached?.dir)} width={width} />
      <Tx role="accent">{generationLine(s, width)}</Tx>
      <Tx role="warn">{genomeLine(trainingRow(s), s, width, state.attached?.alive)}</Tx>
      {panes}
    </Box>
  );
}

/** The MLflow link, then the delivery's trouble (retrying, failed, runs pending) in the warning colour. */
function MlflowLine({ link, delivery, width }: { link?: string; delivery: string; width: number }) {
  if (!delivery) return <Tx role="dim">{clip(`MLflow ${link ?? '-'}`, width)}</Tx>;
  // The delivery's state first: a long link must not push it off the line.
  return <Tx role="warn">{clip(`MLflow ${delivery} · ${link ?? '-'}`, width)}</Tx>;
}

/** A study's header: `model i/N: label`, the models finished and the study's status (empty for a plain search). */
export function studyLine(state: AppState): string {
  const st = state.study;
  if (!state.attached?.study && !st) return '';
  if (launchStopped(state)) return `study ${state.attached?.id ?? ''} · stopped before it started`;
  if (!st || st.models.length === 0) return `study ${state.attached?.id ?? ''} · starting (waiting for its journal)`;
  const m = studyModel(st);
  const done = st.models.filter((x) => x.status === 'finished').length;
  const head = m ? `model ${m.index + 1}/${st.models.length}: ${m.label}` : `model -/${st.models.length}`;
  return `${head} · study ${st.studyId ?? state.attached?.id ?? ''} · ${st.status} · ${done}/${st.models.length} models done${st.reason ? ` (${st.reason})` : ''}`;
}

/** Why a launch stopped before its search (or study) started: what its process printed on stderr, as much as fits (e shows all). */
function StoppedEarly({ state, width, height }: { state: AppState; width: number; height: number }) {
  const err = (state.attached?.stderr ?? '').trimEnd();
  const lines = err ? err.split('\n').flatMap((l) => wrapWords(l, width - 2)) : ['(it printed nothing on stderr)'];
  const room = Math.max(1, height - 2);
  // The end of the output says why (the last error, its hint): keep it when all does not fit.
  const shown = lines.length > room ? [`… ${lines.length - room + 1} line(s) before (e: all)`, ...lines.slice(lines.length - room + 1)] : lines;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Tx role="error" bold>{clip(`The launch stopped before it started. It printed (${state.attached?.dir}/search.err):`, width)}</Tx>
      {shown.map((l, i) => <Tx key={i}>{clip(`  ${l}`, width)}</Tx>)}
    </Box>
  );
}
