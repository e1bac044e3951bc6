/**
 * The ingest Lambda's logic, built from its dependencies: sorts the event, runs every mail it
 * names through the {@link MailProcessor}, reports each outcome, and answers the platform so that
 * exactly the mails that need another attempt get one.
 *
 * One mail at a time: the records of an SQS batch are processed one after another, so the peak
 * memory is one mail's, not ten. And within the invocation's time: a mail is not started with less
 * than {@link DEFAULT_TIME_RESERVE_MS} left; it is handed back (a batch item failure, or a retry of
 * the event) instead of dying with the invocation when the timeout strikes.
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
  /** No mail is started with less than this left of the invocation (ms); default {@link DEFAULT_TIME_RESERVE_MS}. */
  readonly timeReserveMs?: number;
  /**
   * Runs the invocation's work with a deadline (epoch ms) on its AWS calls: at the deadline the calls
   * under way fail (transient: their mails are retried). Given a Lambda context only; the deadline is
   * {@link DEADLINE_MARGIN_MS} before the invocation's end. Unset: no deadline (lib/adapters/aws-deadline.ts).
   */
  readonly withDeadline?: <T>(deadline: number, work: () => Promise<T>) => Promise<T>;
}

/**
 * How long before the invocation's end its AWS calls are cut off (ms): time to report the mail
 * under way as a retry, flush the metrics and answer, so that Lambda's timeout never ends the
 * invocation and hands back every record of the batch, finished or not.
 */
export const DEADLINE_MARGIN_MS = 3_000;

/**
 * Time kept in reserve (ms): enough for the largest mail the budgets allow (40 MB streamed, 2 MiB of
 * HTML converted) at a third of a vCPU, well under the 60 s timeout.
 */
export const DEFAULT_TIME_RESERVE_MS = 15_000;

/** A mail handed back unstarted because the invocation is running out of time. */
export class NotStartedError extends TransientError {}

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

/** The S3 event notification an SQS record carries in its body. Throws when the body is not JSON. */
function notificationOf(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body) as unknown;
  } catch {
    throw new Error(`SQS message ${record.messageId} is not JSON: it cannot be an S3 event notification`);
  }
}

/** The report of a mail handed back unstarted: too little of the invocation left (`reserve`, ms). */
function notStarted(mail: MailToProcess, invocation: Context | undefined, reserve: number): MailReport {
  const remaining = invocation?.getRemainingTimeInMillis() ?? 0;
  const error = `not started: ${remaining} ms left of the invocation, less than the ${reserve} ms one mail may need`;
  return { location: mail.location, messageId: null, outcome: { kind: 'retry', error }, redelivered: false, error: new NotStartedError(error) };
}

/**
 * When an invocation's AWS calls are cut off (epoch ms): {@link DEADLINE_MARGIN_MS} before its end;
 * without a Lambda context, never (`Infinity`).
 */
export function invocationDeadline(context: Context | undefined): number {
  return context ? Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS : Number.POSITIVE_INFINITY;
}

/** Runs `work` with its AWS calls cut off at the {@link invocationDeadline} (with `withDeadline` only). */
function withinInvocation<T>(withDeadline: IngestDeps['withDeadline'], context: Context | undefined, work: () => Promise<T>): Promise<T> {
  return withDeadline ? withDeadline(invocationDeadline(context), work) : work();
}

export function createIngestHandler(deps: IngestDeps): (event: unknown, context?: Context) => Promise<IngestResult> {
  const { store, processMail, reporter, logger } = deps;
  const reserve = deps.timeReserveMs ?? DEFAULT_TIME_RESERVE_MS;

  /** Whether a mail may still be started in this invocation (always, without a Lambda context). */
  function timeLeft(invocation: Context | undefined): boolean {
    return invocation === undefined || invocation.getRemainingTimeInMillis() >= reserve;
  }

  async function processAll(mails: readonly MailToProcess[], invocation: Context | undefined): Promise<MailReport[]> {
    const reports: MailReport[] = [];
    for (const mail of mails) {
      const report = timeLeft(invocation) ? await processMail(mail.location, mail.envelope) : notStarted(mail, invocation, reserve);
      reporter.report(report);
      reports.push(report);
    }
    return reports;
  }

  function logIgnored(ignored: readonly string[]): void {
    for (const what of ignored) logger.info('event record ignored', { what });
  }

  async function processSqsRecord(record: SQSRecord, invocation: Context | undefined): Promise<void> {
    if (!timeLeft(invocation)) {
      logger.warn('SQS record handed back unstarted: the invocation is running out of time', { sqsMessageId: record.messageId });
      throw new NotStartedError(`SQS message ${record.messageId} not started: too little time left`);
    }
    let intake: ReturnType<typeof mailsFromS3Notification>;
    try {
      intake = mailsFromS3Notification(notificationOf(record), store);
    } catch (error) {
      // The batch processor keeps a record's error to itself: without this line nobody would see why
      // the record goes back to the queue (and, after its receive count, to the dead-letter queue).
      logger.error('SQS record is not an S3 event notification: handed back to the queue', { sqsMessageId: record.messageId, error });
      throw error;
    }
    const { mails, ignored } = intake;
    logIgnored(ignored);
    const reports = await processAll(mails, invocation);
    if (reports.some((r) => r.outcome.kind === 'retry')) throw new RetryRequestedError(reports);
  }

  async function handle(event: unknown, context: Context | undefined): Promise<IngestResult> {
    const intake = classifyEvent(event, store);
    switch (intake.kind) {
      case 'sqs': {
        const processor = new BatchProcessor(EventType.SQS);
        return await processPartialResponse(intake.event, (record: SQSRecord) => processSqsRecord(record, context), processor, {
          ...(context ? { context } : {}),
          throwOnFullBatchFailure: false,
          // One record after another: the peak memory is one mail's, and the time check above
          // holds for each record.
          processInParallel: false,
        });
      }
      case 's3': {
        logIgnored(intake.ignored);
        const mails = await processAll(intake.mails, context);
        if (mails.some((m) => m.outcome.kind === 'retry')) throw new RetryRequestedError(mails);
        return { mails };
      }
      case 'ses': {
        const mails = await processAll(intake.mails, context);
        if (mails.some((m) => m.outcome.kind === 'retry')) throw new RetryRequestedError(mails);
        return { disposition: 'CONTINUE' };
      }
    }
  }

  return async function ingestMail(event, context) {
    try {
      return await withinInvocation(deps.withDeadline, context, () => handle(event, context));
    } finally {
      reporter.flush();
    }
  };
}
