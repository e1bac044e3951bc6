/**
 * `npm run replay -- [--reason R] [--since DATE] [--ticket N] [--dry-run] [--function NAME]`
 *
 * Re-drives skipped mail through the same pipeline after the cause is fixed, and prints what it did
 * per mail. Configuration comes from the environment, as for the Lambda (TICKETS_TABLE,
 * MESSAGES_TABLE, MAIL_BUCKET, MAILBOXES, …), or with `--function NAME` from the deployed
 * function's own environment; AWS credentials and region are the shell's, as for the AWS CLI.
 */
import { parseArgs } from 'node:util';
import { functionEnvironment } from './function-environment.js';
import { createAwsClients, destroyAwsClients } from '../adapters/aws-clients.js';
import { awsPipelineDeps } from '../adapters/aws-pipeline.js';
import { loadReplyTokenKeys } from '../adapters/reply-token-secrets.js';
import { loadConfig } from '../config.js';
import { SKIP_REASON_NAMES, isSkipReason, type MailOutcome } from '../outcomes.js';
import { createMailProcessor } from '../pipeline/index.js';
import type { SkippedFilter } from '../ports.js';
import { replaySkipped } from '../replay.js';
import { refuseNpmDryRun, runCommand, UsageError, type CommandHelp } from './run-command.js';

const HELP: CommandHelp = {
  usage: 'usage: npm run replay -- [--reason R] [--since DATE] [--ticket N] [--dry-run] [--function NAME]',
  description: `Re-drives skipped mail through the pipeline (after the cause is fixed) and prints what became of each.

  --reason R       only mail skipped for this reason (${SKIP_REASON_NAMES.join(', ')})
  --since DATE     only mail skipped since, e.g. 2026-11-28 or 2026-11-28T09:00:00Z
  --ticket N       only mail that named ticket N
  --dry-run        list what would be replayed, write nothing (write it after the --)
  --function NAME  take the configuration from the deployed Lambda function NAME

Configuration comes from the environment as for the Lambda (TICKETS_TABLE, MESSAGES_TABLE,
MAIL_BUCKET, MAILBOXES, …); AWS credentials and region are the shell's. Exit codes: 0 done,
1 a mail needs a retry (or the run failed), 2 a usage or configuration error.`,
};

function filterFrom(values: { reason?: string; since?: string; ticket?: string }): SkippedFilter {
  if (values.reason !== undefined && !isSkipReason(values.reason)) {
    throw new UsageError(`--reason must be one of ${SKIP_REASON_NAMES.join(', ')}`);
  }
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since ${values.since}: expected a date such as 2026-11-28 or 2026-11-28T09:00:00Z`);
  const ticketId = values.ticket === undefined ? undefined : Number(values.ticket);
  if (ticketId !== undefined && (!Number.isSafeInteger(ticketId) || ticketId <= 0)) throw new UsageError(`--ticket ${values.ticket}: expected a ticket id`);
  return {
    ...(values.reason ? { reason: values.reason } : {}),
    ...(since ? { since } : {}),
    ...(ticketId !== undefined ? { ticketId } : {}),
  };
}

/** The deployed function's environment: the configuration the replay must share with it. */
function describe(outcome: MailOutcome): string {
  switch (outcome.kind) {
    case 'followup':
      return `followup on ticket ${outcome.ticketId}${outcome.reopened ? ' (reopened)' : ''}`;
    case 'created':
      return `created ticket ${outcome.ticketId}`;
    case 'skipped':
      return `still skipped: ${outcome.reason} (${outcome.detail})`;
    case 'retry':
      return `retry later: ${outcome.error}`;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      reason: { type: 'string' },
      since: { type: 'string' },
      ticket: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      function: { type: 'string' },
    },
  });
  const filter = filterFrom(values);
  refuseNpmDryRun(values['dry-run'], 'replay');
  if (values.function) Object.assign(process.env, await functionEnvironment(values.function));
  const config = loadConfig();
  const clients = createAwsClients();
  const deps = awsPipelineDeps(config, clients, await loadReplyTokenKeys(config.replyTokenSecrets));
  const { ledger } = deps;
  const processMail = createMailProcessor(deps);

  const counts = { applied: 0, skipped: 0, retry: 0, listed: 0 };
  try {
    for await (const { entry, report } of replaySkipped({ ledger, processMail }, filter, { dryRun: values['dry-run'] })) {
      const mail = `s3://${entry.bucket}/${entry.key} <${entry.messageId ?? 'no Message-ID'}>`;
      if (!report) {
        counts.listed += 1;
        process.stdout.write(`would replay ${mail}: ${entry.reason} (${entry.detail})\n`);
        continue;
      }
      const kind = report.outcome.kind;
      counts[kind === 'followup' || kind === 'created' ? 'applied' : kind] += 1;
      process.stdout.write(`${mail}: ${entry.reason} → ${describe(report.outcome)}\n`);
    }
  } finally {
    destroyAwsClients(clients);
  }
  process.stdout.write(
    values['dry-run']
      ? `${counts.listed} skipped ${counts.listed === 1 ? 'mail' : 'mails'} would be replayed (dry run: nothing written)\n`
      : `${counts.applied} applied, ${counts.skipped} still skipped, ${counts.retry} to retry\n`,
  );
  return counts.retry > 0 ? 1 : 0;
}

runCommand(HELP, main);
