/** The message ledger: one entry per Message-ID the gateway has handled or the helpdesk has sent. */
import type { AttachmentInfo } from './mail/record.js';
import type { SkipReason } from './outcomes.js';
import type { SesVerdicts } from './envelope.js';
import type { NoticeDone, NoticeIntent } from './notices/notice-decision.js';

/** Where a raw mail is stored. */
export interface MailLocation {
  readonly bucket: string;
  readonly key: string;
}

/** Fields every inbound entry carries. */
interface InboundBase {
  /** Partition key: the Message-ID, or a hash-derived key for mail without a usable one. */
  readonly messageKey: string;
  readonly direction: 'inbound';
  /** The raw mail this entry was written for. */
  readonly bucket: string;
  readonly key: string;
  /** The Message-ID header as written (without brackets), when the mail had one. */
  readonly messageId: string | null;
  readonly from: string | null;
  readonly subject: string;
  readonly receivedAt: string;
  readonly recordedAt: string;
  /** SES's spam, virus and authentication verdicts, when the mail came with an SES receipt. */
  readonly sesVerdicts?: SesVerdicts;
  /**
   * The mail's content fingerprint (`content-fingerprint.ts`), on final entries of mail that was
   * read: a second mail under the same Message-ID is a duplicate only when this matches too.
   */
  readonly fingerprint?: string;
  /**
   * `headers` when {@link fingerprint} covers the header block only (`headersFingerprint`): a skip
   * decided at the header block, whose body was never read. Absent: the whole mail.
   */
  readonly fingerprintScope?: 'headers';
}

/** A new ticket is being opened from this mail: the id is reserved, the ticket may not exist yet. */
export interface PendingEntry extends InboundBase {
  readonly state: 'pending';
  readonly ticketId: number;
  readonly queue: string;
}

/** Fields of a final entry (applied or skipped). */
interface FinalBase extends InboundBase {
  /**
   * When the entry's event was published (`lib/events/publish.ts`); absent until then. Written
   * after `PutEvents` succeeded: a redelivery publishes again only when it is missing.
   */
  readonly publishedAt?: string;
}

/** The mail was applied: the entry is the follow-up (or the opening message of a new ticket). */
export interface AppliedEntry extends FinalBase {
  readonly state: 'applied';
  readonly outcome: 'followup' | 'created';
  readonly ticketId: number;
  readonly followupId: string;
  readonly reopened: boolean;
  /** Ids of merged tickets the mail was forwarded through. */
  readonly mergedFrom: readonly number[];
  /** When the thread and the subject tag named different tickets: which was taken, and why. */
  readonly referenceConflict?: string;
  /** The text body, when short enough to keep inline; else `bodyKey` names the S3 object. */
  readonly body: string | null;
  readonly bodyKey: string | null;
  /** The new part of the text, without quoted history and signature (at most 16 KB); `body` keeps the full text. */
  readonly reply?: string;
  /** Where the mail's HTML is stored, sanitized (`html-sanitize.ts`), beside the attachments; absent without kept HTML. */
  readonly htmlKey?: string;
  /** The addresses this mail added to the ticket's CC list (`participants.ts`); absent when none. */
  readonly ccAdded?: readonly string[];
  /** The agent who forwarded the mail this ticket was opened from (`forwarded.ts`); absent otherwise. */
  readonly forwardedBy?: string;
  readonly attachments: readonly AttachmentInfo[];
}

/** The mail was skipped; its raw object is kept and tagged. */
export interface SkippedEntry extends FinalBase {
  readonly state: 'skipped';
  readonly reason: SkipReason;
  readonly detail: string;
  /** The ticket the mail named, when it named one (for a bounce: the ticket of the bounced mail). */
  readonly ticketId: number | null;
  /** A bounce's failed recipients and the Message-ID of the mail that bounced. */
  readonly bounce?: { readonly failedRecipients: readonly string[]; readonly originalMessageId: string | null; readonly ticketId: number | null };
  /** Where an infected raw mail was moved to. */
  readonly quarantineKey?: string;
  /** The notice to send the sender (SENDER_NOTICES), recorded with the skip, before it is sent. */
  readonly notice?: NoticeIntent;
  /** Written after the notice was sent or suppressed (`lib/notices/notice-outbox.ts`); absent until then. */
  readonly noticeDone?: NoticeDone;
}

/** An outbound notification the helpdesk registered, so replies to it thread into the ticket. */
export interface OutboundEntry {
  readonly messageKey: string;
  readonly direction: 'outbound';
  readonly messageId: string;
  readonly ticketId: number;
  readonly recordedAt: string;
}

export type InboundEntry = PendingEntry | AppliedEntry | SkippedEntry;
export type LedgerEntry = InboundEntry | OutboundEntry;
export type FinalEntry = AppliedEntry | SkippedEntry;

/** The ticket a ledger entry places its Message-ID in, for threading; `null` when none. */
export function threadTicketOf(entry: LedgerEntry): number | null {
  if (entry.direction === 'outbound') return entry.ticketId;
  return entry.state === 'applied' ? entry.ticketId : null;
}
