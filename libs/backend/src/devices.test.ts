import { describe, expect, it } from 'vitest';
import { listGpuDevices, parseNvidiaSmiList } from './devices.js';

const SMI = 'GPU 0: NVIDIA H200 (UUID: GPU-aaaa)\nGPU 1: NVIDIA H200 (UUID: GPU-bbbb)\nGPU 2: Tesla T4 (UUID: GPU-cccc)\n';

describe('listGpuDevices', () => {
  it('parses nvidia-smi -L', () => {
    expect(parseNvidiaSmiList(SMI)).toEqual([
      { id: '0', name: 'NVIDIA H200', uuid: 'GPU-aaaa' }, { id: '1', name: 'NVIDIA H200', uuid: 'GPU-bbbb' }, { id: '2', name: 'Tesla T4', uuid: 'GPU-cccc' },
    ]);
  });

  it('follows CUDA_VISIBLE_DEVICES (order, UUIDs) and names devices from nvidia-smi', async () => {
    const r = await listGpuDevices({ env: { CUDA_VISIBLE_DEVICES: '2,GPU-aaaa' }, nvidiaSmi: async () => SMI });
    expect(r).toMatchObject({ source: 'nvidia-smi', cudaVisibleDevices: '2,GPU-aaaa' });
    expect(r.devices.map((d) => [d.id, d.name])).toEqual([['2', 'Tesla T4'], ['0', 'NVIDIA H200']]);
  });

  it('without nvidia-smi reports the ids of a fake CUDA_VISIBLE_DEVICES list and why names are missing', async () => {
    const r = await listGpuDevices({ env: { CUDA_VISIBLE_DEVICES: '0,2,3' }, nvidiaSmi: async () => { throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' }); } });
    expect(r).toEqual({ cudaVisibleDevices: '0,2,3', devices: [{ id: '0' }, { id: '2' }, { id: '3' }], source: 'CUDA_VISIBLE_DEVICES', problem: 'nvidia-smi: not installed' });
    const none = await listGpuDevices({ env: {}, nvidiaSmi: async () => '' });
    expect(none).toEqual({ devices: [], source: 'none' });
  });

  it('runs the real nvidia-smi when there is one (or says it is missing)', async () => {
    const r = await listGpuDevices({ env: {} });
    expect(r.source === 'none' ? typeof r.problem === 'string' || r.devices.length === 0 : r.devices.length > 0).toBe(true);
  });
});
