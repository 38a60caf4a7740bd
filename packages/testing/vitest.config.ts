import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [{ test: { name: 'integration', include: ['src/**/*.test.ts'], globalSetup: ['./src/globalSetup.ts'], testTimeout: 60_000, hookTimeout: 60_000 } }],
  },
});
