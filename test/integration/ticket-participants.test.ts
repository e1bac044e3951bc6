/**
 * Who a follow-up adds to its ticket's CC list (lib/pipeline/ticket-participants.ts), through the
 * pipeline over the real adapters against dynalite and s3rver, each test with the configuration it
 * names. Pins what mutation testing left unpinned:
 * - the helpdesk's own addresses never become CCs: a mailbox and its signed reply addresses even
 *   where every address at the helpdesk's domain is an agent's; any other non-agent address at a
 *   mailbox's domain (noreply@); while an agent at that domain and a customer elsewhere do;
 * - SENDER_AUTHENTICATION=off lets a sender SES did not authenticate add CCs;
 * - a mail that names nobody new records no `ccAdded`;
 * - a CC list the gateway cannot read back as written (one holding a non-string) is tried three
 *   times, then the follow-up is applied without CCs and records none. Replacing it is counted
 *   through a wrapper of the real DynamoDB ticket store (the port, not the AWS client): no server
 *   tells how often it was asked.
 */
import { describe, expect, it } from 'vitest';
import { createMailProcessor } from '../../lib/pipeline/index.js';
import type { TicketStore } from '../../lib/ports.js';
import { useGateway } from '../helpers/gateway.js';
import { freshTicketId } from '../helpers/local-aws.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { useStageRun } from '../helpers/stage-run.js';

const fixture = useGateway({ mode: 'update-only' });
const run = useStageRun(fixture);

/** SES's verdict on a From it could not authenticate (example.com publishes no DMARC policy). */
const FAILED_AUTHENTICATION = 'Authentication-Results: amazonses.com; spf=fail (spfCheck: domain of example.com does not designate 192.0.2.9 as permitted sender) client-ip=192.0.2.9; envelope-from=alice@example.com; helo=mx.example.com; dkim=none header.i=@example.com; dmarc=none header.from=example.com;';

/** A ticket of the test's own, submitted by alice@example.com, and a reply from her to it. */
async function replyToOwnTicket(name: string, fields: { cc?: string; to?: string; headers?: string[] }, cc: string[] = []) {
  const ticketId = freshTicketId();
  await fixture.aws.putTicket({ id: ticketId, status: 'open', submitter: 'alice@example.com', cc });
  const messageId = newMessageId(name);
  const mail = composeMail({ messageId, from: 'Alice <alice@example.com>', subject: `Re: [support-${ticketId}] Printer jams`, body: 'More people who use it.', ...fields });
  return { ticketId, messageId, mail };
}

describe('the helpdesk\'s own addresses', () => {
  it('never become CCs, a mailbox and its reply address included, even where every address at its domain is an agent\'s', async () => {
    const { ticketId, messageId, mail } = await replyToOwnTicket('own-agents', {
      cc: 'support@helpdesk.example, support+42.abcdef@helpdesk.example, tess@helpdesk.example, rob@example.org',
    });
    const report = await createMailProcessor(run.deps({ AGENT_ADDRESSES: '@helpdesk.example' }))(await run.store('own-agents', mail));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });
    expect((await fixture.aws.ticket(ticketId))?.cc).toEqual(['tess@helpdesk.example', 'rob@example.org']);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ ccAdded: ['tess@helpdesk.example', 'rob@example.org'] });
  });

  it('include any other address at a mailbox\'s domain, unless it is an agent\'s', async () => {
    const { ticketId, mail } = await replyToOwnTicket('own-domain', { cc: 'noreply@helpdesk.example, tess@helpdesk.example, rob@example.org' });
    const report = await createMailProcessor(run.deps({ AGENT_ADDRESSES: 'tess@helpdesk.example' }))(await run.store('own-domain', mail));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });
    expect((await fixture.aws.ticket(ticketId))?.cc).toEqual(['tess@helpdesk.example', 'rob@example.org']);
  });
});

describe('who may add CCs', () => {
  it('is any participant when SENDER_AUTHENTICATION=off, authenticated or not', async () => {
    const { ticketId, messageId, mail } = await replyToOwnTicket('auth-off', { cc: 'rob@example.org', headers: [FAILED_AUTHENTICATION] });
    const report = await createMailProcessor(run.deps({ SENDER_AUTHENTICATION: 'off' }))(await run.store('auth-off', mail));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });
    expect((await fixture.aws.ticket(ticketId))?.cc).toEqual(['rob@example.org']);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ ccAdded: ['rob@example.org'] });
  });
});

describe('a follow-up that adds nobody', () => {
  it('records no ccAdded when the mail names no one new', async () => {
    const { ticketId, messageId, mail } = await replyToOwnTicket('nobody-new', { cc: 'bob@example.com' }, ['bob@example.com']);
    const report = await createMailProcessor(run.deps())(await run.store('nobody-new', mail));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });
    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry).toMatchObject({ state: 'applied', ticketId });
    expect(entry?.ccAdded).toBeUndefined();
    expect((await fixture.aws.ticket(ticketId))?.cc).toEqual(['bob@example.com']);
  });

  it('gives up after three tries on a CC list it cannot read back, and applies the follow-up without CCs', async () => {
    const ticketId = freshTicketId();
    const messageId = newMessageId('unreadable-cc');
    // A list the helpdesk's database holds but the gateway reads without its number: the
    // replacement's condition on the list as read never holds.
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await fixture.aws.db.send(
      new PutCommand({
        TableName: fixture.gateway.stack.names.ticketsTable,
        Item: { id: ticketId, queue: 'support', status: 'open', title: 'Printer jams', submitter: 'alice@example.com', cc: ['bob@example.com', 7] },
      }),
    );
    const deps = run.deps();
    const real = deps.tickets;
    let replaceCalls = 0;
    const counting: TicketStore = new Proxy(real, {
      get(target, property, receiver) {
        if (property === 'replaceCc') {
          return (...args: Parameters<TicketStore['replaceCc']>) => {
            replaceCalls += 1;
            return target.replaceCc(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const mail = composeMail({ messageId, from: 'alice@example.com', cc: 'rob@example.org', subject: `Re: [support-${ticketId}] Printer jams`, body: 'Copying Rob.' });
    const report = await createMailProcessor({ ...deps, tickets: counting })(await run.store('unreadable-cc', mail));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });
    expect(replaceCalls).toBe(3);
    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry).toMatchObject({ state: 'applied', ticketId });
    expect(entry?.ccAdded).toBeUndefined();
    expect((await fixture.aws.ticket(ticketId))?.cc).toEqual(['bob@example.com', 7]);
  });
});
