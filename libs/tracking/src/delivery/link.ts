/**
 * Where a journal's runs went: the MLflow runs its deliveries created, read from the delivery-state
 * files beside the journal (one per target, see state.ts), as links a screen can show. Read-only and
 * synchronous (a TUI polls it); a file being rewritten or of another shape is skipped, never cast.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The part of a delivery-state file a link needs (checked; everything else is the deliverer's). */
const deliveryLinksSchema = z.object({
  version: z.literal(1),
  target: z.string().min(1),
  runs: z.record(z.string(), z.object({ runId: z.string().min(1), experimentId: z.string(), artifactUri: z.string().optional() })),
});

/** One delivered run of a journal. */
export interface DeliveredRunLink {
  /** The journal's runKey of the run (e.g. a search's parent run key). */
  runKey: string;
  /** The delivery target (`http://host:port` or `file:///...`). */
  target: string;
  /** MLflow run id. */
  runId: string;
  /** MLflow experiment id. */
  experimentId: string;
  /**
   * Where to look at the run: the MLflow UI's run page for an http(s) target, the run's folder for
   * a file store (its artifact root without `/artifacts`), else `<target> run <runId>`.
   */
  url: string;
}

/** The link of a run delivered to `target` (see {@link DeliveredRunLink.url}). */
export function runLinkUrl(target: string, run: { runId: string; experimentId: string; artifactUri?: string }): string {
  if (/^https?:\/\//.test(target)) return `${target.replace(/\/+$/, '')}/#/experiments/${run.experimentId}/runs/${run.runId}`;
  if (run.artifactUri) return run.artifactUri.replace(/\/artifacts\/?$/, '');
  return `${target} run ${run.runId}`;
}

/**
 * Every run the deliveries of `journalPath` created, over all its targets (file name order; a
 * missing folder or no delivery yet gives none). A state file that is half-written or not a
 * delivery state is left out: ask again on the next poll.
 */
export function readDeliveryLinks(journalPath: string): DeliveredRunLink[] {
  const dir = path.dirname(journalPath);
  const prefix = `${path.basename(journalPath)}.delivery-`;
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: DeliveredRunLink[] = [];
  for (const f of files) {
    let parsed;
    try {
      parsed = deliveryLinksSchema.safeParse(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    const { target, runs } = parsed.data;
    for (const [runKey, run] of Object.entries(runs)) out.push({ runKey, target, runId: run.runId, experimentId: run.experimentId, url: runLinkUrl(target, run) });
  }
  return out;
}

/** The link of the run `runKey` of `journalPath` (its first delivery target), undefined before it was delivered. */
export function deliveredRunLink(journalPath: string, runKey: string): string | undefined {
  return readDeliveryLinks(journalPath).find((l) => l.runKey === runKey)?.url;
}
