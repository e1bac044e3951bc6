/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the pure core is killed by the
 * unit tests; the adapters and the pipeline by the integration tests and the unit tests, without
 * the soak (2,000 mails, minutes each run), which proves throughput under faults rather than any
 * one line; and
 * without the structure rule (function-length), which parses lib/ and would fail on Stryker's
 * instrumented copies. (Not `mergeConfig` with vitest.config.ts: it concatenates `include` lists.)
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** The adapters' and the pipeline's scopes (stryker.config.mjs), not the core's. */
const shell = process.env.MUTATE_SCOPE === 'adapters' || process.env.MUTATE_SCOPE === 'pipeline';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // The adapters and the pipeline: the integration tests, and the unit tests too (some pin an
    // adapter's pure helpers, such as the AWS failure table, case by case; a unit test costs a mutant
    // little, and Stryker runs only the tests that reach it).
    include: shell ? ['test/integration/**/*.test.ts', 'test/unit/**/*.test.ts'] : ['test/unit/**/*.test.ts'],
    // Nor the parse-and-decide fuzz (test/unit/fuzz-parse-decide.test.ts): 30-120 s a run, and it
    // reaches nearly every line of lib/mail, so each surviving mutant there would cost that much
    // (a run over lib/mail went from ~30 mutants a minute to ~7). Example-based tests must kill
    // them; the fuzz keeps running in `npm test`.
    // The same for the adapters' whole-pipeline property tests, which reach nearly every line of the
    // pipeline and would each cost every mutant there their full time: the handler fuzz
    // (fuzz-handler), the forged-sender property, 240 mails under injected faults (fault-injection,
    // ~17 s) and the crash after each AWS call in turn (crash-recovery, ~28 s). They keep running in
    // `npm test`; against mutants, the example-based integration tests (races, transient and
    // permanent failures, replay, update-only …) pin the lines one by one.
    exclude: [
      'test/integration/soak.test.ts',
      'test/integration/fuzz-handler.test.ts',
      'test/integration/forged-sender-property.test.ts',
      'test/integration/fault-injection.test.ts',
      'test/integration/crash-recovery.test.ts',
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
