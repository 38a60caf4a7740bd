import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'integration',
          include: ['src/**/*.test.ts'],
          globalSetup: ['@tally/testing/globalSetup'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Each file starts workers, thread pools and (the fault tests) its own PostgreSQL to kill
          // and restart: on two cores, files in parallel starve each other's timings.
          fileParallelism: false,
        },
      },
    ],
  },
});
