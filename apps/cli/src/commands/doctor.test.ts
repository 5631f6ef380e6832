import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '@slt/backend';
import { runCommand } from '../testing/run-command.js';
import { gpuGroup, registerDoctor, trainGroup } from './doctor.js';

const store = () => ['--tracking-uri', path.join(mkdtempSync(path.join(tmpdir(), 'slt-doctor-')), 'mlruns')];

describe('slt doctor', () => {
  it('on this machine: names the backend a search will use, GPU facts are info, exit 0', async () => {
    const json = JSON.parse((await runCommand(registerDoctor, ['doctor', '--json', ...store()])).out) as { ok: boolean; backend: string; report: DoctorReport };
    const r = await runCommand(registerDoctor, ['doctor', ...store()]);
    expect(r.code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.backend).toBe(json.report.loadable[0]);
    expect(r.out).toMatch(new RegExp(`^Train here\\? {2}yes: searches train on ${json.backend === 'tensorflow' ? 'tensorflow \\(' : json.backend}`, 'm'));
    expect(r.out).toMatch(/^GPU\? /m);
    expect(r.out).toMatch(/^MLflow\? {2}yes: runs go to the FileStore /m);
    // One case for statuses, and the library search path said once, not per library.
    expect(r.out).not.toMatch(/FAIL|\[ok/);
    expect(r.out.match(/LD_LIBRARY_PATH/g)?.length ?? 0).toBeLessThanOrEqual(1);
    if (!json.report.checks.some((c) => c.id === 'gpu.package' && c.status === 'ok')) {
      const gpu = r.out.slice(r.out.indexOf('GPU?'), r.out.indexOf('MLflow?'));
      expect(gpu).not.toMatch(/^\s+(fail|warn)\s/m);
      expect(gpu).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    }
  });

  it('exits 1 only on what blocks a search: bad data, or a backend asked for that does not load; MLflow down is a warning', async () => {
    const data = await runCommand(registerDoctor, ['doctor', '--data', '/nonexistent/data', ...store()]);
    expect(data.code).toBe(1);
    expect(data.out).toMatch(/^Train here\? {2}not yet: .*fix data first/m);
    const down = await runCommand(registerDoctor, ['doctor', '--tracking-uri', 'http://127.0.0.1:1']);
    expect(down.code).toBe(0);
    expect(down.out).toMatch(/^MLflow\? {2}not now: the tracking server http:\/\/127\.0\.0\.1:1 does not answer; searches still run/m);
  });

  it('a backend asked for that does not load blocks; a GPU machine missing cuDNN gets warnings and the fix once', () => {
    const report: DoctorReport = {
      node: 'v20', napi: 9, platform: 'linux-x64', loadable: ['wasm', 'cpu'],
      checks: [
        { id: 'backend.tensorflow-gpu', group: 'backends', label: 'tensorflow (@tensorflow/tfjs-node-gpu)', status: 'fail', detail: 'installed 4.22.0 but fails to load: libcudnn.so.8', fix: 'see the gpu checks' },
        { id: 'backend.wasm', group: 'backends', label: 'wasm', status: 'ok', detail: 'loads' },
        { id: 'backend.cpu', group: 'backends', label: 'cpu', status: 'ok', detail: 'always' },
        { id: 'gpu.package', group: 'gpu', label: '@tensorflow/tfjs-node-gpu', status: 'ok', detail: 'installed 4.22.0' },
        { id: 'gpu.cudnn', group: 'gpu', label: 'cuDNN', status: 'fail', detail: 'libcudnn.so.8 (cuDNN 8.1 for CUDA 11.2) not found by ldconfig -p nor in LD_LIBRARY_PATH or /usr/local/cuda/lib64', fix: 'install cuDNN 8.1' },
        { id: 'gpu.cublas', group: 'gpu', label: 'cuBLAS', status: 'fail', detail: 'libcublas.so.11 (CUDA 11.x) not found by ldconfig -p nor in LD_LIBRARY_PATH or /usr/local/cuda/lib64', fix: 'install the CUDA 11.2 toolkit' },
      ],
    };
    const asked = trainGroup(report, 'tensorflow', []);
    expect(asked.blocks).toBe(true);
    expect(asked.answer).toMatch(/^no: the backend asked for \(tensorflow.*loadable: wasm, cpu/);
    const auto = trainGroup(report, 'auto', []);
    expect(auto).toMatchObject({ blocks: false, answer: 'yes: searches train on wasm; if it failed to load: cpu' });
    expect(auto.lines.find((l) => l.label.includes('gpu'))?.status).toBe('warn');
    const gpu = gpuGroup(report, { ids: ['0 NVIDIA H200'], source: 'nvidia-smi' });
    expect(gpu.blocks).toBe(false);
    expect(gpu.answer).toMatch(/^not usable yet/);
    expect(gpu.lines.filter((l) => l.status === 'warn').map((l) => l.detail)).toEqual(['libcudnn.so.8 (cuDNN 8.1 for CUDA 11.2) not found', 'libcublas.so.11 (CUDA 11.x) not found']);
    expect(gpu.notes).toEqual(['the libraries were looked for with ldconfig -p, in LD_LIBRARY_PATH and in /usr/local/cuda/lib64', 'fix: install cuDNN 8.1', 'fix: install the CUDA 11.2 toolkit']);
  });
});
