/**
 * The decision: given what is known about one mail, what should happen to it. Pure — all I/O has
 * been done by the caller — so every row of the decision table is unit-tested without AWS.
 */
import type { PriorEntry } from './ledger-outcomes.js';
import type { Mailbox } from './mailbox.js';
import type { ScreeningResult } from './screening/screen.js';
import { isSenderAllowed, type Agents, type SenderPolicy } from './screening/sender-policy.js';
import type { SkipReason } from './outcomes.js';
import type { TicketReference } from './reference/ticket-reference.js';
import { REOPENED_BY_MAIL, type Ticket, type TicketChain } from './ticket.js';

export interface DecisionInput {
  readonly prior: PriorEntry;
  /** The mail had no header section (or no bytes). */
  readonly empty: boolean;
  /** What the screening set the mail aside for (virus, bounce, loop, auto-reply, spam, DMARC). */
  readonly screening?: ScreeningResult | null;
  /** A signed reply address whose signature did not verify. */
  readonly badReplyToken?: { readonly address: string; readonly ticketId: number } | null;
  /** Who may update a ticket reached by its subject tag alone. */
  readonly senders?: { readonly policy: SenderPolicy; readonly sender: string | null; readonly agents: Agents };
  readonly mailbox: Mailbox | null;
  readonly reference: TicketReference | null;
  /** The referenced ticket and its merge chain; `null` when there is no reference. */
  readonly chain: TicketChain | null;
}

export type Decision =
  | {
      readonly kind: 'followup';
      readonly ticket: Ticket;
      readonly reopen: boolean;
      readonly reference: TicketReference;
      /** Ids of merged tickets passed through on the way to `ticket`. */
      readonly mergedFrom: readonly number[];
    }
  | { readonly kind: 'create'; readonly queue: string; readonly ticketId: number | null }
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly detail: string; readonly ticketId?: number }
  /** Already handled from this object: report what the ledger says, write nothing new. */
  | { readonly kind: 'redelivered' };

function describe(reference: TicketReference): string {
  return reference.source === 'thread'
    ? `thread reply to ${reference.messageId} (ticket ${reference.ticketId})`
    : reference.source === 'reply-address'
      ? `reply address ${reference.address}`
      : `subject tag [${reference.queue}-${reference.ticketId}]`;
}

function followup(reference: TicketReference, tickets: readonly [Ticket, ...Ticket[]]): Decision {
  const ticket = tickets[tickets.length - 1] as Ticket;
  return {
    kind: 'followup',
    ticket,
    reopen: REOPENED_BY_MAIL.includes(ticket.status),
    reference,
    mergedFrom: tickets.slice(0, -1).map((t) => t.id),
  };
}

/**
 * Decides the fate of one mail, checks in a deliberate order: what the ledger already knows
 * (redelivery, duplicate), whether there is a mail at all, then the referenced ticket, then the
 * mailbox's mode.
 */
export function decideOutcome(input: DecisionInput): Decision {
  const { prior, mailbox, reference, chain } = input;
  if (prior.kind === 'same-object') {
    if (prior.state === 'pending') return { kind: 'create', queue: prior.claim.queue, ticketId: prior.claim.ticketId };
    return { kind: 'redelivered' };
  }
  if (prior.kind === 'other-object') {
    return { kind: 'skip', reason: 'duplicate', detail: `this Message-ID was already handled from ${prior.key}` };
  }
  if (input.empty) return { kind: 'skip', reason: 'empty', detail: 'the mail has no header section' };
  if (input.screening) return { kind: 'skip', reason: input.screening.reason, detail: input.screening.detail };
  if (input.badReplyToken) {
    const { address, ticketId } = input.badReplyToken;
    return { kind: 'skip', reason: 'bad-reply-token', detail: `the signature of reply address ${address} does not match ticket ${ticketId}`, ticketId };
  }

  if (reference && chain?.kind === 'found') {
    const senders = input.senders;
    if (reference.source === 'subject-tag' && senders?.policy === 'strict' && !isSenderAllowed(senders.sender, chain.tickets, senders.agents)) {
      return {
        kind: 'skip',
        reason: 'sender-not-allowed',
        detail: `${senders.sender ?? 'a mail without sender'} is not a participant of ticket ${reference.ticketId} and reached it only by its subject tag`,
        ticketId: reference.ticketId,
      };
    }
    return followup(reference, chain.tickets);
  }
  if (!mailbox) return { kind: 'skip', reason: 'no-mailbox', detail: 'no recipient is a configured mailbox' };
  if (mailbox.mode === 'create') return { kind: 'create', queue: mailbox.queue, ticketId: null };
  if (!reference || !chain || chain.kind === 'found') {
    const where = mailbox.address ?? `the default queue ${mailbox.queue}`;
    return { kind: 'skip', reason: 'no-ticket-ref', detail: `update-only mailbox ${where}: the mail names no ticket` };
  }
  const detail =
    chain.kind === 'loop'
      ? `${describe(reference)}: merge chain loops (${chain.via.map((t) => t.id).join(' → ')})`
      : chain.via.length === 0
        ? `${describe(reference)}: ticket ${chain.ticketId} does not exist`
        : `${describe(reference)}: merged into ticket ${chain.ticketId}, which does not exist`;
  return { kind: 'skip', reason: 'ticket-not-found', detail, ticketId: reference.ticketId };
}
