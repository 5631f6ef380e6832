/** `MLFLOW_EXPERIMENT_NAME` is the experiment of a search that names none (a flag or config key wins). */
import { afterEach, describe, expect, it } from 'vitest';
import { parseSearchConfig } from '../config/schema.js';

const base = { model: 'mobilenet_v1_0.25', data: '/data/x' };
const saved = process.env.MLFLOW_EXPERIMENT_NAME;
afterEach(() => {
  if (saved === undefined) delete process.env.MLFLOW_EXPERIMENT_NAME;
  else process.env.MLFLOW_EXPERIMENT_NAME = saved;
});

describe('experiment name', () => {
  it('defaults to MLFLOW_EXPERIMENT_NAME, else slt; an explicit one wins', () => {
    delete process.env.MLFLOW_EXPERIMENT_NAME;
    expect(parseSearchConfig(base, 'test').experiment).toBe('slt');
    process.env.MLFLOW_EXPERIMENT_NAME = 'from-env';
    expect(parseSearchConfig(base, 'test').experiment).toBe('from-env');
    expect(parseSearchConfig({ ...base, experiment: 'explicit' }, 'test').experiment).toBe('explicit');
  });
});
