import { defineConfig } from 'vitest/config';

/**
 * The test settings every project shares: tests next to the code, one process per file (tfjs
 * backends and worker pools keep global state), and generous timeouts for real training on a
 * shared 2-core machine. Each project's `vitest.config.ts` re-exports this.
 */
export const projectTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    passWithNoTests: true,
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
