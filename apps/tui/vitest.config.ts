import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

export default mergeConfig(projectTestConfig, {
  test: {
    // One real search (GA + baselines) made once for every screen test.
    globalSetup: ['src/testing/global-setup.ts'],
  },
});
