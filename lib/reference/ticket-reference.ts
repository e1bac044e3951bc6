/** How a mail names the ticket it belongs to. */

/**
 * A reference to a ticket found in a mail: a signed reply address, a thread hit, a subject tag.
 * `findTicketReferences` finds them; the decision (`decide.ts`) says which one is honoured.
 */
export type TicketReference =
  | {
      readonly source: 'reply-address';
      readonly ticketId: number;
      /** The signed reply address the mail was sent to. */
      readonly address: string;
    }
  | {
      readonly source: 'thread';
      readonly ticketId: number;
      /** The Message-ID (from In-Reply-To or References) the ledger knows for the ticket. */
      readonly messageId: string;
    }
  | {
      readonly source: 'subject-tag';
      readonly ticketId: number;
      /** The configured queue slug the tag named, in its configured spelling. */
      readonly queue: string;
    };
