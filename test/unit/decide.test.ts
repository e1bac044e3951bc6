import { describe, expect, it } from 'vitest';
import { decideOutcome, type DecisionInput } from '../../lib/decide.js';
import type { Mailbox } from '../../lib/mailbox.js';
import type { TicketReference } from '../../lib/reference/ticket-reference.js';
import type { Ticket, TicketStatus } from '../../lib/ticket.js';

const updateOnly: Mailbox = { address: 'support@helpdesk.example', queue: 'support', mode: 'update-only' };
const createMode: Mailbox = { ...updateOnly, mode: 'create' };
const tag: TicketReference = { source: 'subject-tag', ticketId: 42, queue: 'support' };

function ticket(id: number, status: TicketStatus = 'open', mergedInto?: number): Ticket {
  return { id, queue: 'support', status, title: 't', submitter: 'a@x', cc: [], createdAt: '', updatedAt: '', ...(mergedInto ? { mergedInto } : {}) };
}

function input(overrides: Partial<DecisionInput>): DecisionInput {
  return { prior: { kind: 'none' }, empty: false, mailbox: updateOnly, reference: null, chain: null, ...overrides };
}

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
    const strict = { policy: 'strict' as const, sender: 'mallory@example.org', agents: { addresses: new Set<string>(), domains: new Set<string>() } };

    it('skips a screened mail with the screening reason before looking at its ticket', () => {
      const decision = decideOutcome(input({ screening: { reason: 'auto-reply', detail: 'Precedence: bulk' }, reference: tag, chain: { kind: 'found', tickets: [ticket(42)] } }));
      expect(decision).toEqual({ kind: 'skip', reason: 'auto-reply', detail: 'Precedence: bulk' });
    });

    it('skips mail to a reply address with a bad signature, naming the ticket', () => {
      expect(decideOutcome(input({ badReplyToken: { address: 'support+42.0000000000000000@x', ticketId: 42 } }))).toMatchObject({ kind: 'skip', reason: 'bad-reply-token', ticketId: 42 });
    });

    it('refuses a stranger who reaches a ticket only by its subject tag, under the strict policy', () => {
      const chain = { kind: 'found' as const, tickets: [ticket(42)] as [Ticket, ...Ticket[]] };
      expect(decideOutcome(input({ reference: tag, chain, senders: strict }))).toMatchObject({ kind: 'skip', reason: 'sender-not-allowed', ticketId: 42 });
      expect(decideOutcome(input({ reference: tag, chain, senders: { ...strict, policy: 'open' } })).kind).toBe('followup');
      expect(decideOutcome(input({ reference: tag, chain, senders: { ...strict, sender: 'a@x' } })).kind).toBe('followup');
    });

    it('lets a thread reply or a signed reply address through from anyone', () => {
      const chain = { kind: 'found' as const, tickets: [ticket(42)] as [Ticket, ...Ticket[]] };
      const thread: TicketReference = { source: 'thread', ticketId: 42, messageId: 'n@x' };
      const signed: TicketReference = { source: 'reply-address', ticketId: 42, address: 'support+42.abc@x' };
      expect(decideOutcome(input({ reference: thread, chain, senders: strict })).kind).toBe('followup');
      expect(decideOutcome(input({ reference: signed, chain, senders: strict })).kind).toBe('followup');
    });
  });
});
