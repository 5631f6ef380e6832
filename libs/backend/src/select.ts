import * as tf from '@tensorflow/tfjs';
import { BackendOptionError, BackendUnavailableError } from './errors.js';
import { registerFusedKernels } from './fused/gradients.js';
import { registerWasmGradients } from './wasm/register.js';

/** A tfjs backend slt can run on. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
/** What to ask {@link selectBackend} for: a backend, or 'auto' (tensorflow, then wasm, then cpu). */
export type BackendPreference = 'auto' | BackendName;

/** The valid values of `prefer` / `SLT_BACKEND`. */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** The npm packages that provide the native `tensorflow` backend, in the order they are tried. */
export const TENSORFLOW_MODULES: readonly string[] = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** One attempt made while selecting a backend. */
export interface BackendAttempt {
  /** The backend tried. */
  backend: BackendName;
  /** The npm module tried for it (for 'tensorflow': tfjs-node-gpu or tfjs-node). */
  module?: string;
  /** Whether it loaded and was set. */
  ok: boolean;
  /** Why it did not load (only when `ok` is false). */
  error?: string;
}

/** The outcome of {@link selectBackend}. */
export interface BackendChoice {
  /** The backend now active on the shared `@tensorflow/tfjs` instance. */
  name: BackendName;
  /** Why it was chosen, one sentence. */
  reason: string;
  /** Every attempt, in order (failed ones carry `error`). */
  tried: BackendAttempt[];
  /** For 'tensorflow': the module that provided it. */
  module?: string;
  /** Whether the chosen backend runs on a GPU (tfjs-node-gpu). */
  gpu: boolean;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Which backend to use. 'auto' tries tensorflow (tfjs-node-gpu, then tfjs-node), then wasm,
   * then cpu. An explicit name that cannot load throws {@link BackendUnavailableError}.
   * Default: the `SLT_BACKEND` environment variable, else 'auto'.
   */
  prefer?: BackendPreference;
  /** Environment to read `SLT_BACKEND` from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Where the wasm backend finds its `.wasm` binaries: a folder prefix ending in '/' or a map of
   * file name to path, passed to `setWasmPaths` before the wasm backend first initialises.
   * Default: none (under Node the binaries are read from the package's own `dist/` folder).
   */
  wasmPaths?: string | Record<string, string>;
  /** Register the wasm backward kernels ({@link registerWasmGradients}) when wasm is chosen. Default: true. */
  registerGradients?: boolean;
  /** Modules tried for 'tensorflow', in order. Default: {@link TENSORFLOW_MODULES}. */
  tensorflowModules?: readonly string[];
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const first = e.message.split('\n')[0];
    return typeof code === 'string' ? `${code}: ${first}` : first;
  }
  return String(e);
}

/** Resolves `prefer` from the options and `SLT_BACKEND`, validating both. */
export function resolvePreference(options: SelectBackendOptions = {}): BackendPreference {
  if (options.prefer !== undefined) {
    if (!BACKEND_PREFERENCES.includes(options.prefer)) {
      throw new BackendOptionError('prefer', options.prefer, `one of ${BACKEND_PREFERENCES.join(', ')}`);
    }
    return options.prefer;
  }
  const fromEnv = (options.env ?? process.env).SLT_BACKEND;
  if (fromEnv === undefined || fromEnv.trim() === '') return 'auto';
  const v = fromEnv.trim().toLowerCase() as BackendPreference;
  if (!BACKEND_PREFERENCES.includes(v)) {
    throw new BackendOptionError('SLT_BACKEND', fromEnv, `one of ${BACKEND_PREFERENCES.join(', ')}`);
  }
  return v;
}

