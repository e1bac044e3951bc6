/**
 * What the decision tells the operator and the agent: the exact skip details and conflict notes
 * (they are what a person reads in the ledger and the local run), and the order in which references
 * are tried. Complements decide.test.ts, which covers the decision table's rows.
 */
import { describe, expect, it } from 'vitest';
import { decideOutcome, describeReference, type DecisionInput, type ReferencedTicket } from '../../lib/decide.js';
import type { Mailbox } from '../../lib/mailbox.js';
import type { TicketReference } from '../../lib/reference/ticket-reference.js';
import type { SenderCheck } from '../../lib/screening/sender-policy.js';
import type { Ticket, TicketChain, TicketStatus } from '../../lib/ticket.js';

const updateOnly: Mailbox = { address: 'support@helpdesk.example', queue: 'support', mode: 'update-only' };
const defaultRoute: Mailbox = { address: null, queue: 'general', mode: 'update-only' };
const tag: TicketReference = { source: 'subject-tag', ticketId: 42, queue: 'support' };
const thread: TicketReference = { source: 'thread', ticketId: 42, messageId: 'first@helpdesk.example' };
const signed: TicketReference = { source: 'reply-address', ticketId: 42, address: 'support+42.abc@helpdesk.example' };

function ticket(id: number, submitter = 'alice@example.com', status: TicketStatus = 'open', mergedInto?: number): Ticket {
  return { id, queue: 'support', status, title: 't', submitter, cc: [], createdAt: '', updatedAt: '', ...(mergedInto ? { mergedInto } : {}) };
}

const found = (...tickets: [Ticket, ...Ticket[]]): TicketChain => ({ kind: 'found', tickets });

function input(overrides: Partial<DecisionInput>): DecisionInput {
  return { prior: { kind: 'none' }, empty: false, mailbox: updateOnly, references: [], ...overrides };
}

const strict = (sender: string | null, authenticated = true): SenderCheck => ({
  policy: 'strict',
  authentication: 'required',
  sender,
  authenticated,
  authenticationDetail: authenticated ? 'dmarc=pass' : 'dmarc=none, no aligned dkim or spf',
  agents: { addresses: new Set<string>(), domains: new Set<string>() },
  canonicalParticipant: (address) => address.toLowerCase(),
});

const detailOf = (decision: ReturnType<typeof decideOutcome>): string => (decision.kind === 'skip' ? decision.detail : `not a skip: ${decision.kind}`);

describe('describeReference', () => {
  it('names each kind of reference as the operator knows it', () => {
    expect(describeReference(thread)).toBe('thread reply to first@helpdesk.example (ticket 42)');
    expect(describeReference(signed)).toBe('reply address support+42.abc@helpdesk.example');
    expect(describeReference({ ...tag, queue: 'billing', ticketId: 7 })).toBe('subject tag [billing-7]');
  });
});

