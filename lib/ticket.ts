/** Tickets as the gateway sees them (a subset of django-helpdesk's model). */

/** Ticket statuses, as django-helpdesk names them (`duplicate` is a ticket merged into another). */
export const TICKET_STATUSES = ['open', 'reopened', 'resolved', 'closed', 'duplicate'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses a follow-up by mail reopens. */
export const REOPENED_BY_MAIL: readonly TicketStatus[] = ['resolved', 'closed'];

export interface Ticket {
  /** Positive integer, unique across queues (django-helpdesk's primary key). */
  readonly id: number;
  readonly queue: string;
  readonly status: TicketStatus;
  readonly title: string;
  readonly submitter: string;
  readonly cc: readonly string[];
  /** When set, the ticket was merged: mail for it goes to this ticket. */
  readonly mergedInto?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A ticket the gateway opens from a mail. */
export interface NewTicket extends Omit<Ticket, 'mergedInto'> {
  readonly description: string;
  /** Ledger key of the mail that opened it: makes a repeated create recognisable. */
  readonly sourceMessageKey: string;
  /** The agent who forwarded the customer's mail the ticket was opened from (`forwarded.ts`). */
  readonly forwardedBy?: string;
}

/** How far a merge chain is followed before it is called broken. */
export const MAX_MERGE_HOPS = 10;

/** The tickets met while following merges from a referenced ticket; the last is where mail goes. */
export type TicketChain =
  | { readonly kind: 'found'; readonly tickets: readonly [Ticket, ...Ticket[]] }
  | { readonly kind: 'missing'; readonly ticketId: number; readonly via: readonly Ticket[] }
  | { readonly kind: 'loop'; readonly via: readonly Ticket[] };

export function isTicketStatus(value: unknown): value is TicketStatus {
  return typeof value === 'string' && (TICKET_STATUSES as readonly string[]).includes(value);
}
