/**
 * Every record fits its store, whatever the sender wrote: mail whose ledger entry, ticket or S3
 * metadata used to exceed a store's limit (and was retried until the dead-letter queue, with no
 * record at all) ends with a final outcome and a ledger entry. Through the real handler against
 * dynalite (which enforces DynamoDB's 400 KB item size) and s3rver.
 *
 * Fixtures (test/fixtures/records/) are the shared real-world cases; the others are built here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynamoMessageLedger } from '../../lib/adapters/dynamodb-message-ledger.js';
import { DynamoTicketStore } from '../../lib/adapters/dynamodb-ticket-store.js';
import type { AppliedEntry, SkippedEntry } from '../../lib/ledger-entry.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { MAX_CC_ADDED_PER_MAIL } from '../../lib/mail/participants.js';
import type { MailReport } from '../../lib/pipeline/index.js';
import { RECORD_CAPS, STORE_LIMITS, dynamoItemBytes, utf8Bytes } from '../../lib/record-caps.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { composeMail, newMessageId } from '../helpers/mail.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/records');
const fixture = useGateway({
  mode: 'update-only',
  env: { MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create' },
});

/** The one ledger entry of the stored object a report is about. */
async function entryOf(report: MailReport): Promise<Record<string, unknown>> {
  const entries = (await fixture.aws.ledger()).filter((e) => e.key === report.location.key);
  expect(entries, `one ledger entry for ${report.location.key}`).toHaveLength(1);
  return entries[0] as Record<string, unknown>;
}

/** Final, recorded, tagged: never `retry`. */
async function expectRecorded(report: MailReport): Promise<Record<string, unknown>> {
  expect(report.outcome.kind, JSON.stringify(report.outcome).slice(0, 500)).not.toBe('retry');
  const entry = await entryOf(report);
  expect(entry.state).not.toBe('pending');
  expect(Object.keys(await fixture.aws.tags(report.location.key))).toContain(RAW_MAIL_TAGS.outcome);
  return entry;
}

/** An address of exactly `bytes` bytes. */
const address = (n: number, bytes: number) => {
  const domain = `@cc${n}.example.org`;
  return `${'p'.repeat(bytes - domain.length)}${domain}`;
};

