/**
 * Lambda entry point: receives SES-stored mail (S3, SQS or SES events) and applies it to tickets.
 * Everything is built once per container; the handler only wires.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClients } from '#lib/adapters/aws-clients.js';
import { withAwsDeadline } from '#lib/adapters/aws-deadline.js';
import { awsPipelineDeps } from '#lib/adapters/aws-pipeline.js';
import { PowertoolsOutcomeReporter } from '#lib/adapters/powertools-reporter.js';
import { loadReplyTokenKeys } from '#lib/adapters/reply-token-secrets.js';
import { loadConfig } from '#lib/config.js';
import { createIngestHandler } from '#lib/ingest-handler.js';
import { createMailProcessor } from '#lib/pipeline/index.js';
import { METRICS_NAMESPACE } from '#lib/telemetry.js';

const config = loadConfig();
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const replyTokenKeys = await loadReplyTokenKeys(config.replyTokenSecrets);

export const handler = createIngestHandler({
  store: config,
  logger,
  reporter: new PowertoolsOutcomeReporter(logger, metrics),
  processMail: createMailProcessor(awsPipelineDeps(config, createAwsClients(), replyTokenKeys)),
  withDeadline: withAwsDeadline,
});
