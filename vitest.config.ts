import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own process: the handler reads its configuration from process.env at
    // import, as on Lambda, and files configure it differently.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
