/**
 * What a new ticket opens with (lib/pipeline/ticket-opening.ts) and what a follow-up stores
 * (lib/pipeline/followup-content.ts), at their limits, through the real handler against dynalite
 * and s3rver. Pins what mutation testing left unpinned:
 * - a follow-up's text of exactly 64 KiB stays inline in its ledger entry; one byte more goes to
 *   S3 at body.txt beside its attachments;
 * - a follow-up's reply part is cut to 16 KiB and marked ` […]` where it was cut;
 * - a new ticket's title is `(no subject)` for a blank or all-white-space subject;
 * - a new ticket's description is the first 32 KiB of its text;
 * - a ticket opened from an agent's forward, for the customer, does not list the customer among its
 *   CCs when the agent copied them;
 * - a ticket finished from an interrupted creation whose mail names no submitter (a claim an
 *   earlier version left) gets an empty submitter, not a made-up one.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { FORWARD_CASES } from '../helpers/forward-cases.js';
import { useGateway } from '../helpers/gateway.js';
import { freshTicketId } from '../helpers/local-aws.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'create', env: { AGENT_ADDRESSES: '@staff.example.com' } });

/** A text of `bytes` bytes (ASCII, lines under SMTP's limit) that composeMail sends as the body, its final newline included. */
function textOf(bytes: number): { body: string; text: string } {
  const lines = Math.floor((bytes - 1) / 100);
  const body = `${`${'x'.repeat(99)}\n`.repeat(lines)}${'y'.repeat(bytes - 1 - lines * 100)}`;
  return { body, text: `${body}\n` };
}

/** Delivers a follow-up to a ticket of the test's own and answers its ledger entry. */
async function followup(name: string, body: string) {
  const ticketId = freshTicketId();
  await fixture.aws.putTicket({ id: ticketId, status: 'open', submitter: 'alice@example.com' });
  const messageId = newMessageId(name);
  const report = await fixture.gateway.deliver(`${name}.eml`, composeMail({ messageId, subject: `Re: [support-${ticketId}] printer`, body }));
  expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });
  return { ticketId, entry: await fixture.aws.ledgerEntry(bare(messageId)) };
}

/** Delivers a mail that opens a ticket and answers the ticket. */
async function opened(name: string, mail: string) {
  const report = await fixture.gateway.deliver(`${name}.eml`, mail);
  expect(report.outcome).toMatchObject({ kind: 'created' });
  return fixture.aws.ticket(report.outcome.kind === 'created' ? report.outcome.ticketId : -1);
}

describe("a follow-up's text", () => {
  it('stays in the ledger entry at exactly 64 KiB', async () => {
    const { body, text } = textOf(64 * 1024);
    const { entry } = await followup('inline-64k', body);
    expect(Buffer.byteLength(String(entry?.body))).toBe(64 * 1024);
    expect(entry?.body).toBe(text);
    expect(entry?.bodyKey).toBeUndefined();
  });

  it('goes to S3 beside the attachments at one byte over 64 KiB', async () => {
    const { body, text } = textOf(64 * 1024 + 1);
    const { ticketId, entry } = await followup('s3-64k', body);
    expect(entry?.body).toBeUndefined();
    expect(entry?.bodyKey).toBe(`attachments/${ticketId}/${String(entry?.followupId)}/body.txt`);
    expect((await fixture.aws.objectBytes(String(entry?.bodyKey))).toString('utf8')).toBe(text);
  });

  it('keeps a reply part over 16 KiB cut, marked where it was cut', async () => {
    const { body } = textOf(20 * 1024);
    const { entry } = await followup('long-reply', body);
    const reply = String(entry?.reply);
    expect(reply.endsWith(' […]')).toBe(true);
    expect(Buffer.byteLength(reply)).toBeLessThanOrEqual(16 * 1024);
    expect(Buffer.byteLength(reply)).toBeGreaterThan(16 * 1024 - 100);
    expect(body.startsWith(reply.slice(0, -' […]'.length))).toBe(true);
    expect(entry?.body).toBe(`${body}\n`);
  });
});

describe("a new ticket's title and description", () => {
  it('is titled (no subject) when the subject is empty', async () => {
    const ticket = await opened('empty-subject', composeMail({ subject: '' }));
    expect(ticket?.title).toBe('(no subject)');
  });

  it('is titled (no subject) when the subject is white space only', async () => {
    // Three spaces, as an encoded word: the parser keeps them (an unencoded value would be trimmed).
    const ticket = await opened('blank-subject', composeMail({ subject: '=?UTF-8?B?ICAg?=' }));
    expect(ticket?.title).toBe('(no subject)');
  });

  it('describes the ticket with the first 32 KiB of a longer text', async () => {
    const { body, text } = textOf(40 * 1024);
    const ticket = await opened('long-description', composeMail({ subject: 'Long story', body }));
    expect(ticket?.description).toBe(text.slice(0, 32 * 1024));
  });
});

describe('a ticket opened from an agent\'s forward', () => {
  it('lists the other people the agent copied as CCs, but not the customer it is opened for', async () => {
    const [forward] = FORWARD_CASES;
    if (!forward) throw new Error('no forward case');
    const messageId = newMessageId('fwd-cc');
    const mail = composeMail({ messageId, from: 'Tess Agent <tess@staff.example.com>', cc: `Dan Customer <${forward.original.from}>, rob@example.org`, subject: forward.subject, body: forward.text });
    const ticket = await opened('fwd-cc', mail);
    expect(ticket).toMatchObject({ submitter: forward.original.from, forwardedBy: 'tess@staff.example.com' });
    expect(ticket?.cc).toEqual(['rob@example.org']);
  });
});

describe('a ticket finished from an interrupted creation', () => {
  it('has an empty submitter when its mail names none', async () => {
    // An earlier attempt reserved the id and claimed the mail (as an earlier version did for mail
    // without a usable From); the mail's From names two mailboxes and no Sender says who sent it.
    const ticketId = freshTicketId();
    const messageId = newMessageId('no-submitter');
    const key = `inbound/no-submitter-${ticketId}.eml`;
    const event = await fixture.gateway.store(key, composeMail({ messageId, from: 'a@example.org, b@example.org', subject: 'claimed' }));
    await fixture.aws.db.send(
      new PutCommand({
        TableName: fixture.gateway.stack.names.messagesTable,
        Item: {
          messageKey: bare(messageId), direction: 'inbound', state: 'pending', ticketId, queue: 'support',
          bucket: fixture.gateway.stack.names.bucket, key, subject: 'claimed',
          receivedAt: '2026-11-26T08:12:00.000Z', recordedAt: '2026-11-26T08:12:01.000Z',
        },
      }),
    );
    const result = await fixture.gateway.handler(event);
    expect('mails' in result && result.mails[0]?.outcome).toMatchObject({ kind: 'created', ticketId });
    expect(await fixture.aws.ticket(ticketId)).toMatchObject({ title: 'claimed', submitter: '' });
  });
});
