/** A create mailbox opens tickets, through the real handler against dynalite and s3rver. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TICKET_COUNTER_ID } from '../../lib/adapters/dynamodb-ticket-store.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'create' });

/** The ticket id counter now: the next ticket opened gets the id after it. */
const lastTicketId = async () => Number((await fixture.aws.ticket(TICKET_COUNTER_ID))?.lastTicketId);

describe('create mailbox', () => {
  it('opens a ticket with the next id, title, description, submitter and CCs', async () => {
    const messageId = newMessageId('new');
    const next = (await lastTicketId()) + 1;
    const report = await fixture.gateway.deliver(
      'new.eml',
      composeMail({
        messageId,
        from: 'Grace <Grace@Example.org>',
        to: 'support@helpdesk.example, heidi@example.org',
        cc: 'ivan@example.org, grace@example.org',
        subject: 'Cannot log in',
        body: 'The wiki rejects my password.',
      }),
    );
    expect(report.outcome).toMatchObject({ kind: 'created', ticketId: next });
    expect(await fixture.aws.ticket(next)).toMatchObject({
      queue: 'support',
      status: 'open',
      title: 'Cannot log in',
      description: 'The wiki rejects my password.\n',
      submitter: 'grace@example.org',
      // Cc first, then the other To addresses (participants.ts); the submitter and our mailbox never.
      cc: ['ivan@example.org', 'heidi@example.org'],
      sourceMessageKey: bare(messageId),
    });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', outcome: 'created', ticketId: next, ccAdded: ['ivan@example.org', 'heidi@example.org'] });
    expect(await fixture.aws.tags(report.location.key)).toEqual({ [RAW_MAIL_TAGS.outcome]: 'created', [RAW_MAIL_TAGS.ticket]: String(next) });
  });

  it('hands out distinct ids to mails arriving at once', async () => {
    const last = await lastTicketId();
    const reports = await Promise.all([1, 2, 3, 4].map((n) => fixture.gateway.deliver(`burst-${n}.eml`, composeMail({ subject: `burst ${n}` }))));
    const ids = reports.map((r) => (r.outcome.kind === 'created' ? r.outcome.ticketId : null));
    expect(new Set(ids).size).toBe(4);
    expect(ids.every((id) => typeof id === 'number' && id > last)).toBe(true);
  });

  it('opens a ticket for mail naming a ticket that does not exist', async () => {
    const report = await fixture.gateway.deliver('unknown.eml', composeMail({ subject: 'Re: [support-4242] from another system' }));
    expect(report.outcome.kind).toBe('created');
  });

  it('still adds a follow-up when the mail names an existing ticket', async () => {
    const report = await fixture.gateway.deliver('reply.eml', composeMail({ subject: 'Re: [support-42] Printer' }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
  });

  it('routes to the queue of the mailbox the mail was sent to', async () => {
    const report = await fixture.gateway.deliver('billing.eml', composeMail({ to: 'billing@helpdesk.example', subject: 'Invoice question' }));
    const id = report.outcome.kind === 'created' ? report.outcome.ticketId : -1;
    expect((await fixture.aws.ticket(id))?.queue).toBe('billing');
  });

  it('threads a reply to the mail that opened a ticket into that ticket', async () => {
    const opening = newMessageId('opening');
    const created = await fixture.gateway.deliver('opening.eml', composeMail({ messageId: opening, subject: 'New thing' }));
    const reply = await fixture.gateway.deliver('opening-reply.eml', composeMail({ subject: 'Re: New thing', inReplyTo: opening }));
    expect(reply.outcome).toMatchObject({ kind: 'followup', ticketId: created.outcome.kind === 'created' ? created.outcome.ticketId : -1 });
  });

  it('finishes an interrupted ticket creation on redelivery with the reserved id, opening one ticket', async () => {
    const messageId = newMessageId('interrupted');
    const event = await fixture.gateway.store('inbound/interrupted.eml', composeMail({ messageId, subject: 'interrupted' }));
    // The first attempt reserved id 900 and claimed the mail, then the Lambda died.
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await fixture.aws.db.send(
      new PutCommand({
        TableName: fixture.gateway.stack.names.messagesTable,
        Item: {
          messageKey: bare(messageId), direction: 'inbound', state: 'pending', ticketId: 900, queue: 'support',
          bucket: fixture.gateway.stack.names.bucket, key: 'inbound/interrupted.eml', subject: 'interrupted',
          receivedAt: '2026-11-26T08:12:00.000Z', recordedAt: '2026-11-26T08:12:01.000Z',
        },
      }),
    );
    const result = await fixture.gateway.handler(event);
    expect('mails' in result && result.mails[0]?.outcome).toMatchObject({ kind: 'created', ticketId: 900 });
    expect(await fixture.aws.ticket(900)).toMatchObject({ title: 'interrupted', sourceMessageKey: bare(messageId) });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', ticketId: 900 });
  });

  it('stores attachments byte-exact under the ticket and follow-up, never by file name alone', async () => {
    const small = randomBytes(2_000);
    const large = randomBytes(12 * 1024 * 1024 + 123); // above the 5 MB part size: a multipart upload
    const raw = await composeMime({
      from: 'alice@example.com',
      to: 'support@helpdesk.example',
      subject: 'Re: [support-42] files',
      messageId: newMessageId('files'),
      text: 'two files',
      attachments: [
        { filename: '../../etc/passwd', content: small },
        { filename: 'capture.bin', content: large },
      ],
    });
    const report = await fixture.gateway.deliver('files.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await fixture.aws.ledgerEntry(String(report.messageId));
    const attachments = entry?.attachments as { key: string; filename: string; size: number }[];
    expect(attachments.map((a) => a.filename)).toEqual(['passwd', 'capture.bin']);
    const followupId = report.outcome.kind === 'followup' ? report.outcome.followupId : '';
    expect(attachments.map((a) => a.key)).toEqual([`attachments/42/${followupId}/0`, `attachments/42/${followupId}/1`]);
    expect((await fixture.aws.objectBytes(attachments[0]?.key ?? '')).equals(small)).toBe(true);
    expect((await fixture.aws.objectBytes(attachments[1]?.key ?? '')).equals(large)).toBe(true);
    const head = await fixture.aws.objectHead(attachments[0]?.key ?? '');
    expect(head.ContentDisposition).toMatch(/^attachment; filename\*=UTF-8''/);
    expect(head.ContentType).toBe('application/octet-stream');
    await head.Body?.transformToByteArray();
  });

  it('stores a text body too long for the ledger in S3', async () => {
    const body = 'long line of text\n'.repeat(10_000);
    const report = await fixture.gateway.deliver('long.eml', composeMail({ subject: '[support-42] long', body }));
    const entry = await fixture.aws.ledgerEntry(String(report.messageId));
    expect(entry?.body).toBeUndefined();
    expect((await fixture.aws.objectBytes(String(entry?.bodyKey))).toString().trim()).toBe(body.trim());
  });
});
