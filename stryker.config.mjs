// @ts-check
/**
 * Mutation testing (Stryker): `npm run mutate` mutates the pure core (the decision, screening,
 * references, mail parsing, outcomes, configuration) and must kill at least 85 % of the mutants;
 * `npm run mutate:adapters` mutates the adapters and the pipeline, killed through the integration
 * tests, at least 70 %. Both are incremental (`reports/mutation/*-incremental.json`, committed):
 * only mutants of code changed since the last run are tested again.
 * Equivalent mutants that survive are listed with the reason in `reports/mutation/EQUIVALENT.md`
 * and disabled in the code with `// Stryker disable next-line <mutator>: <reason>`.
 */
const scope = process.env.MUTATE_SCOPE === 'adapters' ? 'adapters' : 'core';

/** The pure core: functions of plain data, tested without I/O. */
const CORE = [
  'lib/decide.ts',
  'lib/outcomes.ts',
  'lib/config.ts',
  'lib/mailbox.ts',
  'lib/ledger-outcomes.ts',
  'lib/record-caps.ts',
  'lib/ticket-chain.ts',
  'lib/screening/**/*.ts',
  'lib/reference/**/*.ts',
  'lib/mail/**/*.ts',
];

/** The imperative shell: AWS adapters and the pipeline's stages, killed by the integration tests. */
const ADAPTERS = ['lib/adapters/**/*.ts', 'lib/pipeline/**/*.ts', 'lib/events/**/*.ts', 'lib/intake.ts', 'lib/ingest-handler.ts', 'lib/replay.ts', 'lib/sweep.ts', 'lib/attachment-sinks.ts'];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: scope === 'core' ? CORE : ADAPTERS,
  ignorePatterns: ['reports', '.serverless', 'node_modules', '.stryker-tmp'],
  incremental: true,
  incrementalFile: `reports/mutation/${scope}-incremental.json`,
  reporters: ['json', 'clear-text', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${scope}.json` },
  thresholds: scope === 'core' ? { high: 90, low: 85, break: 85 } : { high: 80, low: 70, break: 70 },
  concurrency: 2,
  timeoutMS: 60_000,
  dryRunTimeoutMinutes: 30,
  tempDirName: '.stryker-tmp',
};
