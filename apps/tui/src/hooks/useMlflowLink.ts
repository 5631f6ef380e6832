import path from 'node:path';
import { useEffect, useState } from 'react';
import { JOURNAL_FILE } from '@slt/runner/light';
import { deliveredRunLink } from '@slt/tracking';

/** The MLflow link of a search's run, from its deliveries (tracking's public `deliveredRunLink`; undefined before delivery). */
export function mlflowLink(dir: string, runKey: string | undefined): string | undefined {
  return runKey ? deliveredRunLink(path.join(dir, JOURNAL_FILE), runKey) : undefined;
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
