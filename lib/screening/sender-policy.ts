/**
 * Who may write into a ticket. Subject tags are guessable (`[support-42]`), so in the strict
 * policy a mail that reaches a ticket only by its tag is accepted only from the ticket's
 * participants or from agents. Pure.
 */
import type { Ticket } from '../ticket.js';

export type SenderPolicy = 'strict' | 'open';

/** Agents: addresses, and whole domains (`@staff.example.com`). Lower-case. */
export interface Agents {
  readonly addresses: ReadonlySet<string>;
  readonly domains: ReadonlySet<string>;
}

export const NO_AGENTS: Agents = { addresses: new Set(), domains: new Set() };

/**
 * Whether `sender` may update a ticket reached through `tickets` (the referenced ticket and the
 * tickets it was merged into): its submitter or a CC of any of them, or an agent. Addresses compare
 * case-insensitively, without display names.
 */
export function isSenderAllowed(sender: string | null, tickets: readonly Ticket[], agents: Agents): boolean {
  if (!sender) return false;
  const address = sender.toLowerCase();
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (agents.addresses.has(address) || agents.domains.has(domain)) return true;
  return tickets.some((ticket) => ticket.submitter.toLowerCase() === address || ticket.cc.some((cc) => cc.toLowerCase() === address));
}