async function trySet(name: BackendName): Promise<string | undefined> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend('${name}') returned false (initialisation failed)`;
    await tf.ready();
    return tf.getBackend() === name ? undefined : `active backend is '${tf.getBackend()}' after setBackend('${name}')`;
  } catch (e) {
    return errorText(e);
  }
}

async function tryTensorflow(modules: readonly string[], tried: BackendAttempt[]): Promise<string | undefined> {
  for (const mod of modules) {
    try {
      const spec: string = mod;
      await import(spec);
    } catch (e) {
      tried.push({ backend: 'tensorflow', module: mod, ok: false, error: errorText(e) });
      continue;
    }
    if (tf.findBackendFactory('tensorflow') == null) {
      tried.push({ backend: 'tensorflow', module: mod, ok: false, error: `${mod} loaded but registered no 'tensorflow' backend on this @tensorflow/tfjs instance` });
      continue;
    }
    const err = await trySet('tensorflow');
    tried.push({ backend: 'tensorflow', module: mod, ok: err === undefined, ...(err ? { error: err } : {}) });
    if (err === undefined) return mod;
  }
  return undefined;
}

let wasmPathsSet = false;

async function tryWasm(options: SelectBackendOptions, tried: BackendAttempt[]): Promise<boolean> {
  let error: string | undefined;
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined && !wasmPathsSet && tf.engine().registry.wasm == null) {
      wasm.setWasmPaths(options.wasmPaths as never);
      wasmPathsSet = true;
    }
    if (options.registerGradients !== false) registerWasmGradients();
    error = await trySet('wasm');
  } catch (e) {
    error = errorText(e);
  }
  tried.push({ backend: 'wasm', ok: error === undefined, ...(error ? { error } : {}) });
  return error === undefined;
}

/**
 * Picks the tfjs backend at run time and makes it active on the shared `@tensorflow/tfjs`
 * instance. 'auto' tries tensorflow (tfjs-node-gpu, then tfjs-node), then wasm (with the backward
 * kernels of {@link registerWasmGradients}), then cpu; an explicit choice that cannot load throws
 * {@link BackendUnavailableError}. Missing optional modules are recorded in `tried`, never printed.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const prefer = resolvePreference(options);
  registerFusedKernels(); // wasm and cpu training kernels (see fused/); other backends keep tfjs' gradients
  const modules = options.tensorflowModules ?? TENSORFLOW_MODULES;
  const tried: BackendAttempt[] = [];
  const source = options.prefer !== undefined ? 'prefer' : 'SLT_BACKEND';
  const why = (t: BackendAttempt[]) => t.filter((a) => !a.ok).map((a) => `${a.module ?? a.backend}: ${a.error}`).join('; ');

  if (prefer === 'tensorflow' || prefer === 'auto') {
    const mod = await tryTensorflow(modules, tried);
    if (mod !== undefined) {
      const gpu = mod.endsWith('-gpu');
      const reason = prefer === 'auto' ? `native TensorFlow loaded from ${mod}` : `requested by ${source}; loaded from ${mod}`;
      return { name: 'tensorflow', reason, tried, module: mod, gpu };
    }
    if (prefer === 'tensorflow') throw new BackendUnavailableError('tensorflow', why(tried) || 'no module to try');
  }
  if (prefer === 'wasm' || prefer === 'auto') {
    if (await tryWasm(options, tried)) {
      const reason = prefer === 'auto' ? 'tensorflow is not loadable (see tried); wasm loaded with slt backward kernels' : `requested by ${source}`;
      return { name: 'wasm', reason, tried, gpu: false };
    }
    if (prefer === 'wasm') throw new BackendUnavailableError('wasm', why(tried));
  }
  const err = await trySet('cpu');
  tried.push({ backend: 'cpu', ok: err === undefined, ...(err ? { error: err } : {}) });
  if (err !== undefined) throw new BackendUnavailableError('cpu', err);
  const reason = prefer === 'auto' ? 'neither tensorflow nor wasm loaded (see tried); plain JavaScript cpu' : `requested by ${source}`;
  return { name: 'cpu', reason, tried, gpu: false };
}
