import { describe, expect, it } from 'vitest';
import { decideOutcome, type DecisionInput } from '../../lib/decide.js';
import type { Mailbox } from '../../lib/mailbox.js';
import type { TicketReference } from '../../lib/reference/ticket-reference.js';
import type { SenderCheck } from '../../lib/screening/sender-policy.js';
import type { Ticket, TicketChain, TicketStatus } from '../../lib/ticket.js';

const updateOnly: Mailbox = { address: 'support@helpdesk.example', queue: 'support', mode: 'update-only' };
const createMode: Mailbox = { ...updateOnly, mode: 'create' };
const tag: TicketReference = { source: 'subject-tag', ticketId: 42, queue: 'support' };

function ticket(id: number, status: TicketStatus = 'open', mergedInto?: number): Ticket {
  return { id, queue: 'support', status, title: 't', submitter: 'a@x', cc: [], createdAt: '', updatedAt: '', ...(mergedInto ? { mergedInto } : {}) };
}

type Overrides = Partial<DecisionInput> & { reference?: TicketReference; chain?: TicketChain };

/** A decision input; `reference` + `chain` is shorthand for a single reference. */
function input({ reference, chain, ...overrides }: Overrides): DecisionInput {
  const references = reference && chain ? [{ reference, chain }] : [];
  return { prior: { kind: 'none' }, empty: false, mailbox: updateOnly, references, ...overrides };
}

const found = (...tickets: [Ticket, ...Ticket[]]): TicketChain => ({ kind: 'found', tickets });

