/**
 * What a follow-up stores besides its text (issue 12, points 3 and 4), through the real handler
 * against dynalite and s3rver: the HTML, sanitized, beside the attachments; inline images with
 * their Content-ID; and the mail's Cc and To addresses added to the ticket's CC list.
 */
import { describe, expect, it } from 'vitest';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway();

/** A 1×1 PNG. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('a follow-up with HTML', () => {
  it('stores the HTML sanitized at body.html, and marks the image its cid: shows as inline', async () => {
    const messageId = newMessageId('html');
    const raw = await composeMime({
      from: 'Alice Example <alice@example.com>',
      to: 'support@helpdesk.example',
      subject: 'Re: [support-42] Printer jams',
      messageId,
      date: new Date('2026-11-26T09:12:00Z'),
      text: 'The panel shows this error.',
      html: '<p onclick="steal()">The panel shows <b>this</b> error:</p><img src="cid:panel@example.com" alt="panel"><script>alert(1)</script><img src="https://tracker.example/p.gif">',
      attachments: [
        { filename: 'panel.png', content: PIXEL, contentType: 'image/png', cid: 'panel@example.com' },
        { filename: 'log.txt', content: 'E42 at 09:10\n', contentType: 'text/plain' },
      ],
    });
    const report = await fixture.gateway.deliver('html.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    const htmlKey = String(entry?.htmlKey);
    expect(htmlKey).toMatch(/^attachments\/42\/[0-9a-f]{24}\/body\.html$/);
    const stored = (await fixture.aws.objectBytes(htmlKey)).toString('utf8');
    expect(stored).toContain('<b>this</b>');
    expect(stored).toContain('src="cid:panel@example.com"');
    expect(stored).not.toMatch(/script|onclick|tracker\.example/);
    expect((await fixture.aws.objectHead(htmlKey)).ContentType).toBe('text/html; charset=utf-8');
    const attachments = entry?.attachments as Record<string, unknown>[];
    expect(attachments.map((a) => [a.filename, a.contentId ?? null, a.inline ?? false])).toEqual([
      ['panel.png', 'panel@example.com', true],
      ['log.txt', null, false],
    ]);
  });

  it('keeps no HTML for a plain-text mail', async () => {
    const messageId = newMessageId('plain');
    await fixture.gateway.deliver('plain.eml', composeMail({ messageId, subject: 'Re: [support-42] Printer jams', body: 'Plain words.' }));
    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry).toMatchObject({ state: 'applied' });
    expect(entry?.htmlKey).toBeUndefined();
  });
});

describe('participants', () => {
  it('adds the Cc and the other To addresses to the ticket, once, and records them on the follow-up', async () => {
    // A ticket of this test's own: the other tests add CCs to theirs.
    await fixture.aws.putTicket({ id: 9201, status: 'open', submitter: 'alice@example.com', cc: ['bob@example.com'] });
    const messageId = newMessageId('cc');
    const mail = composeMail({
      messageId,
      subject: 'Re: [support-9201] Printer jams',
      to: 'support@helpdesk.example, Bob <BOB@example.com>, frank@example.org',
      cc: 'Gina <gina@example.org>, support+42.abcdef@helpdesk.example, alice@example.com',
      body: 'Adding Frank and Gina, who use that printer too.',
    });
    const report = await fixture.gateway.deliver('cc.eml', mail);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 9201 });
    // Bob is on the ticket already, Alice is its submitter, the other two are our own addresses.
    expect((await fixture.aws.ticket(9201))?.cc).toEqual(['bob@example.com', 'gina@example.org', 'frank@example.org']);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ ccAdded: ['gina@example.org', 'frank@example.org'] });

    // The same mail again (a second copy SES stored) adds nothing.
    const again = await fixture.gateway.deliver('cc.eml', mail);
    expect(again.outcome).toMatchObject({ kind: 'skipped', reason: 'duplicate' });
    expect((await fixture.aws.ticket(9201))?.cc).toEqual(['bob@example.com', 'gina@example.org', 'frank@example.org']);
  });

  it('lets two mails adding CCs to one ticket at once both land', async () => {
    await fixture.aws.putTicket({ id: 9202, status: 'open', submitter: 'alice@example.com', cc: ['bob@example.com'] });
    const mails = ['hank@example.org', 'iris@example.org', 'jack@example.org'].map((cc, n) =>
      composeMail({ messageId: newMessageId(`race-${n}`), subject: 'Re: [support-9202] Printer jams', cc, body: `Copying ${cc}.` }),
    );
    const reports = await Promise.all(mails.map((mail, n) => fixture.gateway.deliver(`race-${n}.eml`, mail)));
    expect(reports.map((r) => r.outcome.kind)).toEqual(['followup', 'followup', 'followup']);
    const cc = (await fixture.aws.ticket(9202))?.cc as string[];
    expect([...cc].sort()).toEqual(['bob@example.com', 'hank@example.org', 'iris@example.org', 'jack@example.org']);
  });
});
