/**
 * A permanent AWS failure is a recorded skip, never endless retry: when DynamoDB or S3 refuses a
 * request as invalid for what the mail put into it, the mail ends `unstorable` with the AWS error in
 * the detail, its raw object tagged, and no batch item failure. The refusals come from a proxy in
 * front of dynalite and s3rver that answers exactly as DynamoDB (400 ValidationException) and S3
 * (400 MetadataTooLarge) answer: with the caps in place no real mail makes these stores refuse, and
 * only a proxy can stand in for the refusal the caps exist to prevent.
 */
import type { IncomingMessage } from 'node:http';
import type { SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { IngestResult } from '../../lib/ingest-handler.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import type { MailReport } from '../../lib/pipeline/index.js';
import { composeMime } from '../helpers/compose.js';
import { NO_FAULTS, type FaultPlan } from '../helpers/fault-proxy.js';
import { SEED_TICKETS, useGatewayBehindFaultProxies } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGatewayBehindFaultProxies({ tickets: SEED_TICKETS, maxAttempts: 1 });

const isPutItem = (service: string, request: IncomingMessage) => service === 'dynamodb' && request.headers['x-amz-target'] === 'DynamoDB_20120810.PutItem';
const isAttachmentUpload = (service: string, request: IncomingMessage) => service === 's3' && request.method === 'PUT' && String(request.url).includes('/attachments/');

/** Refuses the requests that `match` as invalid, by their position among those requests (1-based). */
function refuse(match: (service: string, request: IncomingMessage) => boolean, positions: readonly number[]): FaultPlan {
  let seen = 0;
  return {
    decide(service, request) {
      if (!match(service, request)) return 'none';
      seen += 1;
      return positions.includes(seen) ? 'refuse-invalid' : 'none';
    },
  };
}

async function deliverWith(plan: FaultPlan, name: string, raw: string | Buffer): Promise<MailReport> {
  const event = await fixture.gateway.store(`inbound/${name}.eml`, raw);
  fixture.usePlan(plan);
  try {
    const result = await fixture.gateway.handler(event).catch((error: { mails?: MailReport[] }) => ({ mails: error.mails ?? [] }) as IngestResult);
    const report = 'mails' in result ? result.mails[0] : undefined;
    if (!report) throw new Error('no report');
    return report;
  } finally {
    fixture.usePlan(NO_FAULTS);
  }
}

async function expectUnstorable(report: MailReport, awsError: string) {
  expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'unstorable' });
  expect(report.outcome.kind === 'skipped' && report.outcome.detail).toContain(awsError);
  const entries = (await fixture.aws.ledger()).filter((e) => e.key === report.location.key);
  expect(entries).toEqual([expect.objectContaining({ state: 'skipped', reason: 'unstorable' })]);
  expect(await fixture.aws.tags(report.location.key)).toMatchObject({ [RAW_MAIL_TAGS.outcome]: 'skipped', [RAW_MAIL_TAGS.reason]: 'unstorable' });
  return entries[0] as Record<string, unknown>;
}

describe('permanent AWS failures', () => {
  it('records a follow-up whose ledger entry DynamoDB refuses as an unstorable skip, by its object (its Message-ID stays free)', async () => {
    const messageId = newMessageId('refused-entry');
    const report = await deliverWith(refuse(isPutItem, [1]), 'refused-entry', composeMail({ messageId, subject: 'Re: [support-42] refused' }));
    const entry = await expectUnstorable(report, 'ValidationException');
    expect(entry).toMatchObject({ messageKey: expect.stringMatching(/^object:/), messageId: bare(messageId), from: 'alice@example.com' });
  });

  it('records a new ticket DynamoDB refuses over the mail\'s pending claim, so its Message-ID is not blocked', async () => {
    const messageId = newMessageId('refused-ticket');
    // PutItem 1 claims the Message-ID (pending), PutItem 2 writes the ticket: refused.
    const report = await deliverWith(refuse(isPutItem, [2]), 'refused-ticket', composeMail({ messageId, to: 'new@helpdesk.example', subject: 'new' }));
    const entry = await expectUnstorable(report, 'ValidationException');
    expect(entry).toMatchObject({ messageKey: bare(messageId), state: 'skipped' });
  });

  it('records a mail whose attachment S3 refuses as an unstorable skip', async () => {
    const raw = await composeMime({ from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] file', messageId: newMessageId('refused-upload'), text: 'x', attachments: [{ filename: 'a.txt', content: 'a' }] });
    const report = await deliverWith(refuse(isAttachmentUpload, [1]), 'refused-upload', raw);
    await expectUnstorable(report, 'MetadataTooLarge');
  });

  it('records the mail by its object alone when even the skip with its headers is refused', async () => {
    const messageId = newMessageId('refused-twice');
    const report = await deliverWith(refuse(isPutItem, [1, 2]), 'refused-twice', composeMail({ messageId, subject: 'Re: [support-42] refused twice' }));
    const entry = await expectUnstorable(report, 'ValidationException');
    expect(String(entry.messageKey)).toMatch(/^object:/);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toBeUndefined();
  });

  it('reports no batch item failure for it in an SQS batch', async () => {
    const event = await fixture.gateway.store('inbound/refused-sqs.eml', composeMail({ subject: 'Re: [support-42] via sqs' }));
    fixture.usePlan(refuse(isPutItem, [1]));
    try {
      const response = (await fixture.gateway.handler({
        Records: [{ messageId: 'm1', receiptHandle: 'h1', body: JSON.stringify(event), eventSource: 'aws:sqs', attributes: {}, messageAttributes: {} }],
      })) as SQSBatchResponse;
      expect(response.batchItemFailures).toEqual([]);
    } finally {
      fixture.usePlan(NO_FAULTS);
    }
    expect(await fixture.aws.tags('inbound/refused-sqs.eml')).toMatchObject({ [RAW_MAIL_TAGS.reason]: 'unstorable' });
  });
});
