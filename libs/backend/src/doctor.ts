import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TENSORFLOW_MODULES } from './select.js';

/** Outcome of one check. 'info' neither passes nor fails (e.g. an optional part that is absent). */
export type DoctorStatus = 'ok' | 'warn' | 'fail' | 'info';

/** One line of a doctor report. Other libs (e.g. the runner) may append their own checks. */
export interface DoctorCheck {
  /** Stable identifier, e.g. 'backend.wasm', 'gpu.cudnn'. */
  id: string;
  /** Section the check belongs to, e.g. 'backends', 'gpu'. */
  group: string;
  /** Short human label. */
  label: string;
  /** Result. */
  status: DoctorStatus;
  /** What was found (versions, paths, the error). */
  detail: string;
  /** How to fix it, when it is not ok. */
  fix?: string;
}

/** What {@link doctor} found. */
export interface DoctorReport {
  /** Node.js version. */
  node: string;
  /** Node's N-API version (process.versions.napi). */
  napi: number | undefined;
  /** OS platform and CPU architecture, e.g. 'linux-x64'. */
  platform: string;
  /** Backends that load here, best first ('tensorflow' | 'wasm' | 'cpu'). */
  loadable: string[];
  /** All checks, in order. */
  checks: DoctorCheck[];
}

/** Options of {@link doctor}. */
export interface DoctorOptions {
  /** Environment to inspect (LD_LIBRARY_PATH, CUDA_VISIBLE_DEVICES, SLT_BACKEND). Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Try to load each backend (imports tfjs-node if installed, initialises wasm). Default: true. */
  loadBackends?: boolean;
  /** Extra folders searched for the CUDA/cuDNN libraries. Default: /usr/local/cuda/lib64, /usr/local/cuda-11.2/lib64, /usr/lib/x86_64-linux-gnu. */
  libraryDirs?: string[];
  /** Seconds allowed for each external command (ldconfig, nvidia-smi). Default: 5. */
  commandTimeoutSeconds?: number;
}

/** The libraries libtensorflow 2.9 (tfjs-node-gpu 4.x) opens: CUDA 11.2 and cuDNN 8.1. */
export const CUDA_LIBRARIES: ReadonlyArray<{ id: string; label: string; pattern: RegExp; need: string }> = [
  { id: 'gpu.cudart', label: 'CUDA runtime', pattern: /^libcudart\.so\.11\.0$/, need: 'libcudart.so.11.0 (CUDA 11.x, 11.2 recommended)' },
  { id: 'gpu.cublas', label: 'cuBLAS', pattern: /^libcublas\.so\.11$/, need: 'libcublas.so.11 (CUDA 11.x)' },
  { id: 'gpu.cublaslt', label: 'cuBLASLt', pattern: /^libcublasLt\.so\.11$/, need: 'libcublasLt.so.11 (CUDA 11.x)' },
  { id: 'gpu.cudnn', label: 'cuDNN', pattern: /^libcudnn\.so\.8$/, need: 'libcudnn.so.8 (cuDNN 8.1 for CUDA 11.2)' },
];

const DEFAULT_LIB_DIRS = ['/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64', '/usr/lib/x86_64-linux-gnu'];
const require = createRequire(import.meta.url);

function run(cmd: string, args: string[], timeoutSeconds: number): Promise<{ ok: boolean; out: string; error?: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutSeconds * 1000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        resolve({ ok: false, out: stdout, error: code === 'ENOENT' ? `${cmd} not found on PATH` : (stderr.trim() || err.message).split('\n')[0] });
      } else resolve({ ok: true, out: stdout });
    });
  });
}

function packageInfo(name: string): { version: string; dir: string; napiVersions?: number[] } | undefined {
  try {
    const file = require.resolve(`${name}/package.json`);
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version: string; binary?: { napi_versions?: number[] } };
    return { version: pkg.version, dir: path.dirname(file), napiVersions: pkg.binary?.napi_versions };
  } catch {
    return undefined;
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** Finds each CUDA library in `ldconfig -p` output or in the given folders. */
export function findLibraries(ldconfigOutput: string, dirs: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const lib of CUDA_LIBRARIES) {
    for (const line of ldconfigOutput.split('\n')) {
      const m = /^\s*(\S+)\s.*=>\s*(\S+)\s*$/.exec(line);
      if (m && lib.pattern.test(m[1])) { found.set(lib.id, m[2]); break; }
    }
    if (found.has(lib.id)) continue;
    for (const dir of dirs) {
      let names: string[] = [];
      try { names = readdirSync(dir); } catch { continue; }
      const hit = names.find((f) => lib.pattern.test(f));
      if (hit) { found.set(lib.id, path.join(dir, hit)); break; }
    }
  }
  return found;
}

