/**
 * What the ingest handler (lib/ingest-handler.ts) tells the platform and the operator when mail
 * must be tried again: the RetryRequestedError of an S3 or SES event names exactly the mails that
 * need another attempt and why; a mail not started for lack of time says how much time was left,
 * and is logged as a retry; exactly the reserve left still starts a mail; an SQS record handed
 * back unstarted, each event record ignored, and an SQS record that carries no S3 event notification
 * (its error otherwise kept by the batch processor) get their log line. Through the real handler
 * against dynalite and s3rver; the Lambda context is a stand-in whose remaining time the test sets.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TIME_RESERVE_MS, RetryRequestedError, type IngestResult } from '../../lib/ingest-handler.js';
import { LOCAL_INBOUND_PREFIX } from '../../lib/local/local-gateway.js';
import { outputLines } from '../helpers/emf-output.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { sqsBatch } from '../helpers/sqs-event.js';

const fixture = useGateway({ mode: 'update-only', env: { POWERTOOLS_LOG_LEVEL: 'INFO' } });

afterEach(() => vi.restoreAllMocks());

/** A Lambda context whose remaining time is whatever `remaining()` answers. */
function contextWith(remaining: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false, functionName: 'ingest', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ingest',
    memoryLimitInMB: '512', awsRequestId: 'req', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: remaining,
    done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}

const handle = (event: unknown, context?: Context): Promise<IngestResult> =>
  (fixture.gateway.handler as (event: unknown, context?: Context) => Promise<IngestResult>)(event, context);

/** What the handler threw for `event`: the RetryRequestedError it must be. */
async function retryRequested(event: unknown, context?: Context): Promise<RetryRequestedError> {
  const failure = await handle(event, context).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(RetryRequestedError);
  return failure as RetryRequestedError;
}

/** An SES receipt-rule record for the mail SES stored at the inbound prefix + `sesMessageId`. */
const sesRecord = (sesMessageId: string) => ({
  eventSource: 'aws:ses',
  eventVersion: '1.0',
  ses: { mail: { messageId: sesMessageId, source: 'alice@example.com', destination: ['support@helpdesk.example'] }, receipt: { recipients: ['support@helpdesk.example'] } },
});

describe('a retry requested for an S3 or SES event', () => {
  it('names in its message only the mails that need another attempt, with their errors, out of all the event named', async () => {
    const good = await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}retry-message-good.eml`, composeMail({ subject: '[support-42] fine' }));
    const missing = (key: string) => ({ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'no-such-bucket' }, object: { key: `${LOCAL_INBOUND_PREFIX}${key}` } } });
    const failure = await retryRequested({ Records: [...good.Records, missing('gone-1.eml'), ...good.Records, missing('gone-2.eml')] });

    expect(failure.mails.map((m) => m.outcome.kind)).toEqual(['followup', 'retry', 'followup', 'retry']);
    const errors = failure.mails.flatMap((m) => (m.outcome.kind === 'retry' ? [m.outcome.error] : []));
    expect(errors).toEqual([expect.stringContaining('gone-1.eml failed: NoSuchBucket'), expect.stringContaining('gone-2.eml failed: NoSuchBucket')]);
    expect(failure.message).toBe(`2 of 4 mails need another attempt: ${errors[0]}; ${errors[1]}`);
  });

  it('is thrown for an SES event when one of its mails was not started for lack of time, saying how much was left, and that mail is logged as a retry', async () => {
    const [first, second] = [`ses-time-${Date.now()}-a`, `ses-time-${Date.now()}-b`];
    const ids = [newMessageId('ses-time-a'), newMessageId('ses-time-b')];
    await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}${first}`, composeMail({ messageId: ids[0], subject: '[support-42] in time' }));
    await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}${second}`, composeMail({ messageId: ids[1], subject: '[support-42] too late' }));
    // Plenty of time for the invocation's AWS deadline (the handler's first question) and the first
    // mail (its second); then 1 s, far less than the reserve.
    let asked = 0;
    const context = contextWith(() => (asked++ < 2 ? 60_000 : 1_000));

    let failure: RetryRequestedError | undefined;
    const lines = await outputLines(async () => {
      failure = await retryRequested({ Records: [sesRecord(first), sesRecord(second)] }, context);
    });

    const notStarted = `not started: 1000 ms left of the invocation, less than the ${DEFAULT_TIME_RESERVE_MS} ms one mail may need`;
    expect(failure?.message).toBe(`1 of 2 mails need another attempt: ${notStarted}`);
    expect(failure?.mails[1]).toMatchObject({ location: { key: `${LOCAL_INBOUND_PREFIX}${second}` }, messageId: null, outcome: { kind: 'retry', error: notStarted }, redelivered: false });
    expect(lines.filter((l) => l.message === 'mail will be retried')).toEqual([expect.objectContaining({ level: 'ERROR', s3Key: `${LOCAL_INBOUND_PREFIX}${second}` })]);
    expect(await fixture.aws.ledgerEntry(bare(ids[0] as string))).toMatchObject({ state: 'applied', ticketId: 42 });
    expect(await fixture.aws.ledgerEntry(bare(ids[1] as string))).toBeUndefined();
  });
});

describe('the time reserve', () => {
  it('still starts a mail with exactly the reserve left', async () => {
    const messageId = newMessageId('exact-reserve');
    const event = await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}exact-reserve.eml`, composeMail({ messageId, subject: '[support-42] just in time' }));
    const result = await handle(event, contextWith(() => DEFAULT_TIME_RESERVE_MS));
    expect('mails' in result && result.mails.map((m) => m.outcome.kind)).toEqual(['followup']);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', ticketId: 42 });
  });

  it('hands an SQS record back unstarted with a warning naming the SQS message', async () => {
    const messageId = newMessageId('sqs-unstarted');
    const key = `${LOCAL_INBOUND_PREFIX}sqs-unstarted.eml`;
    const event = await fixture.gateway.store(key, composeMail({ messageId, subject: '[support-42] no time' }));
    let result: IngestResult | undefined;
    const lines = await outputLines(async () => {
      result = await handle(sqsBatch([{ id: 'sqs-unstarted-1', event }]), contextWith(() => 1_000));
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-unstarted-1' }] });
    expect(lines.filter((l) => l.level === 'WARN')).toEqual([
      expect.objectContaining({ message: 'SQS record handed back unstarted: the invocation is running out of time', sqsMessageId: 'sqs-unstarted-1' }),
    ]);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toBeUndefined();
    expect(await fixture.aws.tags(key)).toEqual({});
  });
});

