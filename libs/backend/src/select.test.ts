import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendOptionError, BackendUnavailableError } from './errors.js';
import { resolvePreference, selectBackend } from './select.js';
import { registerWasmGradients, WASM_GRADIENT_KERNELS, WASM_REPLACED_KERNELS } from './wasm/register.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('selectBackend', () => {
  it("'auto' falls back quietly from the missing tfjs-node packages to wasm with the gradient kernels", async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    const choice = await selectBackend({ prefer: 'auto' });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.gpu).toBe(false);
    expect(choice.reason).toMatch(/tensorflow is not loadable/);
    expect(choice.tried.map((t) => [t.backend, t.module, t.ok])).toEqual([
      ['tensorflow', '@tensorflow/tfjs-node-gpu', false],
      ['tensorflow', '@tensorflow/tfjs-node', false],
      ['wasm', undefined, true],
    ]);
    expect(choice.tried[0].error).toMatch(/ERR_MODULE_NOT_FOUND.*tfjs-node-gpu/);
    for (const k of WASM_GRADIENT_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('registerWasmGradients is idempotent', async () => {
    await selectBackend({ prefer: 'wasm' });
    const funcs = [...WASM_GRADIENT_KERNELS, ...WASM_REPLACED_KERNELS].map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    expect(funcs.every((f) => typeof f === 'function')).toBe(true);
    expect(registerWasmGradients()).toEqual([]);
    expect([...WASM_GRADIENT_KERNELS, ...WASM_REPLACED_KERNELS].map((k) => tf.getKernel(k, 'wasm')?.kernelFunc)).toEqual(funcs);
  });

  it('an explicit tensorflow that cannot load is a BackendUnavailableError naming the backend and why', async () => {
    const err = await selectBackend({ prefer: 'tensorflow' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).backend).toBe('tensorflow');
    expect((err as Error).message).toMatch(/^backend 'tensorflow' is unavailable: @tensorflow\/tfjs-node-gpu: ERR_MODULE_NOT_FOUND.*; @tensorflow\/tfjs-node: ERR_MODULE_NOT_FOUND/);
  });

  it('a module that loads but registers no tensorflow backend is reported, and auto goes on', async () => {
    const choice = await selectBackend({ prefer: 'auto', tensorflowModules: ['node:os'] });
    expect(choice.tried[0]).toMatchObject({ backend: 'tensorflow', module: 'node:os', ok: false });
    expect(choice.tried[0].error).toMatch(/registered no 'tensorflow' backend/);
    expect(choice.name).toBe('wasm');
  });

  it('explicit cpu and wasm', async () => {
    expect((await selectBackend({ prefer: 'cpu' })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const w = await selectBackend({ prefer: 'wasm' });
    expect(w).toMatchObject({ name: 'wasm', reason: 'requested by prefer', tried: [{ backend: 'wasm', ok: true }] });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('reads SLT_BACKEND when prefer is not given; prefer wins over it', async () => {
    const c = await selectBackend({ env: { SLT_BACKEND: ' CPU ' } });
    expect(c).toMatchObject({ name: 'cpu', reason: 'requested by SLT_BACKEND' });
    expect((await selectBackend({ prefer: 'wasm', env: { SLT_BACKEND: 'cpu' } })).name).toBe('wasm');
    expect(resolvePreference({ env: {} })).toBe('auto');
  });

  it('rejects bad values naming the option and the valid ones', async () => {
    await expect(selectBackend({ env: { SLT_BACKEND: 'gpu' } })).rejects.toThrow(
      new BackendOptionError('SLT_BACKEND', 'gpu', 'one of auto, tensorflow, wasm, cpu'),
    );
    expect(() => resolvePreference({ prefer: 'webgl' as never })).toThrow(/prefer is "webgl"; expected one of auto, tensorflow, wasm, cpu/);
  });
});
