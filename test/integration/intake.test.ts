/** The three event shapes and the platform's retry contract, through the real handler. */
import type { S3Event, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RetryRequestedError } from '../../lib/ingest-handler.js';
import { LOCAL_INBOUND_PREFIX } from '../../lib/local/local-gateway.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'create' });

function sqsEvent(bodies: readonly string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `sqs-${i}`,
      receiptHandle: `handle-${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's3', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:inbound',
      awsRegion: 'us-east-1',
    })),
  };
}

/** An S3 notification for a bucket that does not exist: reading it fails, as a transient error would. */
function notificationForMissingBucket(): S3Event {
  return {
    Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'no-such-bucket' }, object: { key: `${LOCAL_INBOUND_PREFIX}x.eml` } } }],
  } as unknown as S3Event;
}

describe('S3 event notifications', () => {
  it('decodes object keys with spaces and plus signs as S3 encodes them', async () => {
    const key = `${LOCAL_INBOUND_PREFIX}Re: café + crème (1).eml`;
    const event = await fixture.gateway.store(key, composeMail({ subject: '[support-42] odd key' }));
    expect(event.Records[0]?.s3.object.key).toBe('inbound/Re%3A+caf%C3%A9+%2B+cr%C3%A8me+(1).eml');
    const result = await fixture.gateway.handler(event);
    expect('mails' in result && result.mails[0]).toMatchObject({ location: { key }, outcome: { kind: 'followup', ticketId: 42 } });
  });

  it('throws for the platform to retry when a mail hits a transient failure, after handling the rest', async () => {
    const good = await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}good-with-bad.eml`, composeMail({ subject: '[support-42] good' }));
    const event = { Records: [...good.Records, ...notificationForMissingBucket().Records] };
    const failure = await fixture.gateway.handler(event).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetryRequestedError);
    const mails = (failure as RetryRequestedError).mails;
    expect(mails.map((m) => m.outcome.kind)).toEqual(['followup', 'retry']);
  });

  it('ignores s3:TestEvent and objects outside the inbound prefix', async () => {
    expect(await fixture.gateway.handler({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' })).toEqual({ mails: [] });
    const event = await fixture.gateway.store('attachments/42/x/0', 'not a mail');
    expect(await fixture.gateway.handler(event)).toEqual({ mails: [] });
  });

  it('rejects an event it does not understand with a clear error', async () => {
    await expect(fixture.gateway.handler({ hello: 'world' })).rejects.toThrow('expected an S3, SQS or SES event');
  });
});

describe('SQS events of S3 notifications', () => {
  it('reports only the bad and the transiently failing records as batch item failures', async () => {
    const ids = [newMessageId('sqs-a'), newMessageId('sqs-b')];
    const a = await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}sqs-a.eml`, composeMail({ messageId: ids[0], subject: '[support-42] a' }));
    const b = await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}sqs-b.eml`, composeMail({ messageId: ids[1], subject: 'new from sqs' }));
    const missing = { ...a, Records: a.Records.map((r) => ({ ...r, s3: { ...r.s3, object: { ...r.s3.object, key: 'inbound/never-stored.eml' } } })) };
    const event = sqsEvent([
      JSON.stringify(a),
      'this is not JSON',
      JSON.stringify(b),
      JSON.stringify(notificationForMissingBucket()),
      JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }),
      JSON.stringify(missing),
    ]);
    const response = await fixture.gateway.handler(event);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-1' }, { itemIdentifier: 'sqs-3' }] });
    expect(await fixture.aws.ledgerEntry(bare(ids[0] as string))).toMatchObject({ outcome: 'followup', ticketId: 42 });
    expect(await fixture.aws.ledgerEntry(bare(ids[1] as string))).toMatchObject({ outcome: 'created' });
  });

  it('answers a batch whose every record fails with every record as a failure (no exception)', async () => {
    const response = await fixture.gateway.handler(sqsEvent(['{', '[']));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-0' }, { itemIdentifier: 'sqs-1' }] });
  });
});

describe('SES receipt-rule events', () => {
  it('reads the mail at prefix + SES message id and routes by the receipt recipients', async () => {
    const sesMessageId = 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1';
    const messageId = newMessageId('ses');
    await fixture.gateway.store(`${LOCAL_INBOUND_PREFIX}${sesMessageId}`, composeMail({ messageId, to: 'someone@example.com', subject: 'via SES' }));
    const event = {
      Records: [
        {
          eventSource: 'aws:ses',
          eventVersion: '1.0',
          ses: {
            mail: { messageId: sesMessageId, source: 'alice@example.com', destination: ['billing@helpdesk.example'] },
            receipt: { recipients: ['Billing@helpdesk.example'], spamVerdict: { status: 'PASS' }, virusVerdict: { status: 'PASS' } },
          },
        },
      ],
    };
    expect(await fixture.gateway.handler(event)).toEqual({ disposition: 'CONTINUE' });
    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry).toMatchObject({ outcome: 'created', sesVerdicts: { spam: 'PASS', virus: 'PASS' } });
    expect((await fixture.aws.ticket(Number(entry?.ticketId)))?.queue).toBe('billing');
  });
});
