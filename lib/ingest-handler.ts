/**
 * The ingest Lambda's logic, built from its dependencies: sorts the event, runs every mail it
 * names through the {@link MailProcessor}, reports each outcome, and answers the platform so that
 * exactly the mails that need another attempt get one.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { OutcomeReporter } from './adapters/powertools-reporter.js';
import { TransientError } from './errors.js';
import { classifyEvent, mailsFromS3Notification, type InboundStore, type MailToProcess } from './intake.js';
import type { MailProcessor, MailReport } from './pipeline/index.js';

export interface IngestDeps {
  readonly store: InboundStore;
  readonly processMail: MailProcessor;
  readonly reporter: OutcomeReporter;
  readonly logger: Logger;
}

/** What the handler answers for an S3 event: every mail's report. */
export interface IngestReport {
  readonly mails: readonly MailReport[];
}

/** What the handler answers for each kind of event. */
export type IngestResult = IngestReport | SQSBatchResponse | { readonly disposition: 'CONTINUE' };

/** Thrown for S3 and SES events when a mail must be retried: the platform re-invokes with the event. */
export class RetryRequestedError extends TransientError {
  constructor(readonly mails: readonly MailReport[]) {
    const failed = mails.filter((m) => m.outcome.kind === 'retry');
    super(`${failed.length} of ${mails.length} mails need another attempt: ${failed.map((m) => (m.outcome.kind === 'retry' ? m.outcome.error : '')).join('; ')}`);
  }
}

export function createIngestHandler(deps: IngestDeps): (event: unknown, context?: Context) => Promise<IngestResult> {
  const { store, processMail, reporter, logger } = deps;

  async function processAll(mails: readonly MailToProcess[]): Promise<MailReport[]> {
    const reports: MailReport[] = [];
    for (const mail of mails) {
      const report = await processMail(mail.location, mail.envelope);
      reporter.report(report);
      reports.push(report);
    }
    return reports;
  }

  function logIgnored(ignored: readonly string[]): void {
    for (const what of ignored) logger.info('event record ignored', { what });
  }

  async function processSqsRecord(record: SQSRecord): Promise<void> {
    let notification: unknown;
    try {
      notification = JSON.parse(record.body);
    } catch {
      throw new Error(`SQS message ${record.messageId} is not JSON: it cannot be an S3 event notification`);
    }
    const { mails, ignored } = mailsFromS3Notification(notification, store);
    logIgnored(ignored);
    const reports = await processAll(mails);
    if (reports.some((r) => r.outcome.kind === 'retry')) throw new RetryRequestedError(reports);
  }

  return async function ingestMail(event, context) {
    try {
      const intake = classifyEvent(event, store);
      switch (intake.kind) {
        case 'sqs': {
          const processor = new BatchProcessor(EventType.SQS);
          return await processPartialResponse(intake.event, processSqsRecord, processor, {
            ...(context ? { context } : {}),
            throwOnFullBatchFailure: false,
          });
        }
        case 's3': {
          logIgnored(intake.ignored);
          const mails = await processAll(intake.mails);
          if (mails.some((m) => m.outcome.kind === 'retry')) throw new RetryRequestedError(mails);
          return { mails };
        }
        case 'ses': {
          const mails = await processAll(intake.mails);
          if (mails.some((m) => m.outcome.kind === 'retry')) throw new RetryRequestedError(mails);
          return { disposition: 'CONTINUE' };
        }
      }
    } finally {
      reporter.flush();
    }
  };
}