describe('decideOutcome', () => {
  it('adds a follow-up to a referenced open ticket without reopening it', () => {
    const decision = decideOutcome(input({ reference: tag, chain: { kind: 'found', tickets: [ticket(42)] } }));
    expect(decision).toMatchObject({ kind: 'followup', reopen: false, mergedFrom: [] });
    expect(decision.kind === 'followup' && decision.ticket.id).toBe(42);
  });

  it.each(['closed', 'resolved'] as const)('reopens a %s ticket', (status) => {
    const decision = decideOutcome(input({ reference: tag, chain: { kind: 'found', tickets: [ticket(42, status)] } }));
    expect(decision).toMatchObject({ kind: 'followup', reopen: true });
  });

  it('forwards mail for a merged ticket to the ticket it was merged into', () => {
    const chain = { kind: 'found' as const, tickets: [ticket(44, 'duplicate', 43), ticket(43, 'duplicate', 42), ticket(42, 'closed')] as [Ticket, ...Ticket[]] };
    const decision = decideOutcome(input({ reference: { ...tag, ticketId: 44 }, chain }));
    expect(decision).toMatchObject({ kind: 'followup', reopen: true, mergedFrom: [44, 43] });
    expect(decision.kind === 'followup' && decision.ticket.id).toBe(42);
  });

  it('applies a follow-up to an existing ticket whatever the mailbox mode, even with no mailbox', () => {
    for (const mailbox of [updateOnly, createMode, null]) {
      expect(decideOutcome(input({ mailbox, reference: tag, chain: { kind: 'found', tickets: [ticket(42)] } })).kind).toBe('followup');
    }
  });

  describe('update-only mailbox', () => {
    it('skips mail without a ticket reference as no-ticket-ref', () => {
      expect(decideOutcome(input({}))).toMatchObject({ kind: 'skip', reason: 'no-ticket-ref' });
    });

    it('skips mail naming a missing ticket as ticket-not-found, with the id', () => {
      const decision = decideOutcome(input({ reference: tag, chain: { kind: 'missing', ticketId: 42, via: [] } }));
      expect(decision).toMatchObject({ kind: 'skip', reason: 'ticket-not-found', ticketId: 42 });
    });

    it('skips mail whose merge chain is broken or loops as ticket-not-found', () => {
      const missing = decideOutcome(input({ reference: tag, chain: { kind: 'missing', ticketId: 7, via: [ticket(42, 'duplicate', 7)] } }));
      expect(missing).toMatchObject({ kind: 'skip', reason: 'ticket-not-found' });
      expect(missing.kind === 'skip' && missing.detail).toContain('merged into ticket 7');
      const loop = decideOutcome(input({ reference: tag, chain: { kind: 'loop', via: [ticket(42, 'duplicate', 43), ticket(43, 'duplicate', 42)] } }));
      expect(loop).toMatchObject({ kind: 'skip', reason: 'ticket-not-found' });
    });
  });

  describe('create mailbox', () => {
    it('opens no ticket without a submitter: a skip with the reason it has none', () => {
      const decision = decideOutcome(input({ mailbox: createMode, noSubmitter: 'no From header, no reply-to header, no sender header' }));
      expect(decision).toMatchObject({ kind: 'skip', reason: 'no-submitter', detail: expect.stringContaining('no From header') });
      expect(decideOutcome(input({ mailbox: updateOnly, noSubmitter: 'no From header' }))).toMatchObject({ kind: 'skip', reason: 'no-ticket-ref' });
    });

    it('opens a ticket in the mailbox queue when there is no reference or the ticket is missing', () => {
      expect(decideOutcome(input({ mailbox: createMode }))).toEqual({ kind: 'create', queue: 'support', ticketId: null });
      expect(decideOutcome(input({ mailbox: createMode, reference: tag, chain: { kind: 'missing', ticketId: 42, via: [] } })).kind).toBe('create');
    });
  });

  it('skips mail that matches no mailbox as no-mailbox', () => {
    expect(decideOutcome(input({ mailbox: null }))).toMatchObject({ kind: 'skip', reason: 'no-mailbox' });
  });

  it('skips mail without headers as empty, before anything else about it', () => {
    expect(decideOutcome(input({ empty: true, mailbox: createMode }))).toMatchObject({ kind: 'skip', reason: 'empty' });
  });

  it('skips a second stored copy of a Message-ID as duplicate, before looking at tickets', () => {
    const decision = decideOutcome(input({ prior: { kind: 'other-object', key: 'inbound/first' }, reference: tag, chain: { kind: 'found', tickets: [ticket(42)] } }));
    expect(decision).toMatchObject({ kind: 'skip', reason: 'duplicate' });
  });

  it('reports a redelivery of the same object without deciding anew', () => {
    expect(decideOutcome(input({ prior: { kind: 'same-object', state: 'final' } }))).toEqual({ kind: 'redelivered' });
  });

  it('resumes an interrupted ticket creation with the claimed id and queue', () => {
    const decision = decideOutcome(input({ prior: { kind: 'same-object', state: 'pending', claim: { ticketId: 77, queue: 'billing' } }, mailbox: null }));
    expect(decision).toEqual({ kind: 'create', queue: 'billing', ticketId: 77 });
  });

  describe('mail hygiene', () => {
    const strict: SenderCheck = {
      policy: 'strict',
      authentication: 'required',
      sender: 'mallory@example.org',
      authenticated: true,
      authenticationDetail: 'dmarc=pass',
      agents: { addresses: new Set<string>(), domains: new Set<string>() },
      canonicalParticipant: (address) => address.toLowerCase(),
    };
    const thread: TicketReference = { source: 'thread', ticketId: 42, messageId: 'n@x' };
    const signed: TicketReference = { source: 'reply-address', ticketId: 42, address: 'support+42.abc@x' };

    it('skips a screened mail with the screening reason before looking at its ticket', () => {
      const decision = decideOutcome(input({ screening: { reason: 'auto-reply', detail: 'Precedence: bulk' }, reference: tag, chain: found(ticket(42)) }));
      expect(decision).toEqual({ kind: 'skip', reason: 'auto-reply', detail: 'Precedence: bulk' });
    });

    it('skips mail to a reply address with a bad signature, naming the ticket, when nothing else applies', () => {
      for (const mailbox of [updateOnly, createMode]) {
        const decision = decideOutcome(input({ mailbox, badReplyToken: { address: 'support+42.0000000000000000@x', ticketId: 42 } }));
        expect(decision).toMatchObject({ kind: 'skip', reason: 'bad-reply-token', ticketId: 42 });
      }
    });

    it('lets a valid reference of an allowed sender outrank a bad reply token (a retired secret)', () => {
      const decision = decideOutcome(input({ reference: thread, chain: found(ticket(42)), senders: { ...strict, sender: 'a@x' }, badReplyToken: { address: 'support+42.0000000000000000@x', ticketId: 42 } }));
      expect(decision).toMatchObject({ kind: 'followup', reference: thread });
    });

    it('refuses a stranger who reaches a ticket by its subject tag or by a thread reference, under the strict policy', () => {
      for (const reference of [tag, thread]) {
        expect(decideOutcome(input({ reference, chain: found(ticket(42)), senders: strict }))).toMatchObject({ kind: 'skip', reason: 'sender-not-allowed', ticketId: 42 });
        expect(decideOutcome(input({ reference, chain: found(ticket(42)), senders: { ...strict, policy: 'open' } })).kind).toBe('followup');
        expect(decideOutcome(input({ reference, chain: found(ticket(42)), senders: { ...strict, sender: 'a@x' } })).kind).toBe('followup');
      }
    });

    it('refuses a participant whose From SES did not authenticate, with a reason of its own, unless authentication is off', () => {
      const unverified = { ...strict, sender: 'a@x', authenticated: false, authenticationDetail: 'dmarc=none; spf=pass for other.example, not aligned' };
      const decision = decideOutcome(input({ reference: tag, chain: found(ticket(42)), senders: unverified }));
      expect(decision).toMatchObject({ kind: 'skip', reason: 'sender-unverified', ticketId: 42 });
      expect(decision.kind === 'skip' && decision.detail).toContain('not aligned');
      expect(decideOutcome(input({ reference: tag, chain: found(ticket(42)), senders: { ...unverified, authentication: 'off' } })).kind).toBe('followup');
    });

    it('never refuses a stranger as merely unverified: a forged From of a stranger is sender-not-allowed', () => {
      const decision = decideOutcome(input({ reference: tag, chain: found(ticket(42)), senders: { ...strict, authenticated: false } }));
      expect(decision).toMatchObject({ kind: 'skip', reason: 'sender-not-allowed' });
    });

    it('recognizes agents by address and by domain, compared in canonical form', () => {
      const agents = { addresses: new Set(['lead@example.com']), domains: new Set(['staff.example.com']) };
      for (const sender of ['lead@example.com', 'anyone@staff.example.com']) {
        expect(decideOutcome(input({ reference: tag, chain: found(ticket(42)), senders: { ...strict, sender, agents } })).kind).toBe('followup');
      }
      expect(decideOutcome(input({ reference: tag, chain: found(ticket(42)), senders: { ...strict, sender: 'x@xn--staff-.example.com', agents } })).kind).toBe('skip');
    });

    it('lets a verified signed reply address through from anyone, authenticated or not', () => {
      const decision = decideOutcome(input({ reference: signed, chain: found(ticket(42)), senders: { ...strict, authenticated: false } }));
      expect(decision).toMatchObject({ kind: 'followup', reference: signed, conflict: null });
    });

    describe('a thread and a subject tag that name different tickets', () => {
      const references = [
        { reference: thread, chain: found(ticket(42)) },
        { reference: { ...tag, ticketId: 43 } as TicketReference, chain: found({ ...ticket(43), submitter: 'carol@x' }) },
      ];

      it("takes the subject tag's ticket when the sender may write there, and records the conflict", () => {
        const decision = decideOutcome(input({ references, senders: { ...strict, sender: 'carol@x' } }));
        expect(decision).toMatchObject({ kind: 'followup', ticket: { id: 43 } });
        expect(decision.kind === 'followup' && decision.conflict).toMatch(/ticket 42.*ticket 43/);
      });

      it("takes the thread's ticket only when the sender may write there and not in the tag's, and says so", () => {
        const decision = decideOutcome(input({ references, senders: { ...strict, sender: 'a@x' } }));
        expect(decision).toMatchObject({ kind: 'followup', ticket: { id: 42 } });
        expect(decision.kind === 'followup' && decision.conflict).toContain('took ticket 42');
      });

      it('refuses a stranger to both', () => {
        expect(decideOutcome(input({ references, senders: strict }))).toMatchObject({ kind: 'skip', reason: 'sender-not-allowed' });
      });

      it('is no conflict when both lead to the same ticket through a merge', () => {
        const merged = [{ reference: thread, chain: found(ticket(42)) }, { reference: { ...tag, ticketId: 44 } as TicketReference, chain: found(ticket(44, 'duplicate', 42), ticket(42)) }];
        expect(decideOutcome(input({ references: merged, senders: { ...strict, sender: 'a@x' } }))).toMatchObject({ kind: 'followup', conflict: null });
      });
    });
  });
});
