import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../vitest.shared.js';

export default mergeConfig(projectTestConfig, {
  test: {
    // Each test trains real models; one file at a time keeps the 2 shared cores predictable.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
