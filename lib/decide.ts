/**
 * The decision: given what is known about one mail, what should happen to it. Pure — all I/O has
 * been done by the caller — so every row of the decision table is unit-tested without AWS.
 */
import type { PriorEntry } from './ledger-outcomes.js';
import type { Mailbox } from './mailbox.js';
import type { ScreeningResult } from './screening/screen.js';
import { senderStanding, type SenderCheck, type SenderStanding } from './screening/sender-policy.js';
import type { SkipReason } from './outcomes.js';
import type { TicketReference } from './reference/ticket-reference.js';
import { REOPENED_BY_MAIL, type Ticket, type TicketChain } from './ticket.js';

/** A reference the mail carries, with the ticket chain it leads to. */
export interface ReferencedTicket {
  readonly reference: TicketReference;
  readonly chain: TicketChain;
}

export interface DecisionInput {
  readonly prior: PriorEntry;
  /** The mail had no header section (or no bytes). */
  readonly empty: boolean;
  /** What the screening set the mail aside for (virus, bounce, loop, auto-reply, spam, DMARC). */
  readonly screening?: ScreeningResult | null;
  /** A signed reply address whose signature did not verify (a guess, or a retired secret). */
  readonly badReplyToken?: { readonly address: string; readonly ticketId: number } | null;
  /** Who sent the mail, and the policy on who may write into a ticket. Absent: anyone may. */
  readonly senders?: SenderCheck;
  readonly mailbox: Mailbox | null;
  /**
   * Every reference the mail carries, with its chain: a verified signed reply address, the first
   * thread hit, the subject tag (at most one of each; order does not matter).
   */
  readonly references: readonly ReferencedTicket[];
  /** Why the mail has no usable submitter (no From, Reply-To or Sender), when it has none: a new ticket needs one. */
  readonly noSubmitter?: string | null;
}

export type Decision =
  | {
      readonly kind: 'followup';
      readonly ticket: Ticket;
      readonly reopen: boolean;
      readonly reference: TicketReference;
      /** Ids of merged tickets passed through on the way to `ticket`. */
      readonly mergedFrom: readonly number[];
      /** When the thread and the subject tag named different tickets: which one was taken, and why. */
      readonly conflict: string | null;
    }
  | { readonly kind: 'create'; readonly queue: string; readonly ticketId: number | null }
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly detail: string; readonly ticketId?: number }
  /** Already handled from this object: report what the ledger says, write nothing new. */
  | { readonly kind: 'redelivered' };

type FoundTicket = ReferencedTicket & { readonly chain: Extract<TicketChain, { kind: 'found' }> };

/** A reference in words, for skip details. */
export function describeReference(reference: TicketReference): string {
  return reference.source === 'thread'
    ? `thread reply to ${reference.messageId} (ticket ${reference.ticketId})`
    : reference.source === 'reply-address'
      ? `reply address ${reference.address}`
      : `subject tag [${reference.queue}-${reference.ticketId}]`;
}

const destination = (found: FoundTicket): Ticket => found.chain.tickets[found.chain.tickets.length - 1] as Ticket;

function followup(found: FoundTicket, conflict: string | null): Decision {
  const ticket = destination(found);
  return {
    kind: 'followup',
    ticket,
    reopen: REOPENED_BY_MAIL.includes(ticket.status),
    reference: found.reference,
    mergedFrom: found.chain.tickets.slice(0, -1).map((t) => t.id),
    conflict,
  };
}

/**
 * The references a sender could have written (thread, subject tag) whose ticket exists, in the
 * order they are tried. When they lead to different tickets, the subject tag comes first: it is
 * what the person writing saw and kept (replying in an old thread about a newer ticket), while an
 * old Message-ID in References is easily carried along — and either one is tried only for a
 * sender who may write there, so neither can win silently.
 */
function candidates(references: readonly ReferencedTicket[]): { found: FoundTicket[]; conflict: boolean } {
  const found = references.filter(
    (r): r is FoundTicket =>
      // Stryker disable next-line ConditionalExpression: equivalent, a found reply-address reference was taken before (decideOutcome)
      r.reference.source !== 'reply-address' &&
      r.chain.kind === 'found',
  );
  const order = { 'subject-tag': 0, thread: 1, 'reply-address': 2 } as const;
  found.sort((a, b) => order[a.reference.source] - order[b.reference.source]);
  const conflict = new Set(found.map((f) => destination(f).id)).size > 1;
  return { found, conflict };
}

function conflictNote(found: readonly FoundTicket[], taken: FoundTicket): string {
  const named = found.map((f) => `${describeReference(f.reference)} → ticket ${destination(f).id}`).join('; ');
  return `references disagree (${named}): took ticket ${destination(taken).id}, where the sender may write`;
}

