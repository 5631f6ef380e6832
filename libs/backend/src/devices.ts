/**
 * The GPUs this process can see: the ids of CUDA_VISIBLE_DEVICES and, when `nvidia-smi` runs,
 * each device's name and UUID. Nothing here loads CUDA.
 */
import { execFile } from 'node:child_process';

/** One GPU. */
export interface GpuDevice {
  /** The id to pass on (`--gpus`, CUDA_VISIBLE_DEVICES): an index or a `GPU-<uuid>`. */
  id: string;
  /** Name as nvidia-smi reports it, when known. */
  name?: string;
  /** UUID as nvidia-smi reports it, when known. */
  uuid?: string;
}

/** What {@link listGpuDevices} found. */
export interface GpuDeviceList {
  /** CUDA_VISIBLE_DEVICES as set (undefined when unset). */
  cudaVisibleDevices?: string;
  /** The devices a search's workers would be pinned to, in order. */
  devices: GpuDevice[];
  /** `nvidia-smi` (names known), `CUDA_VISIBLE_DEVICES` (ids only) or `none`. */
  source: 'nvidia-smi' | 'CUDA_VISIBLE_DEVICES' | 'none';
  /** Why nvidia-smi gave nothing (not installed, failed), when it did not. */
  problem?: string;
}

/** Options of {@link listGpuDevices}. */
export interface ListGpuDevicesOptions {
  /** Environment to read CUDA_VISIBLE_DEVICES from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Runs `nvidia-smi -L` (default: the real one, 5 s timeout); resolves its stdout. For tests. */
  nvidiaSmi?: () => Promise<string>;
}

/** Parses `nvidia-smi -L` lines: `GPU 0: NVIDIA H200 (UUID: GPU-1234...)`. */
export function parseNvidiaSmiList(text: string): GpuDevice[] {
  const out: GpuDevice[] = [];
  for (const line of text.split('\n')) {
    const m = /^GPU\s+(\d+):\s*(.*?)\s*(?:\(UUID:\s*([^)]+)\))?\s*$/.exec(line.trim());
    if (m) out.push({ id: m[1]!, name: m[2] || undefined, uuid: m[3]?.trim() });
  }
  return out;
}

function runNvidiaSmi(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('nvidia-smi', ['-L'], { timeout: 5000, env }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/**
 * Lists the GPUs this process sees. With CUDA_VISIBLE_DEVICES set, its ids in its order (named
 * from nvidia-smi where they match an index or UUID); otherwise every device nvidia-smi lists.
 */
export async function listGpuDevices(options: ListGpuDevicesOptions = {}): Promise<GpuDeviceList> {
  const env = options.env ?? process.env;
  const raw = env.CUDA_VISIBLE_DEVICES;
  const ids = (raw ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '' && d !== '-1');
  let smi: GpuDevice[] = [];
  let problem: string | undefined;
  try {
    // nvidia-smi ignores CUDA_VISIBLE_DEVICES: it lists every device of the machine.
    smi = parseNvidiaSmiList(await (options.nvidiaSmi ?? (() => runNvidiaSmi(env)))());
  } catch (err) {
    problem = `nvidia-smi: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : (err as Error).message}`;
  }
  const base = { ...(raw !== undefined ? { cudaVisibleDevices: raw } : {}), ...(problem ? { problem } : {}) };
  if (raw !== undefined) {
    const devices = ids.map((id) => smi.find((d) => d.id === id || d.uuid === id) ?? { id });
    return { ...base, devices, source: devices.some((d) => d.name) ? 'nvidia-smi' : ids.length ? 'CUDA_VISIBLE_DEVICES' : 'none' };
  }
  return { ...base, devices: smi, source: smi.length ? 'nvidia-smi' : 'none' };
}
