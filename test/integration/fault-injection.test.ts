/**
 * Nothing lost, nothing twice, under fire: a few hundred generated mails go through the real
 * handler in SQS batches while a proxy makes about 20 % of the S3 and DynamoDB calls fail
 * transiently (503s, resets, applied writes whose response is lost, truncated bodies). What the
 * handler reports as batch item failures is delivered again until nothing is left. Then every mail
 * must be applied exactly once or skipped with its reason.
 */
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Event, SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { composeMime } from '../helpers/compose.js';
import { NO_FAULTS, transientFaults } from '../helpers/fault-proxy.js';
import { sqsBatch } from '../helpers/sqs-event.js';
import { SEED_TICKETS, useGatewayBehindFaultProxies } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { seededRandom } from '../helpers/random.js';

const MAILS = 240;
const FAULT_RATE = 0.2;
const OPEN_TICKETS = Array.from({ length: 20 }, (_, i) => ({
  id: 200 + i, queue: 'support', status: (i % 4 === 0 ? 'closed' : 'open') as 'closed' | 'open', title: `t${i}`, submitter: 'alice@example.com', cc: [],
}));

// One SDK retry: most injected faults are absorbed there (including a retried write whose first
// response was lost), the rest reach the pipeline and become batch item failures.
const fixture = useGatewayBehindFaultProxies({ tickets: [...SEED_TICKETS, ...OPEN_TICKETS], maxAttempts: 2 });

/** What a generated mail must come to. */
type Expected = { kind: 'followup'; ticketId: number } | { kind: 'created' } | { kind: 'skipped'; reason: string } | { kind: 'duplicate-pair'; twinOf: number };

interface GeneratedMail {
  readonly index: number;
  readonly key: string;
  readonly messageId: string;
  readonly expected: Expected;
}

async function generate(index: number, earlier: readonly GeneratedMail[], earlierRaw: readonly (Buffer | string)[]): Promise<{ raw: Buffer | string; mail: Omit<GeneratedMail, 'key'> }> {
  const ticketId = 200 + (index % OPEN_TICKETS.length);
  switch (index % 10) {
    case 6:
      return { raw: composeMail({ messageId: newMessageId(`new-${index}`), to: 'new@helpdesk.example', subject: `new ${index}` }), mail: { index, messageId: '', expected: { kind: 'created' } } };
    case 7:
      return { raw: composeMail({ subject: `no tag ${index}` }), mail: { index, messageId: '', expected: { kind: 'skipped', reason: 'no-ticket-ref' } } };
    case 8: {
      // The same mail stored a second time (sent twice, or to two of our addresses).
      const twin = earlier[index - 8] as GeneratedMail;
      return { raw: earlierRaw[index - 8] as Buffer | string, mail: { index, messageId: twin.messageId, expected: { kind: 'duplicate-pair', twinOf: twin.index } } };
    }
    case 9: {
      const raw = await composeMime({
        from: 'alice@example.com', to: 'support@helpdesk.example', subject: `Re: [support-${ticketId}] with file`, messageId: newMessageId(`file-${index}`),
        text: 'attached', attachments: [{ filename: 'f.bin', content: randomBytes(20_000 + index) }],
      });
      return { raw, mail: { index, messageId: '', expected: { kind: 'followup', ticketId } } };
    }
    default:
      return { raw: composeMail({ messageId: newMessageId(`reply-${index}`), subject: `Re: [support-${ticketId}] reply ${index}` }), mail: { index, messageId: '', expected: { kind: 'followup', ticketId } } };
  }
}

