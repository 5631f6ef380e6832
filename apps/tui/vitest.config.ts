import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

export default mergeConfig(projectTestConfig, {
  test: {
    // One real search (GA + baselines) made once for every screen test.
    globalSetup: ['src/testing/global-setup.ts'],
    // The screens' lists must show only their test's folder: no per-user index (a test that
    // checks the index sets its own file).
    env: { SLT_INDEX_FILE: 'off' },
  },
});
