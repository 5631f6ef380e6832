/** A quick reachability check of the tracking target, for `slt doctor`. */
import { access, constants, mkdir } from 'node:fs/promises';
import { resolveTrackingConfig, type TrackingConfigOptions } from './config.js';
import { namesStore } from './errors.js';
import { MlflowRestClient } from './store/rest.js';

/** Result of `checkTracking`. */
export interface TrackingCheck {
  /** True when runs can be delivered now. */
  ok: boolean;
  /** `rest` (tracking server) or `file` (FileStore). */
  kind: 'rest' | 'file';
  /** The target URI or folder. */
  target: string;
  /** What was found, in one line. */
  detail: string;
}

/**
 * Checks the tracking target: a server must answer the experiments API (auth included) within
 * `timeoutMs` (default 3000); a FileStore folder must be writable (it is created when missing).
 */
export async function checkTracking(options: TrackingConfigOptions & { timeoutMs?: number } = {}): Promise<TrackingCheck> {
  const cfg = resolveTrackingConfig(options);
  if (cfg.kind === 'file') {
    try {
      await mkdir(cfg.root, { recursive: true });
      await access(cfg.root, constants.W_OK);
      return { ok: true, kind: 'file', target: cfg.root, detail: `FileStore ${cfg.root} is writable (MLflow 3.13+ reads it with MLFLOW_ALLOW_FILE_STORE=true)` };
    } catch (err) {
      return { ok: false, kind: 'file', target: cfg.root, detail: `FileStore ${cfg.root} is not writable: ${(err as Error).message}` };
    }
  }
  const client = new MlflowRestClient({ trackingUri: cfg.uri, token: cfg.token, username: cfg.username, password: cfg.password, maxAttempts: 1, timeoutMs: options.timeoutMs ?? 3000 });
  try {
    const exp = await client.getExperimentByName('Default');
    return { ok: true, kind: 'rest', target: cfg.uri, detail: `MLflow server at ${cfg.uri} answers${exp ? '' : ' (no Default experiment)'}` };
  } catch (err) {
    const message = (err as Error).message;
    const what = namesStore(err) ? message : `MLflow at ${cfg.uri} is unreachable: ${message}`;
    return { ok: false, kind: 'rest', target: cfg.uri, detail: `${what}; runs stay in the journal until \`slt sync\` (check --tracking-uri / MLFLOW_TRACKING_URI, or run without it to log to ./mlruns)` };
  }
}