describe('fault injection', () => {
  it(`applies ${MAILS} mails exactly once or skips them with their reason while ~20 % of AWS calls fail`, async () => {
    const mails: GeneratedMail[] = [];
    const raws: (Buffer | string)[] = [];
    const pending: { id: string; event: S3Event }[] = [];
    for (let index = 0; index < MAILS; index++) {
      const { raw, mail } = await generate(index, mails, raws);
      raws.push(raw);
      const key = `inbound/fault-${String(index).padStart(4, '0')}.eml`;
      const text = typeof raw === 'string' ? raw : raw.toString('latin1');
      const messageId = mail.messageId || bare(/^Message-ID: (<[^>]+>)/im.exec(text)?.[1] ?? '');
      mails.push({ ...mail, key, messageId });
      pending.push({ id: key, event: await fixture.gateway.store(key, raw) });
    }

    fixture.usePlan(transientFaults(FAULT_RATE, seededRandom(20261128)));
    let rounds = 0;
    let redeliveries = 0;
    let queue = pending;
    while (queue.length > 0) {
      rounds += 1;
      expect(rounds, 'every mail is done within 30 rounds of redelivery').toBeLessThanOrEqual(30);
      const failed: typeof queue = [];
      for (let start = 0; start < queue.length; start += 10) {
        const batch = queue.slice(start, start + 10);
        const response = (await fixture.gateway.handler(sqsBatch(batch))) as SQSBatchResponse;
        const ids = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        failed.push(...batch.filter((m) => ids.has(m.id)));
      }
      redeliveries += failed.length;
      queue = failed;
    }
    fixture.usePlan(NO_FAULTS);

    const { requests, faults } = fixture.stats();
    const injected = Object.values(faults).reduce((a, b) => a + b, 0);
    expect(injected / requests).toBeGreaterThan(0.1);
    expect(redeliveries, 'some faults reached the pipeline and were retried').toBeGreaterThan(0);

    const { Items: ledger = [] } = await fixture.aws.db.send(new ScanCommand({ TableName: fixture.gateway.stack.names.messagesTable, ConsistentRead: true }));
    const byKey = new Map<string, Record<string, unknown>[]>();
    for (const entry of ledger) byKey.set(String(entry.key), [...(byKey.get(String(entry.key)) ?? []), entry]);

    // A mail and its resent twin arrive in the same batch: either may be the one applied.
    const hasTwin = new Set(mails.flatMap((m) => (m.expected.kind === 'duplicate-pair' ? [m.expected.twinOf] : [])));
    for (const mail of mails) {
      const entries = byKey.get(mail.key) ?? [];
      const why = `${mail.key} (${JSON.stringify(mail.expected)})`;
      expect(entries, `${why}: exactly one final ledger entry, nothing lost`).toHaveLength(1);
      const entry = entries[0] as Record<string, unknown>;
      expect(entry.state, why).not.toBe('pending');
      expect(Object.keys(await fixture.aws.tags(mail.key)), `${why}: raw mail tagged with its outcome`).toContain(RAW_MAIL_TAGS.outcome);
      const { expected } = mail;
      if (hasTwin.has(mail.index)) continue; // checked with its twin below
      if (expected.kind === 'followup') expect(entry, why).toMatchObject({ state: 'applied', outcome: 'followup', ticketId: expected.ticketId });
      if (expected.kind === 'created') expect(entry, why).toMatchObject({ state: 'applied', outcome: 'created' });
      if (expected.kind === 'skipped') expect(entry, why).toMatchObject({ state: 'skipped', reason: expected.reason });
      if (expected.kind === 'duplicate-pair') {
        const twin = mails[expected.twinOf] as GeneratedMail;
        const pair = [entry, ...(byKey.get(twin.key) ?? [])];
        expect(pair.filter((e) => e.state === 'applied'), `${why}: one of the twins applied`).toEqual([
          expect.objectContaining(twin.expected.kind === 'followup' ? { outcome: 'followup', ticketId: twin.expected.ticketId } : {}),
        ]);
        expect(pair.filter((e) => e.reason === 'duplicate'), `${why}: the other a duplicate`).toHaveLength(1);
      }
    }

    // No duplicated follow-ups: each ticket has exactly the follow-ups of distinct applied mails.
    for (const ticket of OPEN_TICKETS) {
      const followups = await fixture.aws.followups(ticket.id);
      expect(new Set(followups.map((f) => f.messageKey)).size, `ticket ${ticket.id}`).toBe(followups.length);
      const applied = ledger.filter((e) => e.state === 'applied' && e.ticketId === ticket.id).length;
      expect(followups.length, `ticket ${ticket.id}`).toBe(applied);
    }
    // No duplicated tickets: one per created mail.
    const { Items: tickets = [] } = await fixture.aws.db.send(new ScanCommand({ TableName: fixture.gateway.stack.names.ticketsTable, ConsistentRead: true }));
    const created = tickets.filter((t) => typeof t.sourceMessageKey === 'string');
    expect(created).toHaveLength(mails.filter((m) => m.expected.kind === 'created').length);
    expect(new Set(created.map((t) => t.sourceMessageKey)).size).toBe(created.length);
  }, 120_000);
});
