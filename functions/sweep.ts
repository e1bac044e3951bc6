/**
 * Lambda entry point of the hourly sweep (lib/sweep.ts): raw mail without an outcome and unfinished
 * claims for new tickets are re-driven through the pipeline, so no mail is left without a record.
 * Everything is built once per container; the handler only wires. It stops before its own timeout;
 * the next run goes on where it stopped.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createAwsClients } from '#lib/adapters/aws-clients.js';
import { withAwsDeadline } from '#lib/adapters/aws-deadline.js';
import { awsPipelineDeps } from '#lib/adapters/aws-pipeline.js';
import { PowertoolsOutcomeReporter } from '#lib/adapters/powertools-reporter.js';
import { loadReplyTokenKeys } from '#lib/adapters/reply-token-secrets.js';
import { S3InboundListing } from '#lib/adapters/s3-inbound-listing.js';
import { loadConfig } from '#lib/config.js';
import { DEFAULT_TIME_RESERVE_MS, invocationDeadline } from '#lib/ingest-handler.js';
import { createMailProcessor } from '#lib/pipeline/index.js';
import { sweep, type SweepSummary } from '#lib/sweep.js';
import { METRICS_NAMESPACE } from '#lib/telemetry.js';

const config = loadConfig();
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const reporter = new PowertoolsOutcomeReporter(logger, metrics);
const clients = createAwsClients();
const deps = awsPipelineDeps(config, clients, await loadReplyTokenKeys(config.replyTokenSecrets));
const processMail = createMailProcessor(deps);
const listing = new S3InboundListing(clients.s3, config.mailBucket);

export async function handler(_event: unknown, context?: Context): Promise<SweepSummary> {
  try {
    // The run's AWS calls end before the function's timeout (lib/adapters/aws-deadline.ts).
    const summary = await withAwsDeadline(invocationDeadline(context), () => sweep(
      { listing, ledger: deps.ledger, processMail, bucket: config.mailBucket, inboundPrefix: config.inboundPrefix },
      {
        now: new Date(),
        afterMinutes: config.sweep.afterMinutes,
        lookbackHours: config.sweep.lookbackHours,
        shouldStop: () => (context ? context.getRemainingTimeInMillis() < DEFAULT_TIME_RESERVE_MS : false),
      },
      (finding) => {
        logger.warn(finding.kind === 'unrecorded' ? 'sweep found raw mail without an outcome' : 'sweep found an unfinished claim for a new ticket', {
          s3Key: finding.kind === 'unrecorded' ? finding.location.key : finding.entry.key,
          ...(finding.kind === 'pending-claim' ? { ticketId: finding.entry.ticketId, releasedAsMissing: finding.releasedAsMissing } : {}),
        });
        if (finding.report) reporter.report(finding.report);
      },
    ));
    logger.info('sweep done', { ...summary });
    return summary;
  } finally {
    reporter.flush();
  }
}
