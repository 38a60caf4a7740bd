import { defineConfig } from 'vitest/config';

// These tests read the shipped data sets (EPA, DESNZ, the matching lexicon) and match the whole
// development set: seconds of work that a busy shared machine can stretch past vitest's 5 s default.
export default defineConfig({ test: { projects: [{ test: { name: 'unit', include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } }] } });
