import { Box } from 'ink';
import { buildComparison, comparisonNotes } from '@slt/runner/light';
import type { AppState } from '../state/app.js';
import { finishedRows, seedNoiseOf } from '../state/selectors.js';
import { clip, fit, fmtAcc, fmtCount, maskChars, wrap, wrapWords } from '../view/format.js';
import { PARETO_LEGEND, paretoFront, paretoPlot, type ParetoPoint } from '../view/pareto.js';
import { Tx } from './theme.js';

/** Props of {@link ResultsScreen}. */
export interface ResultsScreenProps {
  state: AppState;
  width: number;
  height: number;
}

/** The trainable layers of `mask` by name, as wrapped lines (at most `max`; the last says how many more). */
export function layerNameLines(mask: string, names: string[], width: number, max: number): string[] {
  const on = [...mask].map((b, i) => (b === '1' ? names[i] ?? `#${i}` : '')).filter(Boolean);
  const lines = wrapWords(on.join(', '), width);
  if (lines.length <= max) return lines;
  if (max === 1) return [clip(on.join(', '), width)];
  const kept = lines.slice(0, Math.max(0, max - 1));
  const shownCount = kept.join(' ').split(',').filter((x) => x.trim()).length;
  return [...kept, clip(`… and ${on.length - shownCount} more`, width)];
}

/** The comparison (GA best vs baselines), the Pareto view of accuracy vs trainable params, and the best mask with its layer names. */
export function ResultsScreen({ state, width, height }: ResultsScreenProps) {
  const s = state.search;
  const cmp = buildComparison(s);
  const header = `  ${fit('method', 14)} ${fit('layers', 6, true)} ${fit('val acc', 7, true)} ${fit('test acc', 8, true)} ${fit('params', 9, true)}`;
  const tableLines = cmp.rows.map((r) => `${fit(r.method, 14)} ${fit(String(r.trainableLayers), 6, true)} ${fit(fmtAcc(r.valAccuracy), 7, true)} ${fit(fmtAcc(r.testAccuracy), 8, true)} ${fit(fmtCount(r.trainableParams), 9, true)}${r.error ? ` ✗ ${r.error}` : ''}`);
  const note = s.baselines.length === 0 ? '  no baselines in this search (slt compare runs the GA and the baselines)' : '';
  // Differences within one validation image (or the seeds' noise) mean nothing: say so (e lists them all).
  const seedNoise = seedNoiseOf(state);
  const close = comparisonNotes(cmp, { seedNoise }).filter((n) => n.split === 'val');
  const why = [
    close.some((n) => 'image' in n.within) ? `val within one image, 1/${cmp.counts?.val}` : '',
    seedNoise && close.some((n) => 'noise' in n.within) ? `within the seeds' noise, sd ${seedNoise.val.toFixed(4)} over ${seedNoise.seeds} seeds` : '',
  ].filter(Boolean).join('; ');
  const closeText = close.length
    ? `  ≈ no real difference (${why}): ${close.map((n) => `${n.methods[0]} ~ ${n.methods[1]}`).join(', ')}${close.length > 1 ? ' · e: details' : ''}`
    : '';
  const points: ParetoPoint[] = finishedRows(s).map((r) => ({ label: r.label ?? r.key, accuracy: r.fitness!, params: r.trainableParams ?? 0, baseline: r.kind === 'baseline', mask: r.mask }));
  // The selected row's mask is shown below and marked @ in the plot.
  const chosen = cmp.rows[state.resultIndex];
  const front = paretoFront(points);
  const best = chosen ? { key: chosen.method, mask: chosen.mask, fitness: chosen.valAccuracy ?? 0, trainableLayers: chosen.trainableLayers } : s.best;
  const names = s.model?.layerNames ?? [];
  const tableH = 2 + Math.max(1, tableLines.length) + (note ? 1 : 0) + (closeText ? 1 : 0);
  const rest = Math.max(0, height - tableH);
  const maskLines = best ? wrap(maskChars(best.mask), width - 2) : [];
  // The plot's rows: what is left after its title and legend (2), its two axis lines (always
  // drawn, so both axes keep their labels at 80x24), the mask's title and lines, and one line of
  // layer names; 3 to 8 rows.
  const plotRows = Math.max(3, Math.min(8, rest - 2 - 2 - 1 - maskLines.length - 1));
  const namesH = Math.max(0, rest - 2 - (plotRows + 2) - 1 - maskLines.length);
  const plot = paretoPlot(points, Math.min(width, 80), plotRows, best?.mask);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Tx role="accent" bold>{clip(`Comparison${cmp.model ? ` · ${cmp.model} on ${cmp.dataset}` : ''}`, width)}</Tx>
      <Tx role="dim">{clip(header, width)}</Tx>
      {tableLines.length === 0 ? <Tx role="dim">{clip('  no finished evaluation yet', width)}</Tx> : null}
      {tableLines.map((l, i) => (
        <Tx key={i} selected={i === state.resultIndex} role={i === 0 && cmp.rows[0]?.kind === 'ga' ? 'ok' : undefined}>{clip(`${i === state.resultIndex ? '›' : ' '} ${l}`, width)}</Tx>
      ))}
      {note ? <Tx role="dim">{clip(note, width)}</Tx> : null}
      {closeText ? <Tx role="warn">{clip(closeText, width)}</Tx> : null}
      <Tx role="accent" bold>{clip(`Pareto view: val accuracy (up) vs trainable params (right, log); front of ${front.length}`, width)}</Tx>
      <Tx role="dim">{clip(`  ${PARETO_LEGEND}`, width)}</Tx>
      {plot.map((l, i) => <Tx key={i}>{l}</Tx>)}
      {best ? (
        <>
          <Tx role="accent" bold>{clip(`Mask of ${best.key}: val ${best.fitness.toFixed(4)}, ${best.trainableLayers} trainable layers (█ trainable, · frozen)`, width)}</Tx>
          {maskLines.map((l, i) => <Tx key={i}>{`  ${l}`}</Tx>)}
          {layerNameLines(best.mask, names, width - 2, namesH).map((l, i) => <Tx key={i} role="dim">{`  ${l}`}</Tx>)}
        </>
      ) : (
        <Tx role="dim">{clip('  no best mask yet', width)}</Tx>
      )}
    </Box>
  );
}