describe('records that fit, from the shared cases', () => {
  it('skips a stranger\'s mail with a folded 450 KB Message-ID as no-ticket-ref: a degenerate Message-ID counts as absent', async () => {
    const report = await fixture.gateway.deliver('folded-huge-message-id.eml', await readFile(join(FIXTURES, 'folded-huge-message-id.eml')));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    const entry = await expectRecorded(report);
    // Filed under the hash of its bytes, as a mail without a Message-ID.
    expect(String(entry.messageKey)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(entry.messageId ?? null).toBeNull();
  });

  it('opens a ticket from the same mail sent to a create mailbox', async () => {
    const raw = (await readFile(join(FIXTURES, 'folded-huge-message-id.eml'), 'latin1')).replace('To: support@helpdesk.example', 'To: new@helpdesk.example')
      .replace('Message-ID: y', 'Message-ID: z'); // another mail: the first one's Message-ID is taken
    const report = await fixture.gateway.deliver('folded-huge-message-id-create.eml', Buffer.from(raw, 'latin1'));
    expect(report.outcome.kind).toBe('created');
    const entry = await expectRecorded(report);
    expect(entry).toMatchObject({ state: 'applied', outcome: 'created' });
    expect(await fixture.aws.ticket(Number(entry.ticketId))).toMatchObject({ submitter: 'mallory@attacker.example', sourceMessageKey: entry.messageKey });
  });

  it('adds a follow-up with the attachment whose content type is not ASCII, stored byte for byte', async () => {
    const report = await fixture.gateway.deliver('non-ascii-attachment-content-type.eml', await readFile(join(FIXTURES, 'non-ascii-attachment-content-type.eml')));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await expectRecorded(report);
    const [attachment] = entry.attachments as { key: string; contentType: string }[];
    expect(attachment?.contentType).toBe('application/пдф');
    expect((await fixture.aws.objectBytes(attachment?.key ?? '')).toString()).toBe('%PDF-1.4\n');
    const head = await fixture.aws.objectHead(attachment?.key ?? '');
    expect(head.Metadata?.['original-content-type']).toBe('application/%D0%BF%D0%B4%D1%84');
  });
});

describe('records that fit, the same kinds built here', () => {
  it('opens a ticket from a mail with hundreds of long To and Cc addresses, adding at most 10 of them as CCs', async () => {
    // 100 addresses a real mailbox could have (250 bytes), 100 that no mailbox can (4,000 bytes):
    // together over 400 KB, which the ticket used to copy whole and DynamoDB refused, after the
    // mail's Message-ID had been claimed — blocking it for good.
    const ordinary = Array.from({ length: 20 }, (_, i) => `person${i}@example.org`);
    const to = ['new@helpdesk.example', ...ordinary, ...Array.from({ length: 99 }, (_, i) => address(i, 250))];
    const cc = Array.from({ length: 100 }, (_, i) => address(100 + i, 4000));
    const report = await fixture.gateway.deliver('huge-cc-list.eml', composeMail({ to: to.join(', '), cc: cc.join(', '), subject: 'many recipients' }));
    expect(report.outcome.kind).toBe('created');
    const entry = await expectRecorded(report);
    const ticket = await fixture.aws.ticket(Number(entry.ticketId));
    // One mail adds at most MAX_CC_ADDED_PER_MAIL participants (participants.ts), the first met;
    // addresses no mailbox can have (a local part over 64 bytes, RFC 5321 §4.5.3.1.1) never count.
    expect(ticket?.cc).toEqual(ordinary.slice(0, MAX_CC_ADDED_PER_MAIL));
    expect(entry.ccAdded).toEqual(ordinary.slice(0, MAX_CC_ADDED_PER_MAIL));
  });

  it('adds a follow-up with 600 attachments: 100 stored, 200 listed, the rest counted', async () => {
    // Long names and content types: listed whole, the entry would be over 600 KB.
    const attachments = Array.from({ length: 600 }, (_, i) => ({
      filename: `${'文'.repeat(190)}-${i}.txt`,
      content: `file ${i}\n`,
      contentType: `application/x-${'v'.repeat(300)}`,
    }));
    const raw = await composeMime({ from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] all the logs', messageId: newMessageId('600'), text: 'see attached', attachments });
    const report = await fixture.gateway.deliver('600-attachments.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await expectRecorded(report);
    const listed = entry.attachments as { key: string | null; refused: string | null; filename: string }[];
    expect(listed).toHaveLength(RECORD_CAPS.listedAttachments);
    expect(entry.attachmentsOmitted).toBe(400);
    expect(listed.filter((a) => a.key !== null)).toHaveLength(100);
    expect(listed.slice(100).every((a) => a.refused === 'too-many')).toBe(true);
    expect((await fixture.aws.objectBytes(listed[99]?.key ?? '')).toString()).toBe('file 99\n');
  }, 60_000);

  it('adds a follow-up from a mail with a 400 KB subject and 400 KB of References, keeping 4,000 bytes of the subject', async () => {
    const subject = `${'Sehr lange Betreffzeile — '.repeat(15_000)}[support-42]`;
    const references = Array.from({ length: 4_000 }, (_, i) => `<ref-${i}-${'r'.repeat(80)}@example.org>`).join(' ');
    const report = await fixture.gateway.deliver('huge-subject.eml', composeMail({ subject, references }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await expectRecorded(report);
    expect(utf8Bytes(String(entry.subject))).toBeLessThanOrEqual(RECORD_CAPS.subjectBytes);
    expect(String(entry.subject).startsWith('Sehr lange Betreffzeile — ')).toBe(true);
  });

  it('opens a ticket from a mail with a huge subject, its title cut on a character boundary', async () => {
    const report = await fixture.gateway.deliver('huge-subject-create.eml', composeMail({ to: 'new@helpdesk.example', subject: '😀'.repeat(200_000) }));
    expect(report.outcome.kind).toBe('created');
    const entry = await expectRecorded(report);
    const title = String((await fixture.aws.ticket(Number(entry.ticketId)))?.title);
    expect(title.length).toBeGreaterThan(0);
    expect(title).toMatch(/^(😀)+…$/u); // cut on a character boundary, with an ellipsis where it was cut
  });
});

describe('the largest records', () => {
  it('writes the largest ledger entry and the largest ticket the caps allow to DynamoDB', async () => {
    const db = fixture.aws.db;
    const { messagesTable, ticketsTable } = fixture.gateway.stack.names;
    const ledger = new DynamoMessageLedger(db, messagesTable);
    const longest = (bytes: number) => '😀'.repeat(bytes); // 4 bytes a character: every cap overrun
    const prefix = `${'a'.repeat(255)}/`;
    const entry: AppliedEntry = {
      messageKey: 'largest@x', direction: 'inbound', bucket: 'b'.repeat(63), key: `inbound/${'k'.repeat(1016)}`,
      messageId: longest(100_000), from: longest(10_000), subject: longest(300_000), receivedAt: new Date().toISOString(), recordedAt: new Date().toISOString(),
      sesVerdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', dmarcPolicy: 'reject' },
      state: 'applied', outcome: 'followup', ticketId: Number.MAX_SAFE_INTEGER, followupId: 'f'.repeat(24), reopened: true,
      mergedFrom: Array.from({ length: 10 }, (_, i) => Number.MAX_SAFE_INTEGER - i), body: longest(100_000), bodyKey: null,
      attachments: Array.from({ length: 1_000 }, (_, i) => ({
        index: i, filename: longest(1_000), refused: i < 200 ? null : 'total-too-large', contentType: longest(1_000), size: Number.MAX_SAFE_INTEGER,
        sha256: 'f'.repeat(64), key: i < 200 ? `${prefix}${Number.MAX_SAFE_INTEGER}/${'f'.repeat(24)}/${i}` : null,
      })),
    };
    expect(await ledger.record(entry)).toBe('recorded');
    const stored = await fixture.aws.ledgerEntry('largest@x');
    expect(stored?.attachments).toHaveLength(RECORD_CAPS.listedAttachments);
    expect(stored?.attachmentsOmitted).toBe(800); // only the list cap, never the backstop
    expect(dynamoItemBytes(stored ?? {})).toBeLessThan(STORE_LIMITS.dynamoItemBytes);

    const { outcome: _o, followupId: _f, reopened: _r, mergedFrom: _m, body: _b, bodyKey: _k, attachments: _a, ...inbound } = entry;
    const bounce: SkippedEntry = {
      ...inbound, messageKey: 'largest-skip@x', state: 'skipped', reason: 'bounce', detail: longest(100_000), ticketId: 1,
      bounce: { failedRecipients: Array.from({ length: 1_000 }, (_, i) => address(i, 254)), originalMessageId: longest(10_000), ticketId: 1 },
      quarantineKey: `q/${'k'.repeat(1020)}`,
    };
    expect(await ledger.record(bounce)).toBe('recorded');
    expect((await fixture.aws.ledgerEntry('largest-skip@x'))?.bounce).toMatchObject({ failedRecipientsOmitted: 900 });

    const tickets = new DynamoTicketStore(db, ticketsTable);
    const id = 9_000_001;
    const result = await tickets.create({
      id, queue: 'q'.repeat(100), status: 'open', title: longest(100_000), description: longest(200_000), submitter: address(0, 254),
      cc: Array.from({ length: 1_000 }, (_, i) => address(i, 254)), createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), sourceMessageKey: 'k'.repeat(1000),
    });
    expect(result).toBe('created');
    const ticket = await fixture.aws.ticket(id);
    expect(ticket?.cc).toHaveLength(RECORD_CAPS.listedAddresses);
    expect(ticket?.ccOmitted).toBe(900);
    expect(dynamoItemBytes(ticket ?? {})).toBeLessThan(STORE_LIMITS.dynamoItemBytes);
  });
});
