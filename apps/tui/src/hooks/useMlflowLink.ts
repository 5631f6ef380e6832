import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { useEffect, useState } from 'react';
import { JOURNAL_FILE } from '@slt/runner';

/** The MLflow link of a run from the delivery-state files beside a journal (undefined before delivery). */
export function mlflowLink(dir: string, runKey: string | undefined): string | undefined {
  if (!runKey) return undefined;
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.startsWith(`${JOURNAL_FILE}.delivery-`) && f.endsWith('.json'));
  } catch {
    return undefined;
  }
  for (const f of files) {
    try {
      const st = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { target?: string; runs?: Record<string, { runId: string; experimentId: string; artifactUri?: string }> };
      const run = st.runs?.[runKey];
      if (!run || !st.target) continue;
      if (/^https?:\/\//.test(st.target)) return `${st.target.replace(/\/+$/, '')}/#/experiments/${run.experimentId}/runs/${run.runId}`;
      return run.artifactUri ? run.artifactUri.replace(/\/artifacts\/?$/, '') : `${st.target} run ${run.runId}`;
    } catch {
      // Being rewritten: try again on the next poll.
    }
  }
  return undefined;
}

/** Polls the attached search's MLflow link every `everyMs` (stops on unmount or re-attach). */
export function useMlflowLink(attached: { dir: string } | undefined, runKey: string | undefined, fallback: string | undefined, everyMs = 2000): string | undefined {
  const [link, setLink] = useState<string | undefined>();
  const dir = attached?.dir;
  useEffect(() => {
    setLink(undefined);
    if (!dir) return;
    const poll = () => setLink(mlflowLink(dir, runKey));
    poll();
    const timer = setInterval(poll, everyMs);
    return () => clearInterval(timer);
  }, [dir, runKey, everyMs]);
  return link ?? (attached && runKey ? `${fallback ?? './mlruns'} (run not delivered yet)` : undefined);
}