/** The follow-up a sender-written reference allows, or the skip that says why none does. */
function decideByReferences(input: DecisionInput, found: readonly FoundTicket[], conflict: boolean): Decision {
  const senders = input.senders;
  const standings: SenderStanding[] = found.map((f) => (senders ? senderStanding(senders, f.chain.tickets) : 'allowed'));
  const allowed = standings.indexOf('allowed');
  if (allowed >= 0) {
    const taken = found[allowed] as FoundTicket;
    return followup(taken, conflict ? conflictNote(found, taken) : null);
  }
  const sender = senders?.sender ?? 'a mail without a usable From address';
  const unverified = standings.indexOf('unverified');
  if (unverified >= 0) {
    const { reference } = found[unverified] as FoundTicket;
    // Stryker disable next-line StringLiteral: equivalent, 'unverified' comes only from a sender check, so the fallback is never read
    const why = senders?.authenticationDetail ?? '';
    const detail = `${sender} is a participant of ticket ${reference.ticketId}, but SES did not authenticate the From: ${why}`;
    return { kind: 'skip', reason: 'sender-unverified', detail, ticketId: reference.ticketId };
  }
  const { reference } = found[0] as FoundTicket;
  const named = found.map((f) => describeReference(f.reference)).join(' and ');
  return { kind: 'skip', reason: 'sender-not-allowed', detail: `${sender} is not a participant of the ticket it reached by ${named}`, ticketId: reference.ticketId };
}

/** Mail that reaches no ticket it may write into: the mailbox's mode decides. */
function decideWithoutTicket(input: DecisionInput): Decision {
  const { mailbox, references } = input;
  if (input.badReplyToken) {
    const { address, ticketId } = input.badReplyToken;
    return { kind: 'skip', reason: 'bad-reply-token', detail: `the signature of reply address ${address} does not match ticket ${ticketId}`, ticketId };
  }
  if (!mailbox) return { kind: 'skip', reason: 'no-mailbox', detail: 'no recipient is a configured mailbox' };
  if (mailbox.mode === 'create') {
    if (input.noSubmitter) return { kind: 'skip', reason: 'no-submitter', detail: `create mailbox ${mailbox.address ?? mailbox.queue}: ${input.noSubmitter}` };
    return { kind: 'create', queue: mailbox.queue, ticketId: null };
  }
  // Stryker disable next-line ConditionalExpression: equivalent, every found reference was decided before, so any left is missing or loops
  const missing = references.find((r) => r.chain.kind !== 'found');
  if (!missing) {
    const where = mailbox.address ?? `the default queue ${mailbox.queue}`;
    return { kind: 'skip', reason: 'no-ticket-ref', detail: `update-only mailbox ${where}: the mail names no ticket` };
  }
  const { reference, chain } = missing;
  const detail =
    chain.kind === 'loop'
      ? `${describeReference(reference)}: merge chain loops (${chain.via.map((t) => t.id).join(' → ')})`
      : chain.kind === 'missing' && chain.via.length === 0
        ? `${describeReference(reference)}: ticket ${chain.ticketId} does not exist`
        : `${describeReference(reference)}: merged into ticket ${
            // Stryker disable next-line StringLiteral: equivalent, the chain is 'missing' here (a loop was handled above); the '?' only narrows the type
            chain.kind === 'missing' ? chain.ticketId : '?'
          }, which does not exist`;
  return { kind: 'skip', reason: 'ticket-not-found', detail, ticketId: reference.ticketId };
}

/**
 * Decides the fate of one mail, checks in a deliberate order: what the ledger already knows
 * (redelivery, duplicate), whether there is a mail at all, the screening, a verified signed reply
 * address, then the references a sender can write under the sender policy, and only then the
 * mailbox's mode for mail that reaches no ticket.
 */
export function decideOutcome(input: DecisionInput): Decision {
  const { prior } = input;
  if (prior.kind === 'same-object') {
    if (prior.state === 'pending') return { kind: 'create', queue: prior.claim.queue, ticketId: prior.claim.ticketId };
    return { kind: 'redelivered' };
  }
  if (prior.kind === 'other-object') {
    return { kind: 'skip', reason: 'duplicate', detail: `this Message-ID was already handled from ${prior.key}` };
  }
  if (input.empty) return { kind: 'skip', reason: 'empty', detail: 'the mail has no header section' };
  if (input.screening) return { kind: 'skip', reason: input.screening.reason, detail: input.screening.detail };
  const signed = input.references.find((r): r is FoundTicket => r.reference.source === 'reply-address' && r.chain.kind === 'found');
  if (signed) return followup(signed, null);
  const { found, conflict } = candidates(input.references);
  if (found.length > 0) return decideByReferences(input, found, conflict);
  return decideWithoutTicket(input);
}
