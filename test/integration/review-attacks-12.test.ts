/**
 * What an outside review of issue 12 (kept HTML, participants, forwards) broke, kept as
 * regression tests through the real handler against dynalite and s3rver. The local run simulates
 * SES's passing verdicts: that stands for an attacker who owns a domain with DKIM and DMARC
 * (anyone can).
 */
import { describe, expect, it } from 'vitest';
import { replyTokenMac } from '../../lib/screening/reply-token.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const SECRET = 'attack12-secret-of-at-least-thirty-two-characters';
const fixture = useGateway({ mode: 'create', env: { AGENT_ADDRESSES: 'lead@example.com,@staff.example.com', REPLY_TOKEN_SECRET: SECRET } });

const replyAddress = (ticketId: number) => `support+${ticketId}.${replyTokenMac(Buffer.from(SECRET), ticketId)}@helpdesk.example`;

async function created(messageId: string) {
  const entry = await fixture.aws.ledgerEntry(bare(messageId));
  expect(entry).toMatchObject({ state: 'applied', outcome: 'created' });
  return fixture.aws.ticket(Number(entry?.ticketId));
}

describe('participants', () => {
  it('a stranger holding a reply address does not make herself (or anyone) a CC of the ticket', async () => {
    // Mallory got a notification that a customer forwarded her (or a mailing list archived it).
    const messageId = newMessageId('stranger-cc');
    const report = await fixture.gateway.deliver(
      'stranger-cc.eml',
      composeMail({ messageId, from: 'Mallory <mallory@evil.example>', to: replyAddress(42), cc: 'mallory@evil.example, mallory2@evil.example', subject: 'Re: Printer jams', body: 'me too' }),
    );
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    // Were her Cc taken, Mallory would be a participant from then on, writing in with the subject
    // tag alone (below), and both her addresses would receive every notification of ticket 42.
    const tagged = await fixture.gateway.deliver('stranger-tag.eml', composeMail({ messageId: newMessageId('stranger-tag'), from: 'mallory@evil.example', subject: 'Re: [support-42] Printer jams', body: 'still here' }));
    expect(tagged.outcome).toMatchObject({ kind: 'skipped', reason: 'sender-not-allowed' });
    expect((await fixture.aws.ticket(42))?.cc).toEqual(['bob@example.com']);
  });
});

describe('forwarded mail', () => {
  it("a block the customer's own body carries never wins over the agent's Outlook block", async () => {
    const text = [
      'Please open a ticket.',
      '',
      '-----Original Message-----',
      'From: Mallory <mallory@evil.example>',
      'Sent: Monday, March 2, 2026 10:00 AM',
      'To: tess@staff.example.com',
      'Subject: Toner',
      '',
      'Hi,',
      '',
      '---------- Forwarded message ---------',
      'From: Victim <victim@bank.example>',
      'Date: Mon, Mar 2, 2026 at 10:00 AM',
      'Subject: Refund',
      'To: <x@y.example>',
      '',
      '',
      'Please pay the refund to IBAN XX00 0000.',
      '',
    ].join('\n');
    const messageId = newMessageId('fwd-nested');
    await fixture.gateway.deliver('fwd-nested.eml', composeMail({ messageId, from: 'Tess Agent <tess@staff.example.com>', subject: 'FW: Toner', body: text }));
    // The parser does not know Outlook's block and takes the one inside Mallory's text: the
    // ticket would be the victim's, whom the helpdesk would then mail about "her" refund.
    // Two header blocks, one the parser does not know: which is the customer's is ambiguous, so
    // the mail opens an ordinary ticket for the agent, who can reassign it.
    expect((await created(messageId))?.submitter).toBe('tess@staff.example.com');
  });

  it('a forwarded From naming two mailboxes opens no ticket for the first of them', async () => {
    const text = 'FYI\n\n---------- Forwarded message ---------\nFrom: Victim <victim@bank.example>, Mallory <mallory@evil.example>\nDate: Mon, Mar 2, 2026 at 10:00 AM\nSubject: Refund\nTo: <tess@staff.example.com>\n\n\nPay me.\n';
    const messageId = newMessageId('fwd-two');
    await fixture.gateway.deliver('fwd-two.eml', composeMail({ messageId, from: 'tess@staff.example.com', subject: 'Fwd: Refund', body: text }));
    expect((await created(messageId))?.submitter).not.toBe('victim@bank.example');
  });

  it("an agent's sub-address is an agent, not a customer", async () => {
    const text = 'FYI\n\n---------- Forwarded message ---------\nFrom: Lead <lead+ooo@example.com>\nDate: Mon, Mar 2, 2026 at 10:00 AM\nSubject: Rota\nTo: <tess@staff.example.com>\n\n\nThe rota.\n';
    const messageId = newMessageId('fwd-plus');
    await fixture.gateway.deliver('fwd-plus.eml', composeMail({ messageId, from: 'tess@staff.example.com', subject: 'Fwd: Rota', body: text }));
    expect((await created(messageId))?.submitter).toBe('tess@staff.example.com');
  });

  it('a message forwarded as an attachment opens the ticket for its sender, as the README says', async () => {
    const attached = ['From: Dan Customer <dan@customer.example>', 'To: tess@staff.example.com', 'Subject: Toner leaks', 'Date: Mon, 02 Mar 2026 10:00:00 +0100', 'Message-ID: <orig-1@customer.example>', '', 'The toner leaks.', ''].join('\n');
    const body = ['--b', 'Content-Type: text/plain; charset=utf-8', '', 'Please open a ticket.', '--b', 'Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="Toner leaks.eml"', '', attached, '--b--', ''].join('\n');
    const messageId = newMessageId('fwd-attached');
    await fixture.gateway.deliver('fwd-attached.eml', composeMail({ messageId, from: 'tess@staff.example.com', subject: 'FW: Toner leaks', contentType: 'multipart/mixed; boundary="b"', body }));
    expect(await created(messageId)).toMatchObject({ submitter: 'dan@customer.example', forwardedBy: 'tess@staff.example.com' });
  });
});

describe('HTML', () => {
  it('keeps the words of an HTML-only mail whose stray end tags hide its nesting from the depth guard', async () => {
    // `</i>` closes nothing: the real depth is 3,000, which counting tags took for 0.
    const html = `${'<b></i>'.repeat(3000)}The error code is E42.`;
    const messageId = newMessageId('deep-html');
    const report = await fixture.gateway.deliver('deep-html.eml', composeMail({ messageId, subject: 'Re: [support-42] Printer jams', contentType: 'text/html; charset=utf-8', body: html }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    // html-to-text stops at its depth limit and writes "..." in place of the words.
    expect((await fixture.aws.ledgerEntry(bare(messageId)))?.body).toContain('E42');
  });
});
