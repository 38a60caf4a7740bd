// Type-aware lint for every package; packages/core must stay free of I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.config.ts', '**/*.config.js', 'grafana/**', '.tools/**', '.tally/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Pure domain code: runs in worker threads and is tested without a database.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process', 'worker_threads', 'os', 'crypto'], message: 'packages/core is pure: no I/O or platform modules' },
            { group: ['pg', 'pg-*', 'slonik', '@slonik/*', '@clickhouse/*', 'prom-client', 'express', 'graphile-worker', 'piscina', '@tally/*'], message: 'packages/core is pure: no database, metrics, HTTP or job imports' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'packages/core is pure' }, { name: 'process', message: 'packages/core is pure' }],
    },
  },
  {
    // Tests read loosely-typed JSON responses.
    files: ['**/*.test.ts', '**/src/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
