import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own process: the handler reads its configuration from process.env at
    // import, as on Lambda, and files configure it differently.
    pool: 'forks',
    // The shell's AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL* … are replaced by the local run's.
    setupFiles: ['test/setup/local-aws-env.ts'],
    // Tests within a file run in random order, so none may depend on state another test left
    // (integration files share one gateway: each test sets up the tickets and mail it reads). The
    // seed is printed at the start ("Running tests with seed …"); replay an order with
    // `npx vitest run --sequence.seed=<seed>`. Files keep their order (long files start first).
    sequence: { shuffle: { files: false, tests: true } },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
