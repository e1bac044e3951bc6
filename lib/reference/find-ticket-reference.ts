/** Finding the ticket a mail belongs to. Pure: the ledger look-up is done by the caller. */
import type { MailHeaders } from '../mail/record.js';
import type { SubjectTag } from './subject-tag.js';
import type { TicketReference } from './ticket-reference.js';

/**
 * The Message-IDs whose ledger entries could place this mail in a thread, strongest first:
 * In-Reply-To, then References from the newest (last) to the oldest.
 */
export function threadMessageIds(headers: Pick<MailHeaders, 'inReplyTo' | 'references'>): string[] {
  return [...new Set([...headers.inReplyTo, ...[...headers.references].reverse()])];
}

/** What {@link findTicketReference} needs to know. */
export interface ReferenceInput {
  /** A signed reply address the mail was sent to, whose signature was verified. */
  readonly verifiedReplyToken?: { readonly ticketId: number; readonly address: string } | null;
  /** {@link threadMessageIds} of the mail. */
  readonly threadIds: readonly string[];
  /** Ticket ids the ledger holds for some of those Message-IDs. */
  readonly ticketsByMessageId: ReadonlyMap<string, number>;
  /** The subject tag, if the subject carries one. */
  readonly subjectTag: SubjectTag | null;
}

/**
 * Every reference the mail carries, at most one of each kind: a verified signed reply address
 * (only the helpdesk can mint one), the strongest thread hit (In-Reply-To, then References newest
 * first), and the subject tag. Which one is honoured is the decision's business (`decide.ts`):
 * a thread hit and a subject tag are both things a sender can write, so neither outranks the
 * sender policy. Empty when the mail names no ticket at all.
 */
export function findTicketReferences(input: ReferenceInput): TicketReference[] {
  const references: TicketReference[] = [];
  if (input.verifiedReplyToken) references.push({ source: 'reply-address', ...input.verifiedReplyToken });
  const hit = input.threadIds.find((messageId) => input.ticketsByMessageId.has(messageId));
  if (hit !== undefined) references.push({ source: 'thread', ticketId: input.ticketsByMessageId.get(hit) as number, messageId: hit });
  if (input.subjectTag) references.push({ source: 'subject-tag', ...input.subjectTag });
  return references;
}
