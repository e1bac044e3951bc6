/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the pure core is killed by the
 * unit tests; the adapters by the integration tests and the unit tests, without the soak (2,000
 * mails, minutes each run), which proves throughput under faults rather than any one line; and
 * without the structure rule (function-length), which parses lib/ and would fail on Stryker's
 * instrumented copies. (Not `mergeConfig` with vitest.config.ts: it concatenates `include` lists.)
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const scope = process.env.MUTATE_SCOPE === 'adapters' ? 'adapters' : 'core';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // The adapters: the integration tests, and the unit tests too (some pin an adapter's pure
    // helpers, such as the AWS failure table, case by case; a unit test costs a mutant little, and
    // Stryker runs only the tests that reach it).
    include: scope === 'core' ? ['test/unit/**/*.test.ts'] : ['test/integration/**/*.test.ts', 'test/unit/**/*.test.ts'],
    // Nor the parse-and-decide fuzz (test/unit/fuzz-parse-decide.test.ts): 30-120 s a run, and it
    // reaches nearly every line of lib/mail, so each surviving mutant there would cost that much
    // (a run over lib/mail went from ~30 mutants a minute to ~7). Example-based tests must kill
    // them; the fuzz keeps running in `npm test`.
    exclude: [
      'test/integration/soak.test.ts',
      'test/unit/function-length.test.ts',
      'test/unit/fuzz-parse-decide.test.ts',
      '**/node_modules/**',
    ],
    // The fuzz tests' exploring run takes a new seed each run, and names its test by it: against
    // mutants it must be the same test every time, or each run would count it as a new test and
    // test again every mutant it covers (and a mutant's fate would depend on the day's seed).
    env: { ...base.test?.env, FUZZ_SEED: '20261128' },
    // The same for the order of tests within a file (vitest.config.ts shuffles it with a new seed
    // each run): a mutant killed only by the state one test leaves for the next would otherwise be
    // killed one run and survive the next, and Stryker would test it again every run.
    sequence: { ...base.test?.sequence, seed: 20261201 },
  },
});
