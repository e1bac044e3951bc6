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
import { formatReport, runChecks } from '../smoke/checks.js';
import { gatherAnswers } from '../smoke/gather.js';
import { runCommand, UsageError, type CommandHelp } from './run-command.js';

const HELP: CommandHelp = {
  usage: 'usage: npm run smoke -- --stage S [--region R]',
  description: `Checks with the deployer's credentials that mail sent to the domain will reach the gateway of
stage S (region: as deployed, default AWS_REGION or eu-west-1 as in serverless.yml). Prints each
check as PASS or FAIL with the fix; sends no mail. Exit codes: 0 every check passed, 1 a check
failed, 2 a usage error.`,
};

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { stage: { type: 'string' }, region: { type: 'string' } } });
  if (!values.stage) throw new UsageError('--stage is required');
  const region = values.region ?? process.env.AWS_REGION ?? 'eu-west-1';
  const answers = await gatherAnswers(values.stage, region);
  const results = runChecks(answers);
  process.stdout.write(`${formatReport(answers, results)}\n`);
  return results.some((r) => r.status !== 'pass') ? 1 : 0;
}

runCommand(HELP, main);