describe('event records ignored', () => {
  it('are each logged with what was ignored: the S3 test event, and an event other than ObjectCreated with its object', async () => {
    const removed = { eventSource: 'aws:s3', eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'mail-bucket' }, object: { key: `${LOCAL_INBOUND_PREFIX}old+one.eml` } } };
    const lines = await outputLines(async () => {
      expect(await handle({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'mail-bucket' })).toEqual({ mails: [] });
      expect(await handle({ Records: [removed] })).toEqual({ mails: [] });
    });
    expect(lines.filter((l) => l.message === 'event record ignored')).toEqual([
      expect.objectContaining({ level: 'INFO', what: 's3:TestEvent' }),
      expect.objectContaining({ level: 'INFO', what: `ObjectRemoved:Delete s3://mail-bucket/${LOCAL_INBOUND_PREFIX}old one.eml` }),
    ]);
  });
});

describe('an SQS record that carries no S3 event notification', () => {
  it('goes back to the queue with an error log line naming the SQS message and why, since the batch processor keeps its error to itself', async () => {
    const event = await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}sqs-neighbour.eml`, composeMail({ subject: '[support-42] the good one' }));
    const batch = sqsBatch([{ id: 'sqs-not-json', event }, { id: 'sqs-no-records', event }, { id: 'sqs-good', event }]);
    const [notJson, noRecords] = batch.Records;
    if (!notJson || !noRecords) throw new Error('sqsBatch made fewer records than asked');
    notJson.body = 'this is not JSON';
    noRecords.body = JSON.stringify({ hello: 'world' });

    let result: IngestResult | undefined;
    const lines = await outputLines(async () => {
      result = await handle(batch, contextWith(() => 60_000));
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-not-json' }, { itemIdentifier: 'sqs-no-records' }] });
    expect(lines.filter((l) => l.level === 'ERROR')).toEqual([
      expect.objectContaining({
        message: 'SQS record is not an S3 event notification: handed back to the queue', sqsMessageId: 'sqs-not-json',
        error: expect.objectContaining({ message: 'SQS message sqs-not-json is not JSON: it cannot be an S3 event notification' }),
      }),
      expect.objectContaining({
        message: 'SQS record is not an S3 event notification: handed back to the queue', sqsMessageId: 'sqs-no-records',
        error: expect.objectContaining({ message: expect.stringContaining('Records') }),
      }),
    ]);
  });
});
