/**
 * A create-mode mailbox opens the ticket of a mail an agent forwards for the original sender
 * (issue 12, point 6), and a new ticket's CCs come only from an authenticated sender (point 4):
 * through the real handler against dynalite and s3rver.
 */
import { describe, expect, it } from 'vitest';
import { composeMime } from '../helpers/compose.js';
import { FORWARD_CASES } from '../helpers/forward-cases.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'create', env: { AGENT_ADDRESSES: 'lead@example.com,@staff.example.com' } });

/**
 * SES's verdict on a From it could not authenticate, for a domain that publishes no DMARC policy
 * (a failing DMARC is screened out before): the local run keeps a file's own.
 */
const FAILED_AUTHENTICATION = 'Authentication-Results: amazonses.com; spf=fail (spfCheck: domain of example.org does not designate 192.0.2.9 as permitted sender) client-ip=192.0.2.9; envelope-from=mallory@example.org; helo=mx.example.org; dkim=none header.i=@example.org; dmarc=none header.from=example.org;';

async function createdTicket(messageId: string) {
  const entry = await fixture.aws.ledgerEntry(bare(messageId));
  expect(entry).toMatchObject({ state: 'applied', outcome: 'created' });
  return { entry, ticket: await fixture.aws.ticket(Number(entry?.ticketId)) };
}

describe('a mail an agent forwards', () => {
  it.each(FORWARD_CASES.map((c) => [c.client, c] as const))('%s: opens the ticket for the original sender', async (_client, forward) => {
    const messageId = newMessageId('fwd');
    await fixture.gateway.deliver('fwd.eml', composeMail({ messageId, from: 'Tess Agent <tess@staff.example.com>', subject: forward.subject, body: forward.text }));
    const { entry, ticket } = await createdTicket(messageId);
    expect(ticket).toMatchObject({ submitter: forward.original.from, title: forward.original.subject, forwardedBy: 'tess@staff.example.com' });
    expect(String(ticket?.description)).toContain(forward.original.body.split('\n')[0]);
    expect(entry?.forwardedBy).toBe('tess@staff.example.com');
  });

  it('opens an ordinary ticket for a forward from someone who is not an agent', async () => {
    const [forward] = FORWARD_CASES;
    const messageId = newMessageId('fwd-customer');
    await fixture.gateway.deliver('fwd-customer.eml', composeMail({ messageId, from: 'pia@example.org', subject: forward?.subject, body: forward?.text }));
    const { entry, ticket } = await createdTicket(messageId);
    expect(ticket).toMatchObject({ submitter: 'pia@example.org', title: forward?.subject });
    expect(ticket?.forwardedBy).toBeUndefined();
    expect(entry?.forwardedBy).toBeUndefined();
  });

  it('believes no forward from an agent address SES did not authenticate', async () => {
    const [forward] = FORWARD_CASES;
    const messageId = newMessageId('fwd-forged');
    const mail = composeMail({ messageId, from: 'lead@example.com', subject: forward?.subject, body: forward?.text, headers: [FAILED_AUTHENTICATION.replaceAll('example.org', 'example.com')] });
    await fixture.gateway.deliver('fwd-forged.eml', mail);
    const { ticket } = await createdTicket(messageId);
    expect(ticket).toMatchObject({ submitter: 'lead@example.com' });
    expect(ticket?.forwardedBy).toBeUndefined();
  });

  it('opens no ticket for an agent forwarding an agent', async () => {
    const messageId = newMessageId('fwd-agent');
    const text = 'FYI\n\n---------- Forwarded message ---------\nFrom: Lead <lead@example.com>\nDate: Mon, Mar 2, 2026 at 10:00 AM\nSubject: Rota\nTo: <tess@staff.example.com>\n\n\nThe rota for March.\n';
    await fixture.gateway.deliver('fwd-agent.eml', composeMail({ messageId, from: 'tess@staff.example.com', subject: 'Fwd: Rota', body: text }));
    const { ticket } = await createdTicket(messageId);
    expect(ticket).toMatchObject({ submitter: 'tess@staff.example.com', title: 'Fwd: Rota' });
  });
});

describe("a new ticket's CCs", () => {
  it('come from an authenticated sender', async () => {
    const messageId = newMessageId('cc-ok');
    const raw = await composeMime({ messageId, from: 'quinn@example.org', to: 'support@helpdesk.example', cc: 'rob@example.org', subject: 'Broken chair', text: 'Please fix.' });
    await fixture.gateway.deliver('cc-ok.eml', raw);
    expect((await createdTicket(messageId)).ticket?.cc).toEqual(['rob@example.org']);
  });

  it('are not taken from a sender SES did not authenticate: a forged mail cannot subscribe strangers to notifications', async () => {
    const messageId = newMessageId('cc-forged');
    const mail = composeMail({ messageId, from: 'mallory@example.org', cc: 'victim1@example.net, victim2@example.net', subject: 'Hello', headers: [FAILED_AUTHENTICATION] });
    await fixture.gateway.deliver('cc-forged.eml', mail);
    const { entry, ticket } = await createdTicket(messageId);
    expect(ticket?.cc).toEqual([]);
    expect(entry?.ccAdded).toBeUndefined();
  });
});