async function backendChecks(options: DoctorOptions, loadable: string[]): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const load = options.loadBackends !== false;
  const previous = tf.getBackend();
  for (const mod of TENSORFLOW_MODULES) {
    const info = packageInfo(mod);
    const id = `backend.${mod.endsWith('-gpu') ? 'tensorflow-gpu' : 'tensorflow'}`;
    const label = `tensorflow (${mod})`;
    if (!info) {
      checks.push({ id, group: 'backends', label, status: 'info', detail: 'not installed (optional)', fix: `npm install ${mod}@4.22.0 for native TensorFlow${mod.endsWith('-gpu') ? ' on an NVIDIA GPU (Linux x64, CUDA 11.2, cuDNN 8.1)' : ' on the CPU'}` });
      continue;
    }
    if (!load) { checks.push({ id, group: 'backends', label, status: 'info', detail: `installed ${info.version}; not loaded (loadBackends: false)` }); continue; }
    try {
      const spec: string = mod;
      await import(spec);
      const ok = tf.findBackendFactory('tensorflow') != null;
      checks.push({ id, group: 'backends', label, status: ok ? 'ok' : 'fail', detail: ok ? `installed ${info.version}; loads` : `installed ${info.version} but registered no 'tensorflow' backend`, ...(ok ? {} : { fix: `reinstall ${mod} at the same version as @tensorflow/tfjs (4.22.0)` }) });
      if (ok && !loadable.includes('tensorflow')) loadable.push('tensorflow');
    } catch (e) {
      checks.push({ id, group: 'backends', label, status: 'fail', detail: `installed ${info.version} but fails to load: ${firstLine(e)}`, fix: mod.endsWith('-gpu') ? 'see the gpu checks below (CUDA 11.2 / cuDNN 8.1 libraries, N-API)' : `npm rebuild ${mod} (its native addon or libtensorflow download is missing)` });
    }
  }
  const wasm = packageInfo('@tensorflow/tfjs-backend-wasm');
  if (!wasm) {
    checks.push({ id: 'backend.wasm', group: 'backends', label: 'wasm', status: 'fail', detail: '@tensorflow/tfjs-backend-wasm is not installed', fix: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0' });
  } else {
    const simd = existsSync(path.join(wasm.dir, 'dist', 'tfjs-backend-wasm-simd.wasm'));
    let detail = `${wasm.version}; binaries in ${path.join(wasm.dir, 'dist')} (${simd ? 'SIMD build present' : 'SIMD build missing'})`;
    let status: DoctorStatus = 'ok';
    if (load) {
      try {
        await import('@tensorflow/tfjs-backend-wasm');
        const ok = await tf.setBackend('wasm');
        const simdOn = ok ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : false;
        detail += ok ? `; loads, SIMD ${simdOn ? 'on' : 'off'}, threads off (Node)` : '; fails to initialise';
        if (!ok) status = 'fail';
      } catch (e) {
        status = 'fail';
        detail += `; fails to load: ${firstLine(e)}`;
      }
    }
    checks.push({ id: 'backend.wasm', group: 'backends', label: 'wasm', status, detail, ...(status === 'fail' ? { fix: 'reinstall @tensorflow/tfjs-backend-wasm@4.22.0 (the .wasm files must sit in its dist/ folder)' } : {}) });
    if (status === 'ok') loadable.push('wasm');
  }
  checks.push({ id: 'backend.cpu', group: 'backends', label: 'cpu', status: 'ok', detail: 'plain JavaScript, always available (slowest)' });
  loadable.push('cpu');
  if (load && previous && tf.getBackend() !== previous) await tf.setBackend(previous);
  return checks;
}

async function gpuChecks(options: DoctorOptions, napi: number | undefined): Promise<DoctorCheck[]> {
  const env = options.env ?? process.env;
  const timeout = options.commandTimeoutSeconds ?? 5;
  const checks: DoctorCheck[] = [];
  const g = 'gpu';
  const platformOk = process.platform === 'linux' && process.arch === 'x64';
  checks.push({ id: 'gpu.platform', group: g, label: 'platform', status: platformOk ? 'ok' : 'fail', detail: `${process.platform}-${process.arch}`, ...(platformOk ? {} : { fix: 'tfjs-node-gpu ships only for linux-x64' }) });
  const gpuPkg = packageInfo('@tensorflow/tfjs-node-gpu');
  checks.push(gpuPkg
    ? { id: 'gpu.package', group: g, label: '@tensorflow/tfjs-node-gpu', status: 'ok', detail: `installed ${gpuPkg.version}` }
    : { id: 'gpu.package', group: g, label: '@tensorflow/tfjs-node-gpu', status: 'fail', detail: 'not installed', fix: 'npm install @tensorflow/tfjs-node-gpu@4.22.0 (downloads libtensorflow 2.9 GPU on install)' });
  const napiVersions = gpuPkg?.napiVersions ?? packageInfo('@tensorflow/tfjs-node')?.napiVersions;
  const needMin = napiVersions ? Math.min(...napiVersions) : 3;
  const napiOk = napi !== undefined && napi >= needMin;
  checks.push({
    id: 'gpu.napi', group: g, label: 'N-API', status: napiOk ? 'ok' : 'fail',
    detail: `Node ${process.version} has N-API ${napi ?? 'none'}; tfjs-node needs >= ${needMin}${napiVersions ? ` (prebuilt for ${napiVersions.join(', ')})` : ' (prebuilt addons for N-API 3 to 8 in 4.x)'}`,
    ...(napiOk ? {} : { fix: 'use Node.js 18 or newer' }),
  });
  const ld = await run('ldconfig', ['-p'], timeout);
  const ldPath = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const dirs = [...ldPath, ...(options.libraryDirs ?? DEFAULT_LIB_DIRS)];
  const found = findLibraries(ld.ok ? ld.out : '', dirs);
  for (const lib of CUDA_LIBRARIES) {
    const where = found.get(lib.id);
    checks.push(where
      ? { id: lib.id, group: g, label: lib.label, status: 'ok', detail: where }
      : { id: lib.id, group: g, label: lib.label, status: 'fail', detail: `${lib.need} not found by ldconfig -p${ld.ok ? '' : ` (${ld.error})`} nor in LD_LIBRARY_PATH or ${(options.libraryDirs ?? DEFAULT_LIB_DIRS).join(', ')}`, fix: lib.id === 'gpu.cudnn' ? 'install cuDNN 8.1 for CUDA 11.2 and add its lib folder to LD_LIBRARY_PATH (or run ldconfig)' : 'install the CUDA 11.2 toolkit and add /usr/local/cuda-11.2/lib64 to LD_LIBRARY_PATH (or run ldconfig)' });
  }
  const smi = await run('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], timeout);
  const gpus = smi.ok ? smi.out.trim().split('\n').filter(Boolean) : [];
  checks.push(smi.ok && gpus.length > 0
    ? { id: 'gpu.nvidia-smi', group: g, label: 'nvidia-smi', status: 'ok', detail: gpus.join('; ') }
    : { id: 'gpu.nvidia-smi', group: g, label: 'nvidia-smi', status: 'fail', detail: smi.ok ? 'no GPU listed' : (smi.error ?? 'failed'), fix: 'install the NVIDIA driver (>= 450.80 for CUDA 11.2); nvidia-smi must list the GPU' });
  const cvd = env.CUDA_VISIBLE_DEVICES;
  const hidden = cvd !== undefined && (cvd.trim() === '' || cvd.trim() === '-1');
  checks.push({
    id: 'gpu.visible-devices', group: g, label: 'CUDA_VISIBLE_DEVICES', status: hidden ? 'warn' : 'info',
    detail: cvd === undefined ? 'not set (all GPUs visible)' : `'${cvd}'${hidden ? ' hides every GPU' : ''}`,
    ...(hidden ? { fix: 'unset CUDA_VISIBLE_DEVICES or list GPU indices, e.g. 0,1 (slt workers set one each)' } : {}),
  });
  return checks;
}

/**
 * Explains which tfjs backends load here and, for the GPU backend, what is missing: the
 * tfjs-node-gpu package, Node's N-API version, the CUDA 11.2 / cuDNN 8.1 libraries (via ldconfig
 * and LD_LIBRARY_PATH), nvidia-smi and CUDA_VISIBLE_DEVICES. Each failing item carries a fix hint.
 * Never throws for a missing part; restores the active backend afterwards.
 */
export async function doctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const napiRaw = process.versions.napi;
  const napi = napiRaw !== undefined ? Number(napiRaw) : undefined;
  const loadable: string[] = [];
  const checks = [...(await backendChecks(options, loadable)), ...(await gpuChecks(options, napi))];
  const env = options.env ?? process.env;
  if (env.SLT_BACKEND !== undefined) {
    const v = env.SLT_BACKEND.trim().toLowerCase();
    const ok = ['auto', 'tensorflow', 'wasm', 'cpu'].includes(v);
    checks.push({ id: 'backend.slt-backend', group: 'backends', label: 'SLT_BACKEND', status: ok ? (v === 'auto' || loadable.includes(v) ? 'ok' : 'fail') : 'fail', detail: `'${env.SLT_BACKEND}'`, ...(ok && (v === 'auto' || loadable.includes(v)) ? {} : { fix: `set SLT_BACKEND to auto or a loadable backend: ${loadable.join(', ')}` }) });
  }
  const order = ['tensorflow', 'wasm', 'cpu'];
  loadable.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { node: process.version, napi, platform: `${process.platform}-${process.arch}`, loadable, checks };
}

const MARK: Record<DoctorStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: '--  ' };

/** Formats a report as plain text, one line per check (plus its fix), grouped by section. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = [`node ${report.node} (N-API ${report.napi ?? 'none'}), ${report.platform}`, `loadable backends: ${report.loadable.join(', ') || 'none'}`];
  const groups = [...new Set(report.checks.map((c) => c.group))];
  for (const group of groups) {
    lines.push('', `${group}:`);
    for (const c of report.checks.filter((x) => x.group === group)) {
      lines.push(`  [${MARK[c.status]}] ${c.label}: ${c.detail}`);
      if (c.fix && c.status !== 'ok') lines.push(`         fix: ${c.fix}`);
    }
  }
  return lines.join('\n');
}
