import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    passWithNoTests: true,
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
