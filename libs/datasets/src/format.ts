/**
 * Plain-text rendering of an {@link InspectReport} (what `slt data inspect` prints without --json).
 */
import type { InspectReport } from './inspect.js';

function counts(rec: Record<string, number>, unit = ''): string {
  return Object.entries(rec)
    .map(([k, n]) => `${k}${unit} x${n}`)
    .join(', ');
}

/** Renders an inspection report as lines of text (no trailing newline). */
export function formatInspectReport(r: InspectReport): string {
  const lines: string[] = [];
  lines.push(`path:     ${r.path}`);
  lines.push(`layout:   ${r.kind} (${r.media})`);
  lines.push(`examples: ${r.total} listed, ${r.readable} readable, ${r.classes.length} classes`);
  const width = Math.max(5, ...r.classes.map((c) => c.name.length));
  for (const [i, c] of r.classes.entries()) lines.push(`  ${String(i).padStart(3)}  ${c.name.padEnd(width)}  ${c.count}`);
  if (r.groups) lines.push(`groups:   ${counts(r.groups)}`);
  if (r.audio) {
    const d = r.audio.durationSeconds;
    lines.push(`formats:      ${counts(r.audio.formats)}`);
    lines.push(`sample rates: ${counts(r.audio.sampleRates, ' Hz')}`);
    lines.push(`channels:     ${counts(r.audio.channels)}`);
    lines.push(`durations:    min ${d.min.toFixed(3)} s, mean ${d.mean.toFixed(3)} s, max ${d.max.toFixed(3)} s`);
  }
  if (r.images) {
    lines.push(`image sizes:  ${counts(r.images.sizes)} (${r.images.grey} grey, ${r.images.colour} colour)`);
  }
  if (r.ignored.length > 0) {
    const shown = r.ignored.slice(0, 10).join(', ');
    lines.push(`ignored (${r.ignored.length}): ${shown}${r.ignored.length > 10 ? ', ...' : ''}`);
  }
  if (r.problems.length === 0) lines.push('problems: none');
  else {
    lines.push(`problems (${r.problems.length}):`);
    for (const p of r.problems) lines.push(`  ${p.file}: ${p.error}`);
  }
  return lines.join('\n');
}
