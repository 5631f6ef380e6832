/**
 * Where runs go, following MLflow's conventions: MLFLOW_TRACKING_URI (http(s):// for a
 * tracking server, file:/path or a plain path for a FileStore; unset means `./mlruns`),
 * MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD.
 */
import { resolve } from 'node:path';
import { TrackingValidationError } from './errors.js';
import { localPathOfUri } from './store/artifacts.js';
import { FileStore } from './store/file-store.js';
import { MlflowRestClient, type RestClientOptions } from './store/rest.js';
import type { TrackingStore } from './store/types.js';

/** Options of `resolveTrackingConfig` / `createTrackingStore`. */
export interface TrackingConfigOptions {
  /** Tracking URI; overrides `MLFLOW_TRACKING_URI`. */
  trackingUri?: string;
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Folder that relative paths and the default `./mlruns` are resolved against (default cwd). */
  cwd?: string;
  /** Extra REST client options (retries, timeouts). */
  rest?: Partial<Omit<RestClientOptions, 'trackingUri'>>;
}

/** The resolved target. */
export type TrackingConfig =
  | { kind: 'rest'; uri: string; token?: string; username?: string; password?: string }
  | { kind: 'file'; uri: string; root: string };

/** Resolves the tracking target from options and the environment. */
export function resolveTrackingConfig(options: TrackingConfigOptions = {}): TrackingConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const uri = (options.trackingUri ?? env.MLFLOW_TRACKING_URI ?? '').trim();
  if (!uri) {
    const root = resolve(cwd, 'mlruns');
    return { kind: 'file', uri: root, root };
  }
  if (/^https?:\/\//i.test(uri)) {
    return {
      kind: 'rest',
      uri,
      ...(env.MLFLOW_TRACKING_TOKEN ? { token: env.MLFLOW_TRACKING_TOKEN } : {}),
      ...(env.MLFLOW_TRACKING_USERNAME !== undefined ? { username: env.MLFLOW_TRACKING_USERNAME } : {}),
      ...(env.MLFLOW_TRACKING_PASSWORD !== undefined ? { password: env.MLFLOW_TRACKING_PASSWORD } : {}),
    };
  }
  if (/^https?:/i.test(uri)) {
    throw new TrackingValidationError('tracking URI', `Invalid tracking URI '${uri}': an MLflow server URI is http(s)://host:port`);
  }
  if (/^file:/i.test(uri)) return { kind: 'file', uri, root: resolve(cwd, localPathOfUri(uri)!) };
  if (!/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    // A plain folder path; one with ':' is far more likely a mistyped URI than a folder name.
    if (uri.includes(':') || /[\0\n\r]/.test(uri)) {
      throw new TrackingValidationError(
        'tracking URI',
        `Invalid tracking URI '${uri}': neither http(s)://host:port (an MLflow server) nor a folder path (write a folder whose name has ':' as file:/path)`,
      );
    }
    return { kind: 'file', uri, root: resolve(cwd, uri) };
  }
  throw new TrackingValidationError(
    'tracking URI',
    `Unsupported tracking URI '${uri}': use http(s)://host:port for an MLflow server, or file:/path (or a plain path) for a local FileStore`,
  );
}

/** Creates the store for the resolved target: `MlflowRestClient` or `FileStore`. */
export function createTrackingStore(options: TrackingConfigOptions = {}): TrackingStore {
  const cfg = resolveTrackingConfig(options);
  if (cfg.kind === 'file') return new FileStore(cfg.root);
  return new MlflowRestClient({
    ...options.rest,
    trackingUri: cfg.uri,
    token: cfg.token,
    username: cfg.username,
    password: cfg.password,
  });
}
