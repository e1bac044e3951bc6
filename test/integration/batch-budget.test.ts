/**
 * A batch stays within the function's memory and time: the records of an SQS batch are processed
 * one after another (seen in the order of the AWS calls), and records not started before the
 * invocation runs short of time are handed back as batch item failures, untouched, instead of dying
 * with the invocation. Through the real handler against dynalite and s3rver; the Lambda context is
 * a stand-in whose remaining time the test sets (no timing in the test itself).
 */
import type { Context, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { observeAwsCalls } from '../../lib/adapters/aws-clients.js';
import { DEFAULT_TIME_RESERVE_MS } from '../../lib/ingest-handler.js';
import { useGateway } from '../helpers/gateway.js';
import { sqsBatch } from '../helpers/sqs-event.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'update-only' });

/** A Lambda context whose remaining time is whatever `remaining()` answers. */
function contextWith(remaining: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false, functionName: 'ingest', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ingest',
    memoryLimitInMB: '512', awsRequestId: 'req', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: remaining,
    done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}

async function storeBatch(label: string, count: number) {
  const mails: { id: string; event: S3Event; messageId: string; key: string }[] = [];
  for (let i = 0; i < count; i++) {
    const messageId = newMessageId(`${label}-${i}`);
    const key = `inbound/${label}-${i}.eml`;
    mails.push({ id: `${label}-${i}`, messageId, key, event: await fixture.gateway.store(key, composeMail({ messageId, subject: `Re: [support-42] ${label} ${i}` })) });
  }
  return mails;
}

const handle = (event: SQSEvent, context?: Context) =>
  (fixture.gateway.handler as (event: unknown, context?: Context) => Promise<unknown>)(event, context) as Promise<SQSBatchResponse>;

describe('one SQS batch', () => {
  it('processes its records one after another: each mail is done before the next one is read', async () => {
    const mails = await storeBatch('sequential', 5);
    const calls: string[] = [];
    const stop = observeAwsCalls((call) => calls.push(call.command));
    try {
      expect((await handle(sqsBatch(mails))).batchItemFailures).toEqual([]);
    } finally {
      stop();
    }
    // Read, look up, record, tag — five times over, never interleaved.
    expect(calls).toEqual(mails.flatMap(() => ['GetObjectCommand', 'BatchGetItemCommand', 'PutItemCommand', 'PutEventsCommand', 'UpdateItemCommand', 'PutObjectTaggingCommand']));
  });

  it('hands back the records it has no time left to start, untouched, and applies them on redelivery', async () => {
    const mails = await storeBatch('short-of-time', 10);
    let started = 0;
    const stop = observeAwsCalls((call) => {
      if (call.command === 'GetObjectCommand') started += 1;
    });
    let response: SQSBatchResponse;
    try {
      // Plenty of time for three mails; then less than the reserve one mail may need.
      response = await handle(sqsBatch(mails), contextWith(() => (started < 3 ? 60_000 : DEFAULT_TIME_RESERVE_MS - 1)));
    } finally {
      stop();
    }
    const failed = response.batchItemFailures.map((f) => f.itemIdentifier);
    expect(failed).toEqual(mails.slice(3).map((m) => m.id));
    for (const mail of mails.slice(0, 3)) expect(await fixture.aws.ledgerEntry(bare(mail.messageId))).toMatchObject({ state: 'applied', ticketId: 42 });
    for (const mail of mails.slice(3)) {
      expect(await fixture.aws.ledgerEntry(bare(mail.messageId))).toBeUndefined();
      expect(await fixture.aws.tags(mail.key)).toEqual({});
    }

    const redelivered = mails.filter((m) => failed.includes(m.id));
    expect((await handle(sqsBatch(redelivered), contextWith(() => 60_000))).batchItemFailures).toEqual([]);
    for (const mail of mails) expect(await fixture.aws.ledgerEntry(bare(mail.messageId))).toMatchObject({ state: 'applied', ticketId: 42 });
  });

  it('retries an S3 event whose mail it has no time left to start', async () => {
    const [mail] = await storeBatch('s3-short-of-time', 1);
    const attempt = (fixture.gateway.handler as (event: unknown, context?: Context) => Promise<unknown>)(mail?.event, contextWith(() => 1_000));
    await expect(attempt).rejects.toMatchObject({ name: 'RetryRequestedError' });
    expect(await fixture.aws.ledgerEntry(bare(mail?.messageId ?? ''))).toBeUndefined();
  });
});
