/**
 * The behaviour this project exists for, through the real handler against dynalite and s3rver:
 * an update-only mailbox applies mail for existing tickets and skips, keeps and records the rest.
 */
import { describe, expect, it } from 'vitest';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'update-only', env: { MAX_MAIL_BYTES: '3000000' } });

describe('update-only mailbox', () => {
  it('adds a follow-up to the ticket named by the subject tag', async () => {
    const messageId = newMessageId('tagged');
    const report = await fixture.gateway.deliver('tagged.eml', composeMail({ messageId, subject: 'Re: [support-42] Printer jams', body: 'Still jamming.' }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42, reopened: false });
    expect(report.messageId).toBe(bare(messageId));

    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry).toMatchObject({ state: 'applied', outcome: 'followup', ticketId: 42, body: 'Still jamming.\n', key: report.location.key });
    expect(await fixture.aws.tags(report.location.key)).toEqual({ [RAW_MAIL_TAGS.outcome]: 'followup', [RAW_MAIL_TAGS.ticket]: '42' });
    expect((await fixture.aws.followups(42)).map((f) => f.messageKey)).toContain(bare(messageId));
  });

  it('skips mail without a ticket id as no-ticket-ref, keeps it tagged, and records it', async () => {
    const messageId = newMessageId('untagged');
    const report = await fixture.gateway.deliver('untagged.eml', composeMail({ messageId, subject: 'I have a new problem' }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'skipped', reason: 'no-ticket-ref', key: report.location.key });
    expect(await fixture.aws.tags(report.location.key)).toEqual({ [RAW_MAIL_TAGS.outcome]: 'skipped', [RAW_MAIL_TAGS.reason]: 'no-ticket-ref' });
    expect((await fixture.aws.objectBytes(report.location.key)).toString()).toContain('I have a new problem');
  });

  it('skips mail naming a ticket that does not exist as ticket-not-found, without throwing', async () => {
    const report = await fixture.gateway.deliver('unknown.eml', composeMail({ subject: 'Re: [support-999] gone' }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'ticket-not-found', ticketId: 999 });
    expect(await fixture.aws.tags(report.location.key)).toMatchObject({ [RAW_MAIL_TAGS.reason]: 'ticket-not-found', [RAW_MAIL_TAGS.ticket]: '999' });
    expect(await fixture.aws.ticket(999)).toBeUndefined();
  });

  it('carries on with the next mail after a skip', async () => {
    await fixture.gateway.deliver('skip.eml', composeMail({ subject: 'no tag here' }));
    const report = await fixture.gateway.deliver('next.eml', composeMail({ subject: '[support-42] next' }));
    expect(report.outcome.kind).toBe('followup');
  });

  it.each(['closed', 'resolved'] as const)('reopens a %s ticket', async (status) => {
    const id = status === 'closed' ? 43 : 50;
    expect((await fixture.aws.ticket(id))?.status).toBe(status);
    const report = await fixture.gateway.deliver(`reopen-${status}.eml`, composeMail({ from: 'carol@example.com', subject: `AW: [support-${id}] again` }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: id, reopened: true });
    expect(await fixture.aws.ticket(id)).toMatchObject({ status: 'reopened' });
  });

  it('forwards mail for a merged ticket to the ticket it was merged into', async () => {
    const messageId = newMessageId('merged');
    const report = await fixture.gateway.deliver('merged.eml', composeMail({ messageId, subject: 'Re: [support-44] Printer again' }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ ticketId: 42, mergedFrom: [44] });
  });

  it('skips mail for a ticket merged into a missing ticket as ticket-not-found', async () => {
    const report = await fixture.gateway.deliver('merged-missing.eml', composeMail({ subject: 'Re: [support-60] x' }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'ticket-not-found' });
  });

  it('threads a reply by References alone (no subject tag, no In-Reply-To)', async () => {
    const first = newMessageId('first');
    await fixture.gateway.deliver('first.eml', composeMail({ messageId: first, from: 'erin@example.org', subject: '[billing-7] Invoice', to: 'billing@helpdesk.example' }));
    const report = await fixture.gateway.deliver(
      'reply.eml',
      composeMail({ from: 'erin@example.org', subject: 'Re: Invoice', references: `<unrelated@elsewhere> ${first}`, to: 'billing@helpdesk.example' }),
    );
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 7 });
  });

  it('threads a reply to an outbound notification registered for a ticket', async () => {
    const { registerOutboundMessage } = await import('../../lib/outbound.js');
    const { createAwsClients, destroyAwsClients } = await import('../../lib/adapters/aws-clients.js');
    const { DynamoTicketStore } = await import('../../lib/adapters/dynamodb-ticket-store.js');
    const { DynamoMessageLedger } = await import('../../lib/adapters/dynamodb-message-ledger.js');
    const clients = createAwsClients();
    const { dynamo } = clients;
    const names = fixture.gateway.stack.names;
    const deps = { tickets: new DynamoTicketStore(dynamo, names.ticketsTable), ledger: new DynamoMessageLedger(dynamo, names.messagesTable) };
    await registerOutboundMessage(deps, '<notification-7-1.9b3e07d4c1@helpdesk.example>', 7);
    await expect(registerOutboundMessage(deps, '<n@helpdesk.example>', 12345)).rejects.toThrow('ticket 12345 does not exist');

    const report = await fixture.gateway.deliver('notification-reply.eml', composeMail({ from: 'erin@example.org', subject: 'Re: your ticket', inReplyTo: '<notification-7-1.9b3e07d4c1@helpdesk.example>' }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 7 });
    destroyAwsClients(clients);
  });

  it('takes the thread over a subject tag naming another ticket only where the sender may write, and records the conflict', async () => {
    const first = newMessageId('thread-first');
    await fixture.gateway.deliver('t1.eml', composeMail({ messageId: first, subject: '[support-42] a' }));
    const report = await fixture.gateway.deliver('t2.eml', composeMail({ subject: 'Re: [billing-7] quoted', inReplyTo: first }));
    // alice may write into 42 (the thread's) but not into 7 (the tag's): the thread's, recorded as a conflict.
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await fixture.aws.ledgerEntry(String(report.messageId));
    expect(entry).toMatchObject({ referenceConflict: expect.stringContaining('took ticket 42') });
  });

  it('skips a second copy of a mail as duplicate, keeping one follow-up', async () => {
    const messageId = newMessageId('twice');
    const raw = composeMail({ messageId, subject: '[support-42] twice' });
    const first = await fixture.gateway.deliver('twice-1.eml', raw);
    const second = await fixture.gateway.deliver('twice-2.eml', raw);
    expect(first.outcome.kind).toBe('followup');
    expect(second.outcome).toMatchObject({ kind: 'skipped', reason: 'duplicate' });
    expect(await fixture.aws.tags(second.location.key)).toMatchObject({ [RAW_MAIL_TAGS.reason]: 'duplicate' });
    const followups = (await fixture.aws.followups(42)).filter((f) => f.messageId === bare(messageId));
    expect(followups).toHaveLength(1);
    const duplicates = (await fixture.aws.ledger()).filter((e) => e.reason === 'duplicate' && e.key === second.location.key);
    expect(duplicates).toHaveLength(1);
  });

  it('answers the same S3 event twice with one follow-up: the second is a redelivery', async () => {
    const messageId = newMessageId('redelivered');
    const event = await fixture.gateway.store('inbound/redelivered.eml', composeMail({ messageId, subject: '[support-42] once' }));
    const first = await fixture.gateway.handler(structuredClone(event));
    const second = await fixture.gateway.handler(structuredClone(event));
    expect('mails' in first && first.mails[0]).toMatchObject({ redelivered: false, outcome: { kind: 'followup', ticketId: 42 } });
    expect('mails' in second && second.mails[0]).toMatchObject({ redelivered: true, outcome: { kind: 'followup', ticketId: 42 } });
    expect((await fixture.aws.followups(42)).filter((f) => f.messageId === bare(messageId))).toHaveLength(1);
  });

  it('answers the same S3 event delivered concurrently with one follow-up', async () => {
    const messageId = newMessageId('concurrent');
    const event = await fixture.gateway.store('inbound/concurrent.eml', composeMail({ messageId, subject: '[support-42] race' }));
    const results = await Promise.all([1, 2, 3].map(() => fixture.gateway.handler(structuredClone(event))));
    const reports = results.map((r) => ('mails' in r ? r.mails[0] : undefined));
    expect(reports.filter((r) => r?.redelivered === false)).toHaveLength(1);
    expect(reports.every((r) => r?.outcome.kind === 'followup')).toBe(true);
    expect((await fixture.aws.followups(42)).filter((f) => f.messageId === bare(messageId))).toHaveLength(1);
  });

  it('keeps a skipped mail one skip when it is delivered again', async () => {
    const messageId = newMessageId('skip-again');
    const event = await fixture.gateway.store('inbound/skip-again.eml', composeMail({ messageId, subject: 'no tag' }));
    await fixture.gateway.handler(structuredClone(event));
    const again = await fixture.gateway.handler(structuredClone(event));
    expect('mails' in again && again.mails[0]).toMatchObject({ redelivered: true, outcome: { kind: 'skipped', reason: 'no-ticket-ref' } });
    expect((await fixture.aws.ledger()).filter((e) => e.messageId === bare(messageId))).toHaveLength(1);
  });

  it('files mail without a Message-ID under the hash of its bytes, and spots an identical copy', async () => {
    const raw = composeMail({ messageId: null, subject: '[support-42] no id', body: `unique ${Date.now()}` });
    const first = await fixture.gateway.deliver('no-id-1.eml', raw);
    const second = await fixture.gateway.deliver('no-id-2.eml', raw);
    expect(first.outcome.kind).toBe('followup');
    expect(first.messageId).toBeNull();
    expect(second.outcome).toMatchObject({ kind: 'skipped', reason: 'duplicate' });
    expect((await fixture.aws.ledger()).some((e) => String(e.messageKey).startsWith('sha256:') && e.key === first.location.key)).toBe(true);
  });

  it('skips an empty object as empty', async () => {
    const report = await fixture.gateway.deliver('empty.eml', '');
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'empty' });
  });

  it('skips mail the parser rejects as malformed, keeping it', async () => {
    const report = await fixture.gateway.deliver('huge-header.eml', composeMail({ headers: [`X-Padding: ${'a'.repeat(1_200_000)}`] }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'malformed' });
    expect(await fixture.aws.tags(report.location.key)).toMatchObject({ [RAW_MAIL_TAGS.reason]: 'malformed' });
  });

  it('skips mail over MAX_MAIL_BYTES as too-large without reading it, keeping it', async () => {
    const report = await fixture.gateway.deliver('too-large.eml', composeMail({ subject: '[support-42] big', body: 'x'.repeat(3_100_000) }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'too-large' });
    expect(await fixture.aws.tags(report.location.key)).toMatchObject({ [RAW_MAIL_TAGS.reason]: 'too-large' });
  });

  it('skips an event for an object that no longer exists as object-missing', async () => {
    const event = await fixture.gateway.store('inbound/vanishing.eml', composeMail());
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    await fixture.aws.s3.send(new DeleteObjectCommand({ Bucket: fixture.gateway.stack.names.bucket, Key: 'inbound/vanishing.eml' }));
    const result = await fixture.gateway.handler(event);
    expect('mails' in result && result.mails[0]?.outcome).toMatchObject({ kind: 'skipped', reason: 'object-missing' });
  });

  it('reads a CRLF mail with an RFC 2047 subject and an ISO-8859-1 HTML-only body', async () => {
    const messageId = newMessageId('latin1');
    const raw = Buffer.from(
      composeMail({
        messageId,
        eol: '\r\n',
        subject: '=?iso-8859-1?q?Re=3A_=5Bsupport-42=5D_Gr=FC=DFe?=',
        contentType: 'text/html; charset=iso-8859-1',
        headers: ['Content-Transfer-Encoding: quoted-printable'],
        body: '<p>Stra=DFe <b>M=FCnchen</b></p>',
      }),
    );
    const report = await fixture.gateway.deliver('latin1.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry?.subject).toBe('Re: [support-42] Grüße');
    expect(String(entry?.body).trim()).toBe('Straße München');
  });
});

