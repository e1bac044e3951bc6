/** The ports sender notices talk to; the adapters in `lib/adapters/` implement them on AWS. */
import type { SkippedEntry } from '../ledger-entry.js';
import type { NoticeDone } from './notice-decision.js';
import type { NoticeReason } from './notice-reasons.js';

/** One notice as it goes out. */
export interface OutgoingNotice {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  /** Plain text, UTF-8. */
  readonly text: string;
  /** Header fields besides From, To, Subject: Auto-Submitted, the loop header, In-Reply-To, References. */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

/** Sends notices (on AWS: SES v2 `SendEmail`). */
export interface NoticeSender {
  /** Resolves once the notice was accepted for delivery; throws when it was not. */
  send(notice: OutgoingNotice): Promise<void>;
}

/** One sender's claim on a notice for one reason. */
export interface SenderClaim {
  readonly to: string;
  readonly reason: NoticeReason;
  /** The ledger key of the mail the notice is about: its own redelivery may claim again. */
  readonly messageKey: string;
  readonly at: Date;
}

/** The storm limits of notices (on AWS: a DynamoDB table of conditional writes). */
export interface NoticeThrottle {
  /**
   * Claims the one notice per sender address and reason per 24 hours: true when no other mail
   * claimed it within the 24 hours before `at` (a conditional put on a stored timestamp).
   */
  claimSender(claim: SenderClaim): Promise<boolean>;
  /** Gives back a claim whose notice was not sent after all; nothing when another mail holds it. */
  releaseSender(claim: SenderClaim): Promise<void>;
  /** Takes one of `limit` notices of the clock hour (UTC) of `at`: false when all were taken. */
  takeHourlySlot(at: Date, limit: number): Promise<boolean>;
}

/** Marks a skip's ledger entry once its notice was dealt with (the outbox's mark). */
export interface NoticeMarker {
  /**
   * Writes `noticeDone` on the entry, conditional on its `recordedAt`: false when the entry was
   * replaced (a replay) or removed meanwhile.
   */
  markNoticed(entry: Pick<SkippedEntry, 'messageKey' | 'recordedAt'>, done: NoticeDone): Promise<boolean>;
}
