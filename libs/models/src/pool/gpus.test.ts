import { describe, expect, it } from 'vitest';
import { fashionSplits, MOBILENET_025 } from '../training/testing.js';
import { createEvaluatorPool, visibleDevices } from './pool.js';
import type { TaskModelSource } from './protocol.js';

const model: TaskModelSource = {
  kind: 'zoo',
  options: { model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, adapter: 'repeat', weights: MOBILENET_025 },
};

describe('GPU pinning', () => {
  it('parses CUDA_VISIBLE_DEVICES', () => {
    expect(visibleDevices({ CUDA_VISIBLE_DEVICES: ' 0, 2 ,3' })).toEqual(['0', '2', '3']);
    expect(visibleDevices({ CUDA_VISIBLE_DEVICES: '-1' })).toEqual([]);
    expect(visibleDevices({})).toEqual([]);
  });

  it("each worker sees only its own device from the parent's CUDA_VISIBLE_DEVICES (as the worker reports its env)", async () => {
    const saved = process.env.CUDA_VISIBLE_DEVICES;
    process.env.CUDA_VISIBLE_DEVICES = '0,2,3';
    const pool = await createEvaluatorPool({ workers: 3, backend: 'wasm', model, splits: fashionSplits(0, [4, 1, 1], 6), training: { epochs: 1, seed: 1 } });
    if (saved === undefined) delete process.env.CUDA_VISIBLE_DEVICES;
    else process.env.CUDA_VISIBLE_DEVICES = saved;
    try {
      await pool.ready();
      const info = pool.workerInfo();
      expect(info.map((w) => w.cudaVisibleDevices)).toEqual(['0', '2', '3']);
      expect(info.map((w) => w.device)).toEqual(['0', '2', '3']);
      expect(info.every((w) => w.backend === 'wasm' && w.pid > 0)).toBe(true);
      const seen: { worker: number; device: string }[] = [];
      await pool.evaluate('0'.repeat(80) + '1'.repeat(6), { onStart: ({ worker, device }) => seen.push({ worker, device }) });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.device).toBe(['0', '2', '3'][seen[0]!.worker]);
    } finally {
      await pool.close();
    }
  });

  it('an explicit gpus list wins and is dealt round-robin; a bad id is refused by name', async () => {
    await expect(createEvaluatorPool({ workers: 1, gpus: ['0;rm'], model, splits: fashionSplits(0, [4, 1, 1], 6) })).rejects.toThrow(/gpus: got "0;rm"/);
    const pool = await createEvaluatorPool({ workers: 2, gpus: ['7'], backend: 'wasm', model, splits: fashionSplits(0, [4, 1, 1], 6) });
    try {
      await pool.ready();
      expect(pool.workerInfo().map((w) => w.cudaVisibleDevices)).toEqual(['7', '7']);
    } finally {
      await pool.close();
    }
  });
});
