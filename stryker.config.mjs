// @ts-check
import { readFileSync } from 'node:fs';
/**
 * Mutation testing (Stryker): `npm run mutate` mutates the pure core (the decision, screening,
 * references, mail parsing, outcomes, configuration) and must score at least `thresholds.break`
 * (below: a floor under the committed baseline's score, which the README gives);
 * `npm run mutate:adapters` mutates the AWS adapters (lib/adapters: S3, DynamoDB, SES, EventBridge,
 * SSM, metrics), killed through the integration tests (and the unit tests of their helpers), at least
 * 70 %; `npm run mutate:pipeline` the shell's stages that wire them (lib/pipeline, the handler,
 * intake, events, replay, sweep), the same way. All are incremental
 * (`reports/mutation/<scope>-incremental.json`, committed once measured): only mutants of code
 * changed since the last run, or reached by a changed test file, are tested again.
 * Equivalent mutants are disabled in the code with `// Stryker disable next-line <mutator>:
 * equivalent, <reason>`; where a line also holds a killable mutant of the same mutator, they stay
 * survivors and `reports/mutation/EQUIVALENT.md` lists them with the reason.
 */
const SCOPES = /** @type {const} */ (['core', 'adapters', 'pipeline']);
const scope = /** @type {(typeof SCOPES)[number]} */ (process.env.MUTATE_SCOPE || 'core');
// A misspelt scope must not fall back to the core and overwrite its reports.
if (!SCOPES.includes(scope)) throw new Error(`MUTATE_SCOPE="${process.env.MUTATE_SCOPE}": expected one of ${SCOPES.join(', ')}`);

/**
 * What each scope mutates: the `include` of its tsconfig.mutate-<scope>.json, the project the
 * checker type-checks its mutants against (one list for both). The core: functions of plain data,
 * tested without I/O; the adapters: the AWS adapters behind the ports; the pipeline: the shell's
 * stages that wire core and adapters. The last two are killed by the integration tests (and the
 * unit tests).
 */
const tsconfigFile = `tsconfig.mutate-${scope}.json`;
const mutate = /** @type {{ include: string[] }} */ (JSON.parse(readFileSync(new URL(tsconfigFile, import.meta.url), 'utf8'))).include;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  checkers: ['typescript'],
  // The checker type-checks each mutant (a mutant TypeScript rejects is a CompileError, outside the
  // score) against a project of the mutated files and what they import: fewer files than the whole
  // project's ~2,500 (the tests and what they import), one check in about a second for the core
  // instead of ~6 s.
  tsconfigFile,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // Static mutants (in code run once, at import: module-level regexes, tables, constants) are left
  // out of the score: Stryker cannot tell which test covers them, so each one re-runs the whole
  // unit suite (25-50 s here, against ~1-3 s for a mutant inside a function), which would make the
  // core's ~640 static mutants most of a run's time. Mutants inside functions are all tested. A
  // run that includes them: set this to false and run `npx stryker run --incremental false`
  // (hours). See reports/mutation/EQUIVALENT.md.
  ignoreStatic: true,
  mutate,
  ignorePatterns: ['reports', '.serverless', 'node_modules', '.stryker-tmp'],
  incremental: true,
  incrementalFile: `reports/mutation/${scope}-incremental.json`,
  reporters: ['json', 'clear-text', 'progress'],
  // Where CI is set (CI runners set it; .ci/run does not) the score table only: each survivor's diff is in the JSON report.
  clearTextReporter: { reportMutants: !process.env.CI },
  jsonReporter: { fileName: `reports/mutation/${scope}.json` },
  // Issue 18 asked for 85 % of the core. Its committed baseline scores more (README); the break
  // threshold sits a little under it, a ratchet that leaves room for a few survivors in new code:
  // raise it as survivors are killed, never lower it.
  thresholds: scope === 'core' ? { high: 97, low: 95, break: 95 } : { high: 80, low: 70, break: 70 },
  concurrency: 2,
  // A mutant that loops forever costs this long (plus 1.5 × its tests' time) before it counts as
  // killed by timeout: the slowest unit-test file takes ~2 s; the integration tests far longer.
  timeoutMS: scope === 'core' ? 10_000 : 60_000,
  dryRunTimeoutMinutes: 30,
  tempDirName: '.stryker-tmp',
};
