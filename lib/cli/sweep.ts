/**
 * `npm run sweep -- [--after MINUTES] [--lookback HOURS] [--dry-run] [--function NAME]`
 *
 * Finds raw mail under the inbound prefix without an outcome (and claims for new tickets left
 * unfinished), re-drives each through the pipeline, and prints what it found and what became of
 * it (lib/sweep.ts). The stack runs the same sweep every hour (functions/sweep.ts). Configuration
 * comes from the environment as for the Lambda, or with `--function NAME` from the deployed
 * function's own environment; AWS credentials and region are the shell's.
 */
import { parseArgs } from 'node:util';
import { functionEnvironment } from './function-environment.js';
import { createAwsClients, destroyAwsClients } from '../adapters/aws-clients.js';
import { awsPipelineDeps } from '../adapters/aws-pipeline.js';
import { loadReplyTokenKeys } from '../adapters/reply-token-secrets.js';
import { S3InboundListing } from '../adapters/s3-inbound-listing.js';
import { loadConfig } from '../config.js';
import type { MailOutcome } from '../outcomes.js';
import { createMailProcessor } from '../pipeline/index.js';
import { sweep, type SweepFinding } from '../sweep.js';
import { refuseNpmDryRun, runCommand, UsageError, type CommandHelp } from './run-command.js';

const HELP: CommandHelp = {
  usage: 'usage: npm run sweep -- [--after MINUTES] [--lookback HOURS] [--dry-run] [--function NAME]',
  description: `Re-drives raw mail under the inbound prefix that has no outcome, and unfinished new-ticket claims.

  --after MINUTES   only mail at least this old (default SWEEP_AFTER_MINUTES, 60)
  --lookback HOURS  only mail at most this old (default SWEEP_LOOKBACK_HOURS, 72)
  --dry-run         list what would be re-driven, write nothing (write it after the --)
  --function NAME   take the configuration from the deployed Lambda function NAME

Configuration comes from the environment as for the Lambda; AWS credentials and region are the
shell's. Exit codes: 0 done, 1 a mail needs a retry (or the run failed), 2 a usage or
configuration error.`,
};

function whole(flag: string, value: string | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < minimum) throw new UsageError(`--${flag} ${value}: expected a whole number from ${minimum} up`);
  return number;
}

function describe(outcome: MailOutcome): string {
  switch (outcome.kind) {
    case 'followup':
      return `followup on ticket ${outcome.ticketId}`;
    case 'created':
      return `created ticket ${outcome.ticketId}`;
    case 'skipped':
      return `skipped: ${outcome.reason} (${outcome.detail})`;
    case 'retry':
      return `retry later: ${outcome.error}`;
  }
}

function line(finding: SweepFinding): string {
  if (finding.kind === 'unrecorded') {
    const what = `s3://${finding.location.bucket}/${finding.location.key} (stored ${finding.lastModified.toISOString()}) had no outcome`;
    return finding.report ? `${what} → ${finding.report.redelivered ? 'already recorded, now tagged: ' : ''}${describe(finding.report.outcome)}` : `${what}: would re-drive`;
  }
  const what = `claim for new ticket ${finding.entry.ticketId} by s3://${finding.entry.bucket}/${finding.entry.key} (since ${finding.entry.recordedAt}) was unfinished`;
  if (!finding.report) return `${what}: would resume`;
  return `${what} → ${finding.releasedAsMissing ? 'its raw mail is gone: released as object-missing' : describe(finding.report.outcome)}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { after: { type: 'string' }, lookback: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, function: { type: 'string' } },
  });
  refuseNpmDryRun(values['dry-run'], 'sweep');
  if (values.function) Object.assign(process.env, await functionEnvironment(values.function));
  const config = loadConfig();
  const afterMinutes = whole('after', values.after, config.sweep.afterMinutes, 0);
  const lookbackHours = whole('lookback', values.lookback, config.sweep.lookbackHours, 1);
  const clients = createAwsClients();
  try {
    const deps = awsPipelineDeps(config, clients, await loadReplyTokenKeys(config.replyTokenSecrets));
    const summary = await sweep(
      { listing: new S3InboundListing(clients.s3, config.mailBucket), ledger: deps.ledger, processMail: createMailProcessor(deps), bucket: config.mailBucket, inboundPrefix: config.inboundPrefix },
      { now: new Date(), afterMinutes, lookbackHours, dryRun: values['dry-run'] },
      (finding) => process.stdout.write(`${line(finding)}\n`),
    );
    const { outcomes } = summary;
    process.stdout.write(
      `${summary.listed} raw mails listed, ${summary.inWindow} between ${afterMinutes} minutes and ${lookbackHours} hours old, ` +
        `${summary.unrecorded} without an outcome; ${summary.pendingClaims} unfinished claims (${summary.releasedClaims} released)` +
        (values['dry-run'] ? ' (dry run: nothing written)\n' : `; ${outcomes.followup + outcomes.created} applied, ${outcomes.skipped} skipped, ${outcomes.retry} to retry\n`),
    );
    return outcomes.retry > 0 ? 1 : 0;
  } finally {
    destroyAwsClients(clients);
  }
}

runCommand(HELP, main);
