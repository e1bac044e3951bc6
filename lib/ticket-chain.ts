/** Following merged tickets to the ticket that receives their mail. */
import type { TicketStore } from './ports.js';
import { MAX_MERGE_HOPS, type Ticket, type TicketChain } from './ticket.js';

/**
 * Loads the referenced ticket and, while it was merged into another, the ticket it was merged
 * into. Stops at a missing ticket, a loop, or after {@link MAX_MERGE_HOPS} hops (called a loop).
 */
export async function loadTicketChain(tickets: Pick<TicketStore, 'get'>, ticketId: number): Promise<TicketChain> {
  const via: Ticket[] = [];
  const seen = new Set<number>();
  let next: number | undefined = ticketId;
  while (next !== undefined) {
    if (seen.has(next) || via.length > MAX_MERGE_HOPS) return { kind: 'loop', via };
    seen.add(next);
    const ticket = await tickets.get(next);
    if (!ticket) return { kind: 'missing', ticketId: next, via };
    via.push(ticket);
    next = ticket.mergedInto;
  }
  return { kind: 'found', tickets: via as [Ticket, ...Ticket[]] };
}
