import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The engine tests are CPU-heavy; one file at a time keeps the 2-core machine responsive.
    fileParallelism: false,
  },
});
