/**
 * Who may write into a ticket. Ticket ids are sequential and Message-IDs can be seen or guessed,
 * so under the strict policy every reference a sender can write (a subject tag, a thread
 * reference) is honoured only for the ticket's participants or agents — and a participant or
 * agent is recognized only when SES authenticated the From (see `sender-authentication.ts`). Only
 * a valid signed reply address, which the helpdesk minted, lets anyone else in. Pure.
 */
import type { Ticket } from '../ticket.js';

export type SenderPolicy = 'strict' | 'open';

/** `required`: a participant or agent counts only when the From is authenticated; `off`: the From is taken as written. */
export type SenderAuthenticationMode = 'required' | 'off';

/** The accepted values of {@link SenderAuthenticationMode}. */
export const SENDER_AUTHENTICATION_MODES: readonly SenderAuthenticationMode[] = ['required', 'off'];

/** Agents: canonical addresses, and whole domains (`@staff.example.com`, A-label form). */
export interface Agents {
  readonly addresses: ReadonlySet<string>;
  readonly domains: ReadonlySet<string>;
}

export const NO_AGENTS: Agents = { addresses: new Set(), domains: new Set() };

/** What the sender policy knows about the sender of one mail. */
export interface SenderCheck {
  readonly policy: SenderPolicy;
  readonly authentication: SenderAuthenticationMode;
  /**
   * The From address in canonical form (`canonical-address.ts`), or `null` when the mail has no
   * From, or one that can never match a participant (an encoded-word local part, say).
   */
  readonly sender: string | null;
  /** Whether SES authenticated the From domain (DMARC, or aligned DKIM or SPF). */
  readonly authenticated: boolean;
  /** Why the From counts as authenticated or not, for the skip detail. */
  readonly authenticationDetail: string;
  readonly agents: Agents;
  /** The canonical form of a stored participant address (submitter, CC), `null` when it has none. */
  readonly canonicalParticipant: (address: string) => string | null;
}

/**
 * Whether a canonical address is an agent's: listed (its `+tag` ignored, RFC 5233 subaddressing:
 * `lead+ooo@` is `lead@`), or at an agent domain.
 */
export function isAgentAddress(agents: Agents, address: string): boolean {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  // Stryker disable next-line MethodExpression: equivalent, a canonical domain holds no '+', so the first '+' of the whole address is the local part's
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  const base = plus > 0 ? `${local.slice(0, plus)}@${domain}` : address;
  return agents.addresses.has(address) || agents.addresses.has(base) || agents.domains.has(domain);
}

/** Where a sender stands with a ticket: may write, would be a participant but is not authenticated, or is a stranger. */
export type SenderStanding = 'allowed' | 'unverified' | 'stranger';

/**
 * Whether `sender` is an agent, or the submitter or a CC of any of `tickets` (the referenced
 * ticket and those it was merged into), comparing canonical forms only: display names and decoded
 * forms never count.
 */
export function isParticipant(check: Pick<SenderCheck, 'sender' | 'agents' | 'canonicalParticipant'>, tickets: readonly Ticket[]): boolean {
  const { sender, agents } = check;
  if (!sender) return false;
  if (isAgentAddress(agents, sender)) return true;
  const matches = (address: string) => check.canonicalParticipant(address) === sender;
  return tickets.some((ticket) => matches(ticket.submitter) || ticket.cc.some(matches));
}

/** Where the sender stands with a ticket reached through `tickets`, under the policy. */
export function senderStanding(check: SenderCheck, tickets: readonly Ticket[]): SenderStanding {
  if (check.policy === 'open') return 'allowed';
  if (!isParticipant(check, tickets)) return 'stranger';
  return check.authentication === 'off' || check.authenticated ? 'allowed' : 'unverified';
}
