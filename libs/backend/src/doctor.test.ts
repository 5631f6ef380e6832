import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor, findLibraries, formatDoctorReport } from './doctor.js';

let libDir: string;

beforeAll(async () => {
  libDir = await mkdtemp(path.join(os.tmpdir(), 'slt-doctor-'));
  await writeFile(path.join(libDir, 'libcudart.so.11.0'), '');
  await writeFile(path.join(libDir, 'libcudnn.so.8'), '');
  await writeFile(path.join(libDir, 'libcublas.so.12'), ''); // the wrong major version
});

afterAll(async () => {
  await rm(libDir, { recursive: true, force: true });
});

const get = (r: Awaited<ReturnType<typeof doctor>>, id: string) => r.checks.find((c) => c.id === id)!;

describe('doctor', () => {
  it('reports each backend and the GPU requirements on this machine, and restores the active backend', async () => {
    await tf.setBackend('cpu');
    const r = await doctor({ env: {}, libraryDirs: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(r.loadable).toEqual(['wasm', 'cpu']);
    expect(r.napi).toBe(Number(process.versions.napi));
    expect(get(r, 'backend.wasm')).toMatchObject({ status: 'ok' });
    expect(get(r, 'backend.wasm').detail).toMatch(/SIMD on, threads off/);
    expect(get(r, 'backend.tensorflow-gpu')).toMatchObject({ status: 'info', detail: 'not installed (optional)' });
    expect(get(r, 'gpu.package')).toMatchObject({ status: 'fail' });
    expect(get(r, 'gpu.package').fix).toMatch(/npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    expect(get(r, 'gpu.napi').status).toBe('ok');
    expect(get(r, 'gpu.cudnn')).toMatchObject({ status: 'fail' });
    expect(get(r, 'gpu.cudnn').fix).toMatch(/cuDNN 8\.1/);
    expect(get(r, 'gpu.visible-devices')).toMatchObject({ status: 'info', detail: 'not set (all GPUs visible)' });
    const text = formatDoctorReport(r);
    expect(text).toMatch(/^node v\d+.*N-API \d+/);
    expect(text).toMatch(/\[ok {2}\] wasm: /);
    expect(text).toMatch(/\[FAIL\] cuDNN: libcudnn\.so\.8 .* not found[^\n]*\n {9}fix: install cuDNN 8\.1/);
  });

  it('finds CUDA libraries through LD_LIBRARY_PATH and flags hidden GPUs and a bad SLT_BACKEND', async () => {
    const r = await doctor({ env: { LD_LIBRARY_PATH: `/nonexistent:${libDir}`, CUDA_VISIBLE_DEVICES: '-1', SLT_BACKEND: 'tensorflow' }, loadBackends: false, libraryDirs: [] });
    expect(get(r, 'gpu.cudart')).toMatchObject({ status: 'ok', detail: path.join(libDir, 'libcudart.so.11.0') });
    expect(get(r, 'gpu.cudnn')).toMatchObject({ status: 'ok', detail: path.join(libDir, 'libcudnn.so.8') });
    expect(get(r, 'gpu.cublas').status).toBe('fail'); // only libcublas.so.12 is there
    expect(get(r, 'gpu.visible-devices')).toMatchObject({ status: 'warn' });
    expect(get(r, 'backend.slt-backend')).toMatchObject({ status: 'fail' });
    expect(get(r, 'backend.slt-backend').fix).toMatch(/auto or a loadable backend: wasm, cpu/);
  });

  it('parses ldconfig -p lines', () => {
    const out = [
      '3 libs found in cache `/etc/ld.so.cache\'',
      '\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8',
      '\tlibcudart.so.11.0 (libc6,x86-64) => /usr/local/cuda-11.2/lib64/libcudart.so.11.0',
      '\tlibcublas.so.11 (libc6,x86-64) => /usr/local/cuda-11.2/lib64/libcublas.so.11',
    ].join('\n');
    const found = findLibraries(out, []);
    expect(found.get('gpu.cudnn')).toBe('/usr/lib/x86_64-linux-gnu/libcudnn.so.8');
    expect(found.get('gpu.cudart')).toBe('/usr/local/cuda-11.2/lib64/libcudart.so.11.0');
    expect(found.get('gpu.cublas')).toBe('/usr/local/cuda-11.2/lib64/libcublas.so.11');
    expect(found.has('gpu.cublaslt')).toBe(false);
  });
});
