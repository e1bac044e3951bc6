/**
 * The plan stage (lib/pipeline/plan.ts), run in this process through createMailProcessor over the
 * real AWS adapters against the embedded stack (dynalite, s3rver). Pins what the plan decides from
 * the header block where the other suites do not look: the ledger key of a mail claiming one of the
 * helpdesk's own Message-IDs, a HELO that could have written into SES's Authentication-Results,
 * a reply-token-shaped recipient while signed reply addresses are off, what a dry run
 * (`npm run inspect`) reports as looked up for a redelivery and for mail the screening set aside,
 * and the claim of a new ticket's key: a replay replacing its own skip, a resumed claim that
 * reserves no second id, a copy of a mail without Message-ID that is a duplicate at once, and the
 * claim that finds the key taken between the prefetch and the claim.
 *
 * Where a race or a crash is needed, a port is wrapped, never faked: the prefetcher's real answer
 * is returned only after another attempt ran to its end (the interleaving of two concurrent
 * attempts, made deterministic), and a ticket write that never answers stands for an attempt that
 * died after its claim (as in sender-notices.test.ts). The data always comes from the emulators.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TICKET_COUNTER_ID } from '../../lib/adapters/dynamodb-ticket-store.js';
import { loadConfig } from '../../lib/config.js';
import { readOnlyPipelineContext } from '../../lib/inspect/inspect-context.js';
import { inspectMail } from '../../lib/inspect/inspect-mail.js';
import type { MailLocation } from '../../lib/ledger-entry.js';
import { objectKeyOf } from '../../lib/ledger-outcomes.js';
import { createMailProcessor, type MailProcessor, type PipelineDeps } from '../../lib/pipeline/index.js';
import type { Prefetcher } from '../../lib/ports.js';
import { mintReplyAddress, type ReplyTokenKeys } from '../../lib/screening/reply-token.js';
import { useGateway } from '../helpers/gateway.js';
import { freshTicketId } from '../helpers/local-aws.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { dyingAtTicketWrite, useStageRun } from '../helpers/stage-run.js';

const MAILBOXES = 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create';
const fixture = useGateway({ mode: 'update-only', env: { MAILBOXES } });
const run = useStageRun(fixture);

/** A sender address no other test uses. */
const newSender = (label: string) => `${label}-${randomBytes(4).toString('hex')}@customer.example`;

/**
 * Deps whose prefetch answers what it read only after `meanwhile` ran (once): another attempt
 * that commits between this attempt's prefetch and its claim.
 */
function prefetchingBefore(deps: PipelineDeps, meanwhile: () => Promise<unknown>): PipelineDeps {
  let ran = false;
  const prefetcher: Prefetcher = {
    prefetch: async (request) => {
      const found = await deps.prefetcher.prefetch(request);
      if (!ran) {
        ran = true;
        await meanwhile();
      }
      return found;
    },
  };
  return { ...deps, prefetcher };
}

describe('the ledger key', () => {
  it('files a mail claiming a Message-ID in the helpdesk\'s own domain under its object, leaving the Message-ID free', async () => {
    const messageId = `<notification-${randomBytes(4).toString('hex')}@helpdesk.example>`;
    const location = await run.store('own-domain', composeMail({ messageId, subject: 'no tag here' }));
    const report = await createMailProcessor(run.deps())(location);

    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.messageId).toBe(bare(messageId));
    expect(await fixture.aws.ledgerEntriesOf(location.key)).toEqual([
      expect.objectContaining({ messageKey: objectKeyOf(location, 'object'), messageId: bare(messageId), state: 'skipped' }),
    ]);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toBeUndefined();
  });
});

describe('the sender', () => {
  it('is not authenticated when the HELO in SES\'s Received holds "=": SES\'s results could carry clauses the sender wrote', async () => {
    const sender = newSender('helo');
    const ticketId = freshTicketId();
    await fixture.aws.putTicket({ id: ticketId, status: 'open', submitter: sender });
    // SES's own Received (so the simulated receipt adds none), with a HELO of the sender's choosing.
    const received = `Received: from helo=x (mail.customer.example [192.0.2.7]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id helo${ticketId} for support@helpdesk.example; Thu, 26 Nov 2026 08:12:00 +0000`;
    const location = await run.store('helo', composeMail({ from: sender, subject: `Re: [support-${ticketId}] printer`, headers: [received] }));
    const report = await createMailProcessor(run.deps())(location);

    // The submitter wrote, and SES's (simulated) results say dmarc=pass: only the HELO refuses it.
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'sender-unverified', ticketId });
    expect(report.outcome.kind === 'skipped' ? report.outcome.detail : '').toContain('the HELO SES recorded (helo=x');
    expect(await fixture.aws.followups(ticketId)).toEqual([]);
  });
});

