/**
 * One poison mail in an SQS batch of ten: the other nine are applied, the poison one is a recorded
 * skip, and no batch item failure is reported for it (it must not cycle to the dead-letter queue).
 */
import type { S3Event, SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'update-only' });

/** A mail with more MIME parts than the parser allows: mailparser itself fails on it. */
function tooManyParts(): string {
  const parts = Array.from({ length: 1_100 }, (_, i) => `--p\nContent-Type: text/plain\n\npart ${i}\n`).join('');
  return composeMail({ subject: '[support-42] parts', contentType: 'multipart/mixed; boundary="p"', body: `${parts}--p--` });
}

const POISONS: [string, () => string][] = [
  ['a header block over 1 MB', () => composeMail({ subject: '[support-42] header', headers: [`X-Padding: ${'a'.repeat(1_200_000)}`] })],
  ['more MIME parts than the parser allows', tooManyParts],
];

describe('poison isolation in an SQS batch', () => {
  it.each(POISONS)('applies nine mails and skips the one with %s, reporting no failure', async (label, poison) => {
    const tag = label.replace(/\W+/g, '-');
    const ids = Array.from({ length: 9 }, (_, i) => newMessageId(`${tag}-${i}`));
    const events: S3Event[] = [];
    for (const [i, id] of ids.entries()) events.push(await fixture.gateway.store(`inbound/${tag}-${i}.eml`, composeMail({ messageId: id, subject: `[support-42] ${i}` })));
    events.splice(4, 0, await fixture.gateway.store(`inbound/${tag}-poison.eml`, poison()));

    const response = (await fixture.gateway.handler({
      Records: events.map((event, i) => ({ messageId: `m${i}`, receiptHandle: `h${i}`, body: JSON.stringify(event), eventSource: 'aws:sqs', attributes: {}, messageAttributes: {} })),
    })) as SQSBatchResponse;

    expect(response.batchItemFailures).toEqual([]);
    for (const id of ids) expect(await fixture.aws.ledgerEntry(bare(id))).toMatchObject({ state: 'applied', ticketId: 42 });
    const poisonEntries = (await fixture.aws.ledger()).filter((e) => e.key === `inbound/${tag}-poison.eml`);
    expect(poisonEntries).toEqual([expect.objectContaining({ state: 'skipped', reason: 'malformed' })]);
    expect(await fixture.aws.tags(`inbound/${tag}-poison.eml`)).toMatchObject({ [RAW_MAIL_TAGS.reason]: 'malformed' });
  });
});
