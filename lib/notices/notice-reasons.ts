/**
 * The closed sets of sender notices: which skip reasons may earn the sender a notice, and every
 * reason a notice was not sent (`why`, the dimension of the `NoticesSuppressed` metric). The
 * README, the metric and the tests read these tables; no `why` is spelled anywhere else.
 */
import type { SkipReason } from '../outcomes.js';
import type { ScreeningResult } from '../screening/screen.js';

/**
 * The skip reasons a sender can be told about: a person wrote to the wrong address, to a ticket
 * that is gone, as someone the ticket does not know, or too much. Each has a template in
 * `templates/notices/<reason>.txt`. (`sender-unverified` is not one: its From is unauthenticated,
 * and only an SES-authenticated From may get a notice.)
 */
export const NOTICE_REASONS = {
  'no-ticket-ref': 'A new request sent to an update-only address: the sender is told where to open a request instead.',
  'ticket-not-found': 'A reply to a ticket that does not exist (any more): the sender is told to write a new request.',
  'sender-not-allowed': 'A reply from someone who is not a participant of the ticket: the sender is told to ask to be added, or to write a new request.',
  'too-large': 'A mail over MAX_MAIL_BYTES, which was not read: the sender is told to send less (links instead of large attachments).',
} as const satisfies Partial<Record<SkipReason, string>>;

/** A skip reason that may earn a notice: one of {@link NOTICE_REASONS}. */
export type NoticeReason = keyof typeof NOTICE_REASONS;

/** All notice reasons, in table order; the default of SENDER_NOTICE_REASONS. */
export const NOTICE_REASON_NAMES = Object.keys(NOTICE_REASONS) as NoticeReason[];

/** Type guard for configured strings. */
export function isNoticeReason(value: string): value is NoticeReason {
  return Object.hasOwn(NOTICE_REASONS, value);
}

/** The screening reasons that mark a mail as machine-made or untrustworthy: such mail never gets a notice. */
export const SCREENED_WHYS = ['virus', 'bounce', 'loop', 'auto-reply', 'spam', 'dmarc-fail'] as const satisfies readonly ScreeningResult['reason'][];

/**
 * Why a notice that a skip reason called for was not sent. The first six are the screening's own
 * skip reasons (see `SKIP_REASONS`), judged strictly here whatever SKIP_AUTO_REPLIES or SKIP_SPAM say.
 */
export const NOTICE_SUPPRESSIONS = {
  virus: 'SES found a virus in the mail.',
  bounce: 'The mail is a bounce (a delivery status notification or a mailer-daemon report).',
  loop: 'The mail comes from one of our own addresses or carries our loop header.',
  'auto-reply': 'The mail is machine-sent (Auto-Submitted, Precedence bulk/list/junk, an out-of-office, a no-reply sender), even when SKIP_AUTO_REPLIES=false let it through.',
  spam: 'SES judged the mail spam, even when SKIP_SPAM=false let it through.',
  'dmarc-fail': 'The sender domain failed DMARC.',
  'no-from': 'The mail has no From with exactly one usable address to answer.',
  unauthenticated: 'SES did not authenticate the From (no DMARC pass, no DKIM or SPF pass aligned with it): it may be forged, and a notice would go to a stranger.',
  'no-mailbox-address': 'The mail reached the default queue, not a mailbox address: there is no address to send the notice from.',
  'recently-noticed': 'This sender got a notice for the same reason within the last 24 hours.',
  'hourly-limit': 'SENDER_NOTICES_PER_HOUR notices were sent this clock hour: notices stop until the next hour.',
  failed: 'Sending failed (SES refused or was unreachable, or the notices table failed); logged with the error. The mail\'s outcome is unchanged.',
} as const satisfies Record<(typeof SCREENED_WHYS)[number], string> & Record<string, string>;

/** Why a notice was not sent: one of {@link NOTICE_SUPPRESSIONS}. */
export type NoticeSuppression = keyof typeof NOTICE_SUPPRESSIONS;

/** All suppression reasons, in table order. */
export const NOTICE_SUPPRESSION_NAMES = Object.keys(NOTICE_SUPPRESSIONS) as NoticeSuppression[];