describe('signed reply addresses, switched off', () => {
  it('reads a recipient shaped like a reply token as an ordinary address: no bad-reply-token skip', async () => {
    const location = await run.store('token-off', composeMail({ to: 'support+42.0123456789abcdef@helpdesk.example', subject: 'no tag here' }));
    const report = await createMailProcessor(run.deps())(location);
    expect(report.outcome).toEqual({ kind: 'skipped', reason: 'no-ticket-ref', detail: 'update-only mailbox support@helpdesk.example: the mail names no ticket' });
  });
});

describe('what a dry run reports as looked up', () => {
  const inspect = (location: MailLocation) => inspectMail(readOnlyPipelineContext(loadConfig(process.env), run.clients, null), location);

  it('follows no reference of a mail the ledger already holds: a redelivery names its subject tag but looks up no ticket', async () => {
    const sender = newSender('redelivery');
    const ticketId = freshTicketId();
    await fixture.aws.putTicket({ id: ticketId, status: 'open', submitter: sender });
    const location = await run.store('inspect-redelivery', composeMail({ from: sender, subject: `Re: [support-${ticketId}] again` }));
    expect((await createMailProcessor(run.deps())(location)).outcome).toMatchObject({ kind: 'followup', ticketId });

    const inspection = await inspect(location);
    expect(inspection.ledger).toEqual({ kind: 'same-object', state: 'final' });
    expect(inspection.references?.subjectTag).toMatchObject({ ticketId });
    expect(inspection.references?.found).toEqual([]);
  });

  it('looks up no thread, subject tag or reply token for mail the screening set aside', async () => {
    // Every clue a mail can carry, each one real: a thread, the tag of an existing ticket, and a
    // reply address signed with the keys the dry run verifies with.
    const sender = newSender('settled');
    const ticketId = freshTicketId();
    await fixture.aws.putTicket({ id: ticketId, status: 'open', submitter: sender });
    const keys: ReplyTokenKeys = { current: randomBytes(32), previous: null };
    const replyAddress = mintReplyAddress('support@helpdesk.example', ticketId, keys);
    const thread = { inReplyTo: '<earlier@customer.example>', references: '<first@customer.example> <earlier@customer.example>' };
    const fields = { from: sender, to: replyAddress, subject: `Re: [support-${ticketId}] printer`, ...thread };
    const inspectWithKeys = (location: MailLocation) => inspectMail(readOnlyPipelineContext(loadConfig(process.env), run.clients, keys), location);

    // The same mail but for its Auto-Submitted: nothing sets it aside, and each clue is found (so
    // each `null` below is the screening's doing).
    const kept = await inspectWithKeys(await run.store('inspect-unsettled', composeMail(fields)));
    expect(kept.screening?.result).toBeNull();
    expect(kept.references).toMatchObject({
      threadIds: ['earlier@customer.example', 'first@customer.example'],
      subjectTag: { ticketId },
      replyToken: { address: replyAddress, ticketId, valid: true },
    });

    const settled = await inspectWithKeys(await run.store('inspect-settled', composeMail({ ...fields, headers: ['Auto-Submitted: auto-replied'] })));
    expect(settled.screening?.result).toMatchObject({ reason: 'auto-reply' });
    expect(settled.references).toMatchObject({ threadIds: [], subjectTag: null, replyToken: null, found: [] });
  });
});

