/**
 * `npm run smoke -- --stage S [--region R]`
 *
 * After a deploy, checks with the deployer's credentials that mail sent to the domain will reach the
 * gateway: the stack's outputs, the active rule set holding the rule, the domain's MX record, the
 * verified domain identity, the bucket policy naming the rule, a missing object answering 404 to the
 * function's role, and a confirmed alarm subscription. Prints each as PASS or FAIL with the fix;
 * exits 1 when any failed. Sends no mail (see lib/smoke/gather.ts for the one invocation it makes).
 */
import { parseArgs } from 'node:util';
import { DeploymentConfigError } from '../../infra/plugin/names.cjs';
import { formatReport, runChecks } from '../smoke/checks.js';
import { gatherAnswers } from '../smoke/gather.js';

const USAGE = 'usage: npm run smoke -- --stage S [--region R]   (region: as deployed, default eu-west-1 as in serverless.yml)';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { stage: { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help || !values.stage) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const region = values.region ?? process.env.AWS_REGION ?? 'eu-west-1';
  const answers = await gatherAnswers(values.stage, region);
  const results = runChecks(answers);
  process.stdout.write(`${formatReport(answers, results)}\n`);
  return results.some((r) => r.status !== 'pass') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof DeploymentConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
