/**
 * The apply stage (lib/pipeline/apply.ts), driven through `createMailProcessor` with the real AWS
 * adapters against the embedded dynalite and s3rver. Pins what mutation testing found unpinned:
 * - where a planned mail's attachments go: stored under the ticket and follow-up for a follow-up
 *   and for a new ticket (never drained), and a bounce is read to its end without storing;
 * - a bounce's detail text, word for word: the failed recipients, the bounced Message-ID and the
 *   ticket it belongs to, each part present only when known;
 * - a new ticket whose reserved id another ticket holds (the counter lagged behind the table):
 *   written under the next free id, the claim pointed at it; and the give-up after five ids, with
 *   its message.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoMessageLedger } from '../../lib/adapters/dynamodb-message-ledger.js';
import { createMailProcessor } from '../../lib/pipeline/index.js';
import type { CreateTicketResult, TicketStore } from '../../lib/ports.js';
import type { NewTicket } from '../../lib/ticket.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { freshTicketId } from '../helpers/local-aws.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { useStageRun } from '../helpers/stage-run.js';

// A create mailbox: mail without a ticket reference opens a ticket (a bounce is a skip in any mode).
const fixture = useGateway({ mode: 'create' });
const run = useStageRun(fixture);

describe('where a planned mail\'s attachments go', () => {
  const photo = Buffer.from('not really a jpeg, but bytes all the same');

  it('stores a follow-up\'s attachment under its ticket and follow-up', async () => {
    const ticketId = await run.ownTicket();
    const messageId = newMessageId('followup-attachment');
    const raw = await composeMime({
      from: 'alice@example.com', to: 'support@helpdesk.example', subject: `Re: [support-${ticketId}] photo`, messageId,
      text: 'See the photo.\n', attachments: [{ filename: 'photo.jpg', contentType: 'image/jpeg', content: photo }],
    });
    const report = await createMailProcessor(run.deps())(await run.store('followup-attachment', raw));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });

    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    const followupId = String(entry?.followupId);
    const attachments = entry?.attachments as { key: string | null; filename: string }[];
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ filename: 'photo.jpg', key: expect.stringMatching(new RegExp(`^attachments/${ticketId}/${followupId}/\\d+$`)) });
    expect(await fixture.aws.objectBytes(String(attachments[0]?.key))).toEqual(photo);
  });

  it('stores a new ticket\'s attachment under the ticket it opens', async () => {
    const messageId = newMessageId('create-attachment');
    const raw = await composeMime({
      from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'new request with a photo', messageId,
      text: 'Please look at the photo.\n', attachments: [{ filename: 'photo.jpg', contentType: 'image/jpeg', content: photo }],
    });
    const report = await createMailProcessor(run.deps())(await run.store('create-attachment', raw));
    expect(report.outcome).toMatchObject({ kind: 'created' });
    const ticketId = report.outcome.kind === 'created' ? report.outcome.ticketId : null;

    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    const attachments = entry?.attachments as { key: string | null }[];
    expect(attachments).toHaveLength(1);
    expect(attachments[0]?.key).toMatch(new RegExp(`^attachments/${ticketId}/${String(entry?.followupId)}/\\d+$`));
    expect(await fixture.aws.objectBytes(String(attachments[0]?.key))).toEqual(photo);
  });
});

describe('a bounce\'s detail', () => {
  const daemon = { from: 'MAILER-DAEMON@mx.example.net', to: 'support@helpdesk.example', subject: 'Undelivered Mail Returned to Sender' };

  /** Processes a bounce and answers its report and its ledger entry. */
  async function bounced(name: string, raw: string | Buffer) {
    const report = await createMailProcessor(run.deps())(await run.store(name, raw));
    const entry = await fixture.aws.ledgerEntry(String(report.messageId));
    return { report, entry };
  }

  it('names every failed recipient, the bounced Message-ID and the ticket its notification belongs to', async () => {
    const ticketId = freshTicketId();
    const notification = `notification-${ticketId}@helpdesk.example`;
    await new DynamoMessageLedger(run.clients.dynamo, fixture.gateway.stack.names.messagesTable).registerOutbound(notification, ticketId, new Date().toISOString());
    const raw = await composeMime({
      ...daemon, messageId: newMessageId('bounce-known'), text: 'This is the mail system.\n',
      attachments: [
        { contentType: 'message/delivery-status', content: 'Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; gone@example.net\nAction: failed\n\nFinal-Recipient: rfc822; away@example.org\nAction: failed\n' },
        { contentType: 'text/rfc822-headers', content: `From: support@helpdesk.example\nSubject: [support-${ticketId}] notice\nMessage-ID: <${notification}>\n` },
      ],
    });
    const { report, entry } = await bounced('bounce-known', raw);
    const detail = `undeliverable to gone@example.net, away@example.org for <${notification}> (ticket ${ticketId})`;
    expect(report.outcome).toEqual({ kind: 'skipped', reason: 'bounce', detail, ticketId });
    expect(entry).toMatchObject({ state: 'skipped', reason: 'bounce', detail, ticketId, bounce: { failedRecipients: ['gone@example.net', 'away@example.org'], originalMessageId: notification, ticketId } });
  });

  it('leaves the ticket out when the ledger does not know the bounced Message-ID', async () => {
    const original = `${bare(newMessageId('never-sent'))}`;
    const raw = composeMail({ ...daemon, messageId: newMessageId('bounce-unknown'), headers: ['X-Failed-Recipients: gone@example.net'], body: `Your message could not be delivered.\nMessage-ID: <${original}>` });
    const { report, entry } = await bounced('bounce-unknown', raw);
    const detail = `undeliverable to gone@example.net for <${original}>`;
    expect(report.outcome).toEqual({ kind: 'skipped', reason: 'bounce', detail });
    expect(entry).toMatchObject({ detail, bounce: { failedRecipients: ['gone@example.net'], originalMessageId: original, ticketId: null } });
  });

  it('says only "a delivery report" when the bounce names neither a recipient nor a Message-ID', async () => {
    const raw = composeMail({ ...daemon, messageId: newMessageId('bounce-bare'), body: 'Something went wrong, sorry.' });
    const { report, entry } = await bounced('bounce-bare', raw);
    expect(report.outcome).toEqual({ kind: 'skipped', reason: 'bounce', detail: 'a delivery report' });
    expect(entry).toMatchObject({ detail: 'a delivery report', bounce: { failedRecipients: [], originalMessageId: null, ticketId: null } });
  });
});