describe('claiming the key of a new ticket', () => {
  it('lets a replay replace its own skip with the claim, and opens the ticket', async () => {
    const messageId = newMessageId('replay-create');
    const location = await run.store('replay-create', composeMail({ messageId, to: 'new@helpdesk.example', subject: 'please open' }));
    // Skipped while new@ was still an update-only mailbox …
    const updateOnly = createMailProcessor(run.deps({ MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:update-only' }));
    expect((await updateOnly(location)).outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });

    // … and replayed once it opens tickets.
    const report = await createMailProcessor(run.deps())(location, undefined, { replay: true });
    expect(report).toMatchObject({ redelivered: false, outcome: { kind: 'created' } });
    const ticketId = report.outcome.kind === 'created' ? report.outcome.ticketId : null;
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', outcome: 'created', ticketId, key: location.key });
    expect((await fixture.aws.ticketsOpenedBy(bare(messageId))).map((t) => t.id)).toEqual([ticketId]);
  });

  it('resumes a claim its object left pending with the claimed id, reserving no other', async () => {
    // A tickets table of this test's own: its id counter moves only for this mail.
    const table = await fixture.aws.freshTicketsTable('plan-resume');
    const env = { TICKETS_TABLE: table };
    const messageId = newMessageId('resume');
    const location = await run.store('resume', composeMail({ messageId, to: 'new@helpdesk.example', subject: 'opened after a crash' }));
    const dying = dyingAtTicketWrite(run.deps(env));
    void createMailProcessor(dying.deps)(location); // never settles: the attempt "dies" before writing the ticket
    await expect.poll(dying.reached).toBe(true);
    const claim = await fixture.aws.ledgerEntry(bare(messageId));
    expect(claim).toMatchObject({ state: 'pending', key: location.key });
    const claimed = Number(claim?.ticketId);

    const report = await createMailProcessor(run.deps(env))(location);
    expect(report.outcome).toMatchObject({ kind: 'created', ticketId: claimed });
    const counter = await fixture.aws.db.send(new GetCommand({ TableName: table, Key: { id: TICKET_COUNTER_ID }, ConsistentRead: true }));
    expect(counter.Item?.lastTicketId).toBe(claimed);
  });

  it('takes a copy of a mail without Message-ID as a duplicate at once, while the first copy\'s ticket is still being opened: its key is its content', async () => {
    const raw = composeMail({ messageId: null, to: 'new@helpdesk.example', subject: `no Message-ID ${randomBytes(4).toString('hex')}` });
    const first = await run.store('hash-first', raw);
    const second = await run.store('hash-second', raw);
    const dying = dyingAtTicketWrite(run.deps());
    void createMailProcessor(dying.deps)(first); // its claim stays pending
    await expect.poll(dying.reached).toBe(true);

    const report = await createMailProcessor(run.deps())(second);
    expect(report.outcome).toEqual({ kind: 'skipped', reason: 'duplicate', detail: `this Message-ID was already handled from ${first.key}` });
    expect(await fixture.aws.ledgerEntriesOf(second.key)).toEqual([expect.objectContaining({ messageKey: objectKeyOf(second, 'duplicate'), reason: 'duplicate' })]);
  });

  it('reports a redelivery when an attempt at the same object recorded it between the prefetch and the claim', async () => {
    const messageId = newMessageId('same-object-race');
    const location = await run.store('same-object-race', composeMail({ messageId, to: 'new@helpdesk.example', subject: 'during a deploy' }));
    // The other attempt runs the configuration being replaced, where new@ opened no tickets: it
    // records a skip of this very object under the Message-ID.
    const previous = createMailProcessor(run.deps({ MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:update-only' }));
    let other: Awaited<ReturnType<MailProcessor>> | undefined;
    const racing = createMailProcessor(prefetchingBefore(run.deps(), async () => (other = await previous(location))));

    const report = await racing(location);
    expect(other?.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report).toMatchObject({ redelivered: true, outcome: { kind: 'skipped', reason: 'no-ticket-ref' } });
    expect(await fixture.aws.ledgerEntriesOf(location.key)).toEqual([expect.objectContaining({ messageKey: bare(messageId), state: 'skipped', reason: 'no-ticket-ref' })]);
    expect(await fixture.aws.ticketsOpenedBy(bare(messageId))).toEqual([]);
  });

  it('records a duplicate naming the other stored copy that claimed the Message-ID between the prefetch and the claim', async () => {
    const messageId = newMessageId('other-object-race');
    const raw = composeMail({ messageId, to: 'new@helpdesk.example', subject: 'stored twice' });
    const winner = await run.store('other-object-race-a', raw);
    const loser = await run.store('other-object-race-b', raw);
    let other: Awaited<ReturnType<MailProcessor>> | undefined;
    const racing = createMailProcessor(prefetchingBefore(run.deps(), async () => (other = await createMailProcessor(run.deps())(winner))));

    const report = await racing(loser);
    expect(other?.outcome).toMatchObject({ kind: 'created' });
    const detail = `this Message-ID was just claimed by ${winner.key}`;
    expect(report.outcome).toEqual({ kind: 'skipped', reason: 'duplicate', detail });
    expect(await fixture.aws.ledgerEntriesOf(loser.key)).toEqual([expect.objectContaining({ messageKey: objectKeyOf(loser, 'duplicate'), reason: 'duplicate', detail })]);
    expect(await fixture.aws.ticketsOpenedBy(bare(messageId))).toHaveLength(1);
  });
});
