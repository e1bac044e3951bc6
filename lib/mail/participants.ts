/**
 * Participants (issue 12, point 4): the addresses an applied mail adds to its ticket's CC list,
 * as django-helpdesk does (`helpdesk/email.py`, `create_object_from_email_message`): the mail's
 * `Cc` and its `To` addresses other than our own mailboxes, deduplicated against the ticket's
 * submitter and CCs, in canonical form (`canonical-address.ts`, from the RAW header values).
 * Pure.
 *
 * Capped, because every CC receives the helpdesk's notifications and may write into the ticket:
 * without a cap one mail naming a thousand addresses would turn the helpdesk into a mail
 * amplifier and its ticket item into one that no longer fits DynamoDB's 400 KB. A real "reply
 * all" names a handful of people.
 */
import { canonicalAddresses, canonicalizeMailbox, type CanonicalAddress } from './canonical-address.js';
import type { RawHeaders } from './raw-headers.js';

/** Most addresses one mail adds. */
export const MAX_CC_ADDED_PER_MAIL = 10;
/** Most CC addresses a ticket holds (at most 50 × 320 bytes, 16 KB, of a ticket item). */
export const MAX_TICKET_CC = 50;

/** What deciding the new CCs needs. */
export interface ParticipantsInput {
  /** Raw header values (`readRawHeaders`): `to` and `cc` are read. */
  readonly raw: RawHeaders;
  /** The ticket's submitter as stored (any form `canonicalizeMailbox` reads), or `null` for none. */
  readonly submitter: string | null;
  /** The ticket's CC addresses as stored. */
  readonly existingCc: readonly string[];
  /** Whether a canonical address is one of ours (a mailbox, a reply address): never a CC. */
  readonly isOwnAddress: (address: CanonicalAddress) => boolean;
  /**
   * Whether the mail's sender was authenticated (SES's DMARC, or DKIM/SPF aligned with From).
   * A CC may write into the ticket, so only an authenticated participant adds any: otherwise a
   * forged From of a participant would let anyone invite themselves.
   */
  readonly senderAuthenticated: boolean;
  /** Overrides of the caps (tests, configuration). */
  readonly maxPerMail?: number;
  readonly maxTicketCc?: number;
}

/** The addresses to add, and how many more there were that the caps or the policy left out. */
export interface ParticipantsAdded {
  /** Canonical, in the order met (`Cc` first, then `To`), none already on the ticket. */
  readonly added: readonly CanonicalAddress[];
  /** New addresses left out by a cap. */
  readonly overCap: number;
  /** Why nothing was added although there were new addresses, when that is the case. */
  readonly withheld: 'sender-unauthenticated' | null;
}

/** The canonical forms of stored addresses; those that are not comparable are left out. */
function canonicalSet(addresses: readonly (string | null)[]): Set<CanonicalAddress> {
  const out = new Set<CanonicalAddress>();
  for (const address of addresses) {
    if (address === null) continue;
    const result = canonicalizeMailbox(address);
    if (result.comparable) out.add(result.address);
  }
  return out;
}

/**
 * The CC addresses an applied mail adds to its ticket (see the module comment). A new ticket
 * is the same question with `existingCc: []`.
 */
export function participantsToAdd(input: ParticipantsInput): ParticipantsAdded {
  const known = canonicalSet([input.submitter, ...input.existingCc]);
  const candidates = [...new Set([...canonicalAddresses(input.raw.cc), ...canonicalAddresses(input.raw.to)])];
  const fresh = candidates.filter((address) => !known.has(address) && !input.isOwnAddress(address));
  if (fresh.length === 0) return { added: [], overCap: 0, withheld: null };
  if (!input.senderAuthenticated) return { added: [], overCap: 0, withheld: 'sender-unauthenticated' };
  // Every stored CC takes a place, comparable or not.
  const room = Math.max(0, Math.min(input.maxPerMail ?? MAX_CC_ADDED_PER_MAIL, (input.maxTicketCc ?? MAX_TICKET_CC) - input.existingCc.length));
  const added = fresh.slice(0, room);
  return { added, overCap: fresh.length - added.length, withheld: null };
}