describe('decideOutcome: skip details', () => {
  it('names the first copy of a duplicate Message-ID', () => {
    expect(detailOf(decideOutcome(input({ prior: { kind: 'other-object', key: 'inbound/abc' } })))).toBe('this Message-ID was already handled from inbound/abc');
  });

  it('says an empty mail has no header section', () => {
    expect(detailOf(decideOutcome(input({ empty: true })))).toBe('the mail has no header section');
  });

  it('names the reply address and ticket of a bad signature', () => {
    const decision = decideOutcome(input({ badReplyToken: { address: 'support+9.0000@helpdesk.example', ticketId: 9 } }));
    expect(detailOf(decision)).toBe('the signature of reply address support+9.0000@helpdesk.example does not match ticket 9');
  });

  it('says no recipient is a configured mailbox', () => {
    expect(detailOf(decideOutcome(input({ mailbox: null })))).toBe('no recipient is a configured mailbox');
  });

  it('names the create mailbox by its address, or by its queue on the default route', () => {
    const noSubmitter = 'no From header';
    expect(detailOf(decideOutcome(input({ mailbox: { ...updateOnly, mode: 'create' }, noSubmitter })))).toBe('create mailbox support@helpdesk.example: no From header');
    expect(detailOf(decideOutcome(input({ mailbox: { ...defaultRoute, mode: 'create' }, noSubmitter })))).toBe('create mailbox general: no From header');
  });

  it('names the update-only mailbox by its address, or the default queue', () => {
    expect(detailOf(decideOutcome(input({})))).toBe('update-only mailbox support@helpdesk.example: the mail names no ticket');
    expect(detailOf(decideOutcome(input({ mailbox: defaultRoute })))).toBe('update-only mailbox the default queue general: the mail names no ticket');
  });

  it('says which ticket is missing, and through which reference', () => {
    const decision = decideOutcome(input({ references: [{ reference: thread, chain: { kind: 'missing', ticketId: 42, via: [] } }] }));
    expect(decision).toEqual({ kind: 'skip', reason: 'ticket-not-found', ticketId: 42, detail: 'thread reply to first@helpdesk.example (ticket 42): ticket 42 does not exist' });
  });

  it('says into which missing ticket a referenced ticket was merged', () => {
    const chain: TicketChain = { kind: 'missing', ticketId: 50, via: [ticket(42, 'a@x', 'duplicate', 50)] };
    expect(detailOf(decideOutcome(input({ references: [{ reference: tag, chain }] })))).toBe('subject tag [support-42]: merged into ticket 50, which does not exist');
  });

  it('lists the tickets of a merge loop in order', () => {
    const chain: TicketChain = { kind: 'loop', via: [ticket(42, 'a@x', 'duplicate', 43), ticket(43, 'a@x', 'duplicate', 44), ticket(44, 'a@x', 'duplicate', 42)] };
    expect(detailOf(decideOutcome(input({ references: [{ reference: tag, chain }] })))).toBe('subject tag [support-42]: merge chain loops (42 → 43 → 44)');
  });

  it('skips a signed reply address whose ticket is missing as ticket-not-found, not as a follow-up', () => {
    const decision = decideOutcome(input({ references: [{ reference: signed, chain: { kind: 'missing', ticketId: 42, via: [] } }] }));
    expect(decision).toEqual({ kind: 'skip', reason: 'ticket-not-found', ticketId: 42, detail: 'reply address support+42.abc@helpdesk.example: ticket 42 does not exist' });
  });

  it('names the stranger and every reference it used', () => {
    const references: ReferencedTicket[] = [
      { reference: tag, chain: found(ticket(42)) },
      { reference: { ...thread, ticketId: 43 }, chain: found(ticket(43)) },
    ];
    const decision = decideOutcome(input({ references, senders: strict('mallory@example.org') }));
    expect(decision).toEqual({
      kind: 'skip',
      reason: 'sender-not-allowed',
      ticketId: 42,
      detail: 'mallory@example.org is not a participant of the ticket it reached by subject tag [support-42] and thread reply to first@helpdesk.example (ticket 43)',
    });
  });

  it('calls a sender without a usable From what it is', () => {
    const decision = decideOutcome(input({ references: [{ reference: tag, chain: found(ticket(42)) }], senders: strict(null) }));
    expect(detailOf(decision)).toBe('a mail without a usable From address is not a participant of the ticket it reached by subject tag [support-42]');
  });

  it('names the participant SES did not authenticate, and why', () => {
    const decision = decideOutcome(input({ references: [{ reference: tag, chain: found(ticket(42)) }], senders: strict('alice@example.com', false) }));
    expect(detailOf(decision)).toBe('alice@example.com is a participant of ticket 42, but SES did not authenticate the From: dmarc=none, no aligned dkim or spf');
  });
});

describe('decideOutcome: which reference is tried first', () => {
  const both = (first: ReferencedTicket, second: ReferencedTicket) => [first, second];
  const tagged: ReferencedTicket = { reference: { ...tag, ticketId: 43 }, chain: found(ticket(43)) };
  const threaded: ReferencedTicket = { reference: thread, chain: found(ticket(42)) };

  it('takes the subject tag over the thread when the sender may write in both, whatever their order', () => {
    for (const references of [both(threaded, tagged), both(tagged, threaded)]) {
      const decision = decideOutcome(input({ references, senders: strict('alice@example.com') }));
      expect(decision).toMatchObject({ kind: 'followup', ticket: { id: 43 }, reference: tagged.reference });
      expect(decision.kind === 'followup' && decision.conflict).toBe(
        'references disagree (subject tag [support-43] → ticket 43; thread reply to first@helpdesk.example (ticket 42) → ticket 42): took ticket 43, where the sender may write',
      );
    }
  });

  it('names every merged ticket passed through, in order, and none for a direct hit', () => {
    const chain = found(ticket(44, 'alice@example.com', 'duplicate', 43), ticket(43, 'alice@example.com', 'duplicate', 42), ticket(42));
    const decision = decideOutcome(input({ references: [{ reference: tag, chain }] }));
    expect(decision).toMatchObject({ kind: 'followup', ticket: { id: 42 }, mergedFrom: [44, 43], conflict: null });
  });
});