/** Reads a ticket from a tickets table of the test's own. */
async function ticketIn(table: string, id: number): Promise<Record<string, unknown> | undefined> {
  const { Item } = await fixture.aws.db.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }));
  return Item;
}

describe('a new ticket whose reserved id is taken', () => {
  it('opens the ticket under the next id when another ticket holds the reserved one', async () => {
    // A tickets table of this test's own: its counter starts at 0, so the first id reserved is 1 —
    // which a ticket (imported, say, without raising the counter) already holds.
    const table = await fixture.aws.freshTicketsTable('lagging');
    await fixture.aws.db.send(new PutCommand({ TableName: table, Item: { id: 1, queue: 'support', status: 'open', title: 'imported earlier', submitter: 'zed@example.com', cc: [] } }));
    const messageId = newMessageId('lagging-counter');
    const report = await createMailProcessor(run.deps({ TICKETS_TABLE: table }))(await run.store('lagging-counter', composeMail({ messageId, subject: 'counter behind' })));

    expect(report.outcome).toMatchObject({ kind: 'created', ticketId: 2 });
    expect(await ticketIn(table, 1)).toMatchObject({ title: 'imported earlier', submitter: 'zed@example.com' });
    expect(await ticketIn(table, 2)).toMatchObject({ title: 'counter behind', submitter: 'alice@example.com', sourceMessageKey: bare(messageId) });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', outcome: 'created', ticketId: 2 });
  });

  it('gives up after five ids, all taken, with a retry that says so, the claim left on the last id tried', async () => {
    const table = await fixture.aws.freshTicketsTable('always-taken');
    const deps = run.deps({ TICKETS_TABLE: table });
    const real = deps.tickets;
    // A stand-in for the tickets table whose every id is taken: the real table cannot be filled
    // ahead of a counter that the test does not drive. It delegates everything but `create`, and
    // stops a runaway loop (one that never gives up) instead of letting it spin.
    const creates: number[] = [];
    let allocations = 0;
    const alwaysTaken: TicketStore = {
      get: (id) => real.get(id),
      allocateId: () => {
        allocations += 1;
        return real.allocateId();
      },
      reopen: (id, at) => real.reopen(id, at),
      replaceCc: (id, expected, next, at) => real.replaceCc(id, expected, next, at),
      async create(ticket: NewTicket): Promise<CreateTicketResult> {
        creates.push(ticket.id);
        if (creates.length > 12) throw new Error('create called more than 12 times: the loop does not give up');
        return 'id-taken';
      },
    };
    const messageId = newMessageId('always-taken');
    const report = await createMailProcessor({ ...deps, tickets: alwaysTaken })(await run.store('always-taken', composeMail({ messageId, subject: 'no id free' })));

    expect(report.outcome).toEqual({ kind: 'retry', error: 'TransientError: no free ticket id after 5 attempts: the ticket counter lags behind the tickets table' });
    // Reserved 1; each refusal but the last allocates the next id and points the claim at it.
    expect(creates).toEqual([1, 2, 3, 4, 5]);
    expect(allocations).toBe(5);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'pending', ticketId: 5 });
  });
});
