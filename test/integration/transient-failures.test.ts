/**
 * What cannot be told from a fault of the mail is retried, never skipped: a permission error
 * (S3 403 `AccessDenied`, DynamoDB `AccessDeniedException`: a role missing an action after a bad
 * deploy, which a fixed deploy makes pass), and an error the code does not know. The handler
 * throws for S3 and SES events that carry such a mail, so that Lambda retries the event; nothing
 * is recorded for the mail, and once the cause is gone the same event applies it.
 *
 * The refusals come from a proxy in front of the real S3 and DynamoDB servers, answered as the
 * services answer them; the handler is unchanged.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { loadConfig } from '../../lib/config.js';
import { RetryRequestedError } from '../../lib/ingest-handler.js';
import { objectKeyOf } from '../../lib/ledger-outcomes.js';
import { LOCAL_INBOUND_PREFIX } from '../../lib/local/local-gateway.js';
import { createMailProcessor, type MailReport } from '../../lib/pipeline/index.js';
import { NO_FAULTS, type FaultPlan } from '../helpers/fault-proxy.js';
import { SEED_TICKETS, useGatewayBehindFaultProxies } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGatewayBehindFaultProxies({ tickets: SEED_TICKETS, maxAttempts: 1 });

/** Denies `service`'s requests that `matches` picks, as a missing IAM permission would. */
function denying(service: 's3' | 'dynamodb', matches: (request: IncomingMessage) => boolean = () => true): FaultPlan {
  return { decide: (s, request) => (s === service && matches(request) ? 'deny-access' : 'none') };
}

/** Reading the object at `key` is denied. */
const denyReading = (key: string) => denying('s3', (request) => request.method === 'GET' && (request.url ?? '').includes(key));

/** The handler's answer to `event`, or the reports of the RetryRequestedError it threw. */
async function outcomeOf(event: unknown): Promise<{ threw: boolean; reports: readonly MailReport[]; answer: unknown }> {
  try {
    const answer = await fixture.gateway.handler(structuredClone(event));
    return { threw: false, reports: 'mails' in answer ? answer.mails : [], answer };
  } catch (error) {
    if (!(error instanceof RetryRequestedError)) throw error;
    return { threw: true, reports: error.mails, answer: undefined };
  }
}

/** Nothing was written for the mail: no entry under its Message-ID or its object, no tags. */
async function expectNothingRecorded(messageId: string, key: string): Promise<void> {
  const location = { bucket: fixture.gateway.stack.names.bucket, key };
  expect(await fixture.aws.ledgerEntry(bare(messageId))).toBeUndefined();
  expect(await fixture.aws.ledgerEntry(objectKeyOf(location, 'object'))).toBeUndefined();
  expect(await fixture.aws.tags(key)).toEqual({});
}

describe('a permission error', () => {
  it('retries a mail whose raw object S3 refuses with 403 AccessDenied: the handler throws, nothing is recorded, and the same event applies it later', async () => {
    const messageId = newMessageId('s3-denied');
    const key = `${LOCAL_INBOUND_PREFIX}s3-denied.eml`;
    const event = await fixture.gateway.store(key, composeMail({ messageId, subject: '[support-42] denied' }));
    fixture.usePlan(denyReading(key));
    const denied = await outcomeOf(event);
    fixture.usePlan(NO_FAULTS);

    expect(denied.threw).toBe(true);
    expect(denied.reports[0]?.outcome).toMatchObject({ kind: 'retry', error: expect.stringContaining('AccessDenied') });
    await expectNothingRecorded(messageId, key);
    const later = await outcomeOf(event);
    expect(later.reports[0]?.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
  });

  it('retries a mail when DynamoDB refuses with AccessDeniedException', async () => {
    const messageId = newMessageId('dynamodb-denied');
    const key = `${LOCAL_INBOUND_PREFIX}dynamodb-denied.eml`;
    const event = await fixture.gateway.store(key, composeMail({ messageId, subject: '[support-42] denied' }));
    fixture.usePlan(denying('dynamodb'));
    const denied = await outcomeOf(event);
    fixture.usePlan(NO_FAULTS);

    expect(denied.threw).toBe(true);
    expect(denied.reports[0]?.outcome).toMatchObject({ kind: 'retry', error: expect.stringContaining('AccessDeniedException') });
    await expectNothingRecorded(messageId, key);
  });
});

describe('SES receipt-rule events', () => {
  it('throws when a mail of the event must be retried, instead of answering CONTINUE and dropping it', async () => {
    const sesMessageId = 'ses-denied-0e2ic28trm7dfhrc2v0clambda4nbp0g1';
    const messageId = newMessageId('ses-denied');
    const key = `${LOCAL_INBOUND_PREFIX}${sesMessageId}`;
    await fixture.gateway.store(key, composeMail({ messageId, subject: '[support-42] via SES' }));
    const event = {
      Records: [
        {
          eventSource: 'aws:ses',
          eventVersion: '1.0',
          ses: {
            mail: { messageId: sesMessageId, source: 'alice@example.com', destination: ['support@helpdesk.example'] },
            receipt: { recipients: ['support@helpdesk.example'], spamVerdict: { status: 'PASS' }, virusVerdict: { status: 'PASS' } },
          },
        },
      ],
    };
    fixture.usePlan(denyReading(key));
    const denied = await outcomeOf(event);
    fixture.usePlan(NO_FAULTS);

    expect(denied.threw).toBe(true);
    expect(denied.reports.map((r) => r.outcome.kind)).toEqual(['retry']);
    await expectNothingRecorded(messageId, key);
    expect(await outcomeOf(event)).toMatchObject({ threw: false, answer: { disposition: 'CONTINUE' } });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', ticketId: 42 });
  });
});

describe('an error the code does not know', () => {
  it('is transient: a retry with the error in full, never a recorded skip', async () => {
    const messageId = newMessageId('unknown-error');
    const key = `${LOCAL_INBOUND_PREFIX}unknown-error.eml`;
    await fixture.gateway.store(key, composeMail({ messageId, subject: '[support-42] unknown error' }));
    // A bug in the gateway, not an AWS failure: no server answers with one, so a port throws it.
    // Everything else is the real pipeline on the real (local) S3 and DynamoDB.
    const clients = createAwsClients();
    const deps = awsPipelineDeps(loadConfig(), clients, null);
    const bug = new TypeError("Cannot read properties of undefined (reading 'status')");
    const processMail = createMailProcessor({ ...deps, prefetcher: { prefetch: () => Promise.reject(bug) } });

    const report = await processMail({ bucket: fixture.gateway.stack.names.bucket, key }).finally(() => {
      destroyAwsClients(clients);
    });
    expect(report.outcome).toEqual({ kind: 'retry', error: `TypeError: ${bug.message}` });
    expect(report.error).toBe(bug);
    await expectNothingRecorded(messageId, key);
  });
});