describe('tickets a test sets up for itself', () => {
  it('reopens the ticket that receives a follow-up through a merge, never the merged one', async () => {
    // A closed ticket merged into a resolved one; and a duplicate merged into a resolved one.
    await fixture.aws.putTicket({ id: 9001, status: 'closed', submitter: 'carol@example.com', mergedInto: 9002 });
    await fixture.aws.putTicket({ id: 9002, status: 'resolved', submitter: 'carol@example.com' });
    await fixture.aws.putTicket({ id: 9003, status: 'duplicate', submitter: 'carol@example.com', mergedInto: 9004 });
    await fixture.aws.putTicket({ id: 9004, status: 'resolved', submitter: 'carol@example.com' });

    for (const [merged, receiving] of [[9001, 9002], [9003, 9004]] as const) {
      const before = (await fixture.aws.ticket(merged))?.status;
      const report = await fixture.gateway.deliver(`reopen-through-${merged}.eml`, composeMail({ from: 'carol@example.com', subject: `Re: [support-${merged}] back again` }));
      expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: receiving, reopened: true });
      expect(await fixture.aws.ticket(receiving)).toMatchObject({ status: 'reopened' });
      expect((await fixture.aws.ticket(merged))?.status).toBe(before);
    }
  });

  it('recognises a participant stored with upper-case letters (submitter and CC) whatever the case of the From', async () => {
    await fixture.aws.putTicket({ id: 9010, status: 'open', submitter: 'Grace.Hopper@Example.ORG', cc: ['Ivan@Example.ORG'] });
    const fromSubmitter = await fixture.gateway.deliver('case-submitter.eml', composeMail({ from: 'Grace <grace.hopper@example.org>', subject: 'Re: [support-9010] case' }));
    const fromCc = await fixture.gateway.deliver('case-cc.eml', composeMail({ from: 'IVAN@example.org', subject: 'Re: [support-9010] case' }));
    const fromStranger = await fixture.gateway.deliver('case-stranger.eml', composeMail({ from: 'mallory@example.org', subject: 'Re: [support-9010] case' }));
    expect(fromSubmitter.outcome).toMatchObject({ kind: 'followup', ticketId: 9010 });
    expect(fromCc.outcome).toMatchObject({ kind: 'followup', ticketId: 9010 });
    expect(fromStranger.outcome).toMatchObject({ kind: 'skipped', reason: 'sender-not-allowed' });
  });
});
