import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules', '**/out-tsc', '**/dist', '**/.nx', '**/mlruns', '**/*.d.ts'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The CLI loads libs on demand (`slt --help` loads none); static imports elsewhere are fine.
          checkDynamicDependenciesExceptions: ['@slt/*', '@slt/runner/light', '@slt/models/workers', '@slt/runner/testing', '@slt/tracking/testing'],
          allow: [],
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // tools/ (the build the bins run) is no project of the graph; its test imports it.
    files: ['apps/cli/src/build.test.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Build config, not product code: every project's vitest.config.ts re-exports the root's
    // vitest.shared.ts, which is no project of the graph.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
