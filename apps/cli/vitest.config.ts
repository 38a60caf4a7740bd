import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [{ test: { name: 'integration', include: ['src/**/*.test.ts'], globalSetup: ['@tally/testing/globalSetup'], testTimeout: 120_000, hookTimeout: 60_000 } }],
  },
});
