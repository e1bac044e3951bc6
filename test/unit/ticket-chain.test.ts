/**
 * Following merges from a referenced ticket (lib/ticket-chain.ts) against an in-memory ticket
 * store: the chain found, a missing ticket (at the start or after a merge), a loop, and the hop
 * limit at its exact edge. The store is a Map behind the port's `get`: no AWS client is involved.
 */
import { describe, expect, it } from 'vitest';
import { loadTicketChain } from '../../lib/ticket-chain.js';
import { MAX_MERGE_HOPS, type Ticket } from '../../lib/ticket.js';

function ticket(id: number, mergedInto?: number): Ticket {
  return { id, queue: 'support', status: mergedInto ? 'duplicate' : 'open', title: `ticket ${id}`, submitter: 'a@x', cc: [], createdAt: '', updatedAt: '', ...(mergedInto ? { mergedInto } : {}) };
}

function store(...tickets: Ticket[]) {
  const byId = new Map(tickets.map((t) => [t.id, t]));
  const asked: number[] = [];
  return {
    asked,
    get: async (id: number) => {
      asked.push(id);
      return byId.get(id) ?? null;
    },
  };
}

/** Tickets 1 → 2 → … → n, each merged into the next; the last one open. */
const mergedLine = (n: number): Ticket[] => Array.from({ length: n }, (_, i) => ticket(i + 1, i + 1 < n ? i + 2 : undefined));

describe('loadTicketChain', () => {
  it('finds an unmerged ticket on its own', async () => {
    expect(await loadTicketChain(store(ticket(42)), 42)).toEqual({ kind: 'found', tickets: [ticket(42)] });
  });

  it('follows merges to the ticket that receives the mail, in order', async () => {
    const tickets = store(ticket(44, 43), ticket(43, 42), ticket(42));
    expect(await loadTicketChain(tickets, 44)).toEqual({ kind: 'found', tickets: [ticket(44, 43), ticket(43, 42), ticket(42)] });
    expect(tickets.asked).toEqual([44, 43, 42]);
  });

  it('says which ticket is missing: the referenced one, or one it was merged into', async () => {
    expect(await loadTicketChain(store(), 42)).toEqual({ kind: 'missing', ticketId: 42, via: [] });
    expect(await loadTicketChain(store(ticket(42, 50)), 42)).toEqual({ kind: 'missing', ticketId: 50, via: [ticket(42, 50)] });
  });

  it('stops at a loop without asking for a ticket twice', async () => {
    const tickets = store(ticket(42, 43), ticket(43, 42));
    expect(await loadTicketChain(tickets, 42)).toEqual({ kind: 'loop', via: [ticket(42, 43), ticket(43, 42)] });
    expect(tickets.asked).toEqual([42, 43]);
    expect(await loadTicketChain(store(ticket(7, 7)), 7)).toEqual({ kind: 'loop', via: [ticket(7, 7)] });
  });

  it(`follows ${MAX_MERGE_HOPS} merges, and calls one more a loop`, async () => {
    const longest = mergedLine(MAX_MERGE_HOPS + 1);
    const found = await loadTicketChain(store(...longest), 1);
    expect(found).toEqual({ kind: 'found', tickets: longest });

    const tooLong = mergedLine(MAX_MERGE_HOPS + 2);
    const tickets = store(...tooLong);
    expect(await loadTicketChain(tickets, 1)).toEqual({ kind: 'loop', via: tooLong.slice(0, MAX_MERGE_HOPS + 1) });
    expect(tickets.asked).toHaveLength(MAX_MERGE_HOPS + 1);
  });
});
