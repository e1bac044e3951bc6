/** The shapes the stages of the pipeline hand each other, and what the pipeline answers. */
import type { GatewayConfig } from '../config.js';
import type { Decision } from '../decide.js';
import type { Envelope } from '../envelope.js';
import type { LedgerEntry, MailLocation } from '../ledger-entry.js';
import type { CanonicalAddress } from '../mail/canonical-address.js';
import type { MailHeaders } from '../mail/record.js';
import type { SubmitterChoice } from '../mail/submitter.js';
import type { MailOutcome } from '../outcomes.js';
import type { EventPublisher, MessageLedger, Prefetcher, RawMailStore, TicketStore } from '../ports.js';
import type { ReplyTokenKeys } from '../screening/reply-token.js';
import type { NoticeMarker, NoticeSender, NoticeThrottle } from '../notices/notice-ports.js';
import type { NoticeReport } from '../notices/notice-outbox.js';
import type { NoticeIntent } from '../notices/notice-decision.js';
import type { NoticeReason } from '../notices/notice-reasons.js';
import type { NoticeTemplate } from '../notices/notice-templates.js';

/** What one mail came to. */
export interface MailReport {
  readonly location: MailLocation;
  /** The Message-ID header (without brackets), when the mail was read far enough to have one. */
  readonly messageId: string | null;
  readonly outcome: MailOutcome;
  /** The ledger already held this object's outcome: nothing new was written or counted. */
  readonly redelivered: boolean;
  /** For `retry`: the error, to be logged in full. */
  readonly error?: unknown;
  /** The sender notice this attempt sent or suppressed (SENDER_NOTICES); absent or `null`: none. */
  readonly notice?: NoticeReport | null;
}

/** The ports and settings the pipeline is built over. */
export interface PipelineDeps {
  readonly config: GatewayConfig;
  readonly rawMail: RawMailStore;
  readonly tickets: TicketStore;
  readonly ledger: MessageLedger;
  readonly prefetcher: Prefetcher;
  /** The secrets of signed reply addresses; `null` when the feature is off. */
  readonly replyTokenKeys?: ReplyTokenKeys | null;
  readonly now?: () => Date;
  /** Where the outcome events go; `null`/absent: none are published (EVENT_BUS_NAME unset). */
  readonly events?: { readonly publisher: EventPublisher; readonly eventBusName: string } | null;
  /** How sender notices go out (`config.notices.enabled`); `null`/absent: none are sent. */
  readonly notices?: {
    readonly sender: NoticeSender;
    readonly throttle: NoticeThrottle;
    readonly marker: NoticeMarker;
    readonly templates: ReadonlyMap<NoticeReason, NoticeTemplate>;
  } | null;
}

/** How to process a mail. */
export interface ProcessOptions {
  /**
   * Replay a mail that was skipped: decide anew instead of reporting the recorded skip, and let
   * the new outcome replace the skip entry (see `lib/replay.ts`).
   */
  readonly replay?: boolean;
}

/** Processes one stored mail to its outcome. Never throws: failures become `retry` or a skip. */
export type MailProcessor = (location: MailLocation, envelope?: Envelope, options?: ProcessOptions) => Promise<MailReport>;

/** One mail being processed: where it is stored, and what its delivery says about it. */
export interface InboundMail {
  readonly location: MailLocation;
  readonly envelope: Envelope | undefined;
  readonly replay: boolean;
  /** Set on a later pass of a mail whose Message-ID another object holds with other content. */
  readonly keyedApart?: KeyedApart;
}

/**
 * How a mail whose Message-ID key another object holds with other content is filed instead. The
 * second pass appends the fingerprint of its header block (`<Message-ID key>#<fingerprint>`;
 * `fingerprint.ts`, `MailFingerprint.headerBlock`), so that copies of one mail stored twice still
 * meet there as duplicates; the header block leaves the body out, so a mail that differs from that
 * key's holder too is filed, on a third pass, under its own stored object, which no other mail holds.
 */
export type KeyedApart = { readonly by: 'header-block'; readonly fingerprint: string } | { readonly by: 'object' };


/** Who sent a mail, as far as the trust boundary can tell (from the raw From and SES's results). */
export interface SenderIdentity {
  /** The From address in canonical form, `null` when the mail has none that can match anyone. */
  readonly address: CanonicalAddress | null;
  /** SES authenticated the From domain (DMARC, or DKIM or SPF aligned). */
  readonly authenticated: boolean;
  /** What authenticated it, or why nothing did. */
  readonly detail: string;
}

/** The ticket and follow-up a mail is being applied to (a follow-up, or the opening of a new ticket). */
export interface FollowupTarget {
  readonly ticketId: number;
  readonly followupId: string;
}

/** Everything decided once the header block was read. */
export interface Plan {
  readonly headers: MailHeaders;
  readonly messageKey: string;
  readonly decision: Decision;
  readonly target: FollowupTarget | null;
  /** The ledger entry of a redelivered object. */
  readonly prior: LedgerEntry | null;
  /** A bounce's machine-readable parts, filled while the mail streams. */
  readonly reportParts: { contentType: string; text: string }[];
  readonly sender: SenderIdentity;
  /** The submitter a new ticket would get (From, else Reply-To, else Sender), or why there is none. */
  readonly submitter: SubmitterChoice;
  /**
   * Another stored object holds this mail's Message-ID key: whether this is the same mail is
   * decided once the content is read (see {@link HeldBy}).
   */
  readonly heldBy: HeldBy | null;
}

/**
 * What holds a mail's Message-ID key for another object. A mail is a duplicate only of a holder
 * with the same content fingerprint; a holder without one (an outbound notification, a mail that
 * was never read, an entry from before fingerprints) never swallows a mail. A `pending` claim of
 * another object is still being processed: its content is not known yet.
 */
export interface HeldBy {
  /** The holder's content fingerprint, `null` when it has none. */
  readonly fingerprint: string | null;
  /** Whether that fingerprint covers the holder's header block only (a skip decided there): compare this mail's likewise. */
  readonly headersOnly: boolean;
  /** When the holder is a `pending` claim (a new ticket being opened): when it was claimed (ISO). */
  readonly pendingSince: string | null;
}

/** What a skip record carries about its sender notice: the intent to record, or why none is sent. */
export interface SkipNotice {
  readonly notice?: NoticeIntent;
  /** Why no notice is sent, decided before the commit (reported unless the mail is a redelivery). */
  readonly noticeReport?: NoticeReport;
}
