import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own process: the handler reads its configuration from process.env at
    // import, as on Lambda, and files configure it differently.
    pool: 'forks',
    // The shell's AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL* … are replaced by the local run's.
    setupFiles: ['test/setup/local-aws-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
