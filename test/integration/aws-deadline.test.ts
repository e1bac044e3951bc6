/**
 * The invocation's deadline on its AWS calls (lib/adapters/aws-deadline.ts): a connection that goes
 * silent costs each attempt its socket timeout, times the SDK's attempts (about 100 s for S3), which
 * is longer than the invocation. At the deadline the call under way is cut off, the SDK's further
 * attempts are refused, and the mail is retried, so that the handler answers for its batch before
 * Lambda's timeout would hand back every record of it. Through the real handler and the SDK's default
 * attempts, against dynalite and s3rver behind fault proxies that make chosen requests go silent.
 */
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../lib/adapters/aws-clients.js';
import { AwsDeadlineError, withAwsDeadline } from '../../lib/adapters/aws-deadline.js';
import { DynamoTicketStore } from '../../lib/adapters/dynamodb-ticket-store.js';
import { S3RawMailStore } from '../../lib/adapters/s3-raw-mail-store.js';
import { DRAIN_ATTACHMENTS, parseMail } from '../../lib/mail/parse.js';
import { TransientError } from '../../lib/errors.js';
import { DEADLINE_MARGIN_MS, DEFAULT_TIME_RESERVE_MS, type IngestResult } from '../../lib/ingest-handler.js';
import { LOCAL_INBOUND_PREFIX } from '../../lib/local/local-gateway.js';
import { LOCAL_NAMES } from '../../lib/local/embedded-stack.js';
import { NO_FAULTS, type FaultPlan } from '../helpers/fault-proxy.js';
import { SEED_TICKETS, useGatewayBehindFaultProxies } from '../helpers/gateway.js';
import { composeMail, newMessageId } from '../helpers/mail.js';
import { sqsBatch } from '../helpers/sqs-event.js';

const fixture = useGatewayBehindFaultProxies({ tickets: SEED_TICKETS, maxAttempts: 3 });

/** A Lambda context with `remaining` ms left, whenever asked. */
function contextWith(remaining: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false, functionName: 'ingest', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ingest',
    memoryLimitInMB: '512', awsRequestId: 'req', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: () => remaining,
    done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}

const handle = (event: unknown, context?: Context): Promise<IngestResult> =>
  (fixture.gateway.handler as (event: unknown, context?: Context) => Promise<IngestResult>)(event, context);

/** A plan that makes silent the requests `silent` picks, and lets every other one through. */
const silencing = (silent: (service: string, method: string, url: string) => 'stall' | 'stall-body' | null): FaultPlan => ({
  decide: (service, request) => silent(service, request.method ?? '', request.url ?? '') ?? 'none',
});

/** The error and its causes, outermost first. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let at = error; at instanceof Error && chain.length < 5; at = at.cause) chain.push(at);
  return chain;
}

describe('an AWS call at the deadline of its work', () => {
  it('is cut off, with the SDK attempts left, as transient: a DynamoDB call never answered', async () => {
    fixture.usePlan(silencing((service) => (service === 'dynamodb' ? 'stall' : null)));
    const clients = createAwsClients();
    const stalledBefore = fixture.stats().faults.stall ?? 0;
    try {
      const failure = await withAwsDeadline(Date.now() + 500, () => new DynamoTicketStore(clients.dynamo, LOCAL_NAMES.ticketsTable).get(42)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TransientError);
      expect((failure as Error).message).toMatch(/^GetItem ticket 42 failed: AbortError/);
      expect(causes(failure).some((cause) => cause instanceof AwsDeadlineError)).toBe(true);
      // One attempt, cut off; the SDK's other two were refused before they reached the endpoint.
      expect((fixture.stats().faults.stall ?? 0) - stalledBefore).toBe(1);
    } finally {
      fixture.usePlan(NO_FAULTS);
      destroyAwsClients(clients);
    }
  });
});

describe('a raw mail whose S3 body goes silent half-way', () => {
  it('fails its read at the deadline, saying so', async () => {
    const key = `${LOCAL_INBOUND_PREFIX}deadline-read-stalls-${newMessageId('r').slice(1, 9)}.eml`;
    await fixture.gateway.store(key, composeMail({ subject: '[support-42] cut', body: 'a line of the reply\n'.repeat(30_000) }));
    fixture.usePlan(silencing((service, method, url) => (service === 's3' && method === 'GET' && url.includes('deadline-read-stalls') ? 'stall-body' : null)));
    const clients = createAwsClients();
    try {
      const read = withAwsDeadline(Date.now() + 500, async () => {
        const { body, size } = await new S3RawMailStore(clients.s3, LOCAL_NAMES.bucket).open({ bucket: LOCAL_NAMES.bucket, key });
        return parseMail(body, { onHeaders: async () => DRAIN_ATTACHMENTS }, undefined, size);
      });
      await expect(read).rejects.toBeInstanceOf(TransientError);
      await expect(read).rejects.toMatchObject({ message: expect.stringMatching(/^reading the raw mail failed: AWS call cut off: the invocation's deadline passed/) });
    } finally {
      fixture.usePlan(NO_FAULTS);
      destroyAwsClients(clients);
    }
  });
});

describe('the ingest handler, when S3 goes silent in the middle of a raw mail', () => {
  it('answers before the invocation ends: the mails before are applied, the silent one and those after are retried', async () => {
    const keys = ['before', 'stalls', 'after'].map((name) => `${LOCAL_INBOUND_PREFIX}deadline-${name}-${newMessageId('d').slice(1, 9)}.eml`);
    // Long enough that the raw mail's body comes in more than one read.
    const body = `${'a line of the reply\n'.repeat(30_000)}`;
    const batch = [];
    for (const key of keys) {
      const event = await fixture.gateway.store(key, composeMail({ subject: '[support-42] deadline', body }));
      batch.push({ id: key, event });
    }
    const stalledBefore = fixture.stats().faults['stall-body'] ?? 0;
    fixture.usePlan(silencing((service, method, url) => (service === 's3' && method === 'GET' && url.includes('deadline-stalls') && !url.includes('tagging') ? 'stall-body' : null)));
    try {
      // Exactly the reserve left: every mail may start; the deadline falls 12 s in.
      const response = (await handle(sqsBatch(batch), contextWith(DEFAULT_TIME_RESERVE_MS))) as SQSBatchResponse;
      expect(DEFAULT_TIME_RESERVE_MS - DEADLINE_MARGIN_MS).toBe(12_000);
      expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([keys[1], keys[2]]);
      expect((fixture.stats().faults['stall-body'] ?? 0) - stalledBefore).toBe(1);
    } finally {
      fixture.usePlan(NO_FAULTS);
    }
    // Nothing was recorded for the two handed back: delivered again, they are applied.
    const again = (await handle(sqsBatch(batch.slice(1)))) as SQSBatchResponse;
    expect(again.batchItemFailures).toEqual([]);
  }, 40_000);
});
