import { tmpdir } from 'node:os';
import path from 'node:path';
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
    // Searches started by tests go to a throwaway per-user index, not the user's own.
    env: { SLT_INDEX_FILE: process.env.SLT_INDEX_FILE ?? path.join(tmpdir(), `slt-test-index-${process.pid}.jsonl`) },
  },
});
