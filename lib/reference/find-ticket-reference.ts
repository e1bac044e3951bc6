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
 * The strongest reference in the mail: a verified signed reply address outranks everything (only
 * the helpdesk can mint one); then a thread hit (In-Reply-To, then References newest first), which
 * outranks the subject tag because a subject can be edited or quoted while a Message-ID the
 * helpdesk itself recorded cannot. `null` when the mail names no ticket at all.
 */
export function findTicketReference(input: ReferenceInput): TicketReference | null {
  if (input.verifiedReplyToken) return { source: 'reply-address', ...input.verifiedReplyToken };
  for (const messageId of input.threadIds) {
    const ticketId = input.ticketsByMessageId.get(messageId);
    if (ticketId !== undefined) return { source: 'thread', ticketId, messageId };
  }
  if (input.subjectTag) return { source: 'subject-tag', ...input.subjectTag };
  return null;
}
