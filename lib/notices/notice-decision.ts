/**
 * Which skipped mail earns its sender a notice, and why the rest does not. Pure: the facts come
 * from the plan (or, for mail too large to read, from its header block), judged by what SES
 * vouches for — never by what the sender wrote alone.
 *
 * Never to machines: mail the screening marks as a virus, a bounce, a loop, an auto-reply, spam
 * or a DMARC failure gets none, judged strictly here even where SKIP_AUTO_REPLIES or SKIP_SPAM let
 * it through (RFC 3834 §2: no automatic response to automatic mail). Never to a stranger: the
 * From must be one usable address that SES authenticated (DMARC, or DKIM/SPF aligned with it),
 * so a forged From does not make the gateway mail a third party (backscatter).
 */
import type { SkipReason } from '../outcomes.js';
import type { ScreeningResult } from '../screening/screen.js';
import type { NoticeConfig } from './notice-config.js';
import { isNoticeReason, type NoticeReason, type NoticeSuppression } from './notice-reasons.js';
import { noticeSubjectOf } from './notice-templates.js';

/** The most Message-IDs a notice's References carries (the refused mail's last ones and its own). */
export const MAX_NOTICE_REFERENCES = 10;
/** The longest Message-ID repeated in a notice's In-Reply-To or References. */
const MAX_MESSAGE_ID_LENGTH = 250;

/**
 * A notice to send, as the skip's ledger entry records it before anything is sent (the intent of
 * the outbox, see `notice-outbox.ts`). Everything a send needs, so a redelivery sends the same one.
 */
export interface NoticeIntent {
  readonly reason: NoticeReason;
  /** The sender, in canonical form: the notice's only recipient. */
  readonly to: string;
  /** The mailbox address the mail was sent to: the notice's From. */
  readonly from: string;
  /** The refused mail's subject, one line and cut ({@link noticeSubjectOf}). */
  readonly subject: string;
  /** The refused mail's Message-ID (without brackets), for In-Reply-To; `null` when it had none. */
  readonly inReplyTo: string | null;
  /** The refused mail's References and its own Message-ID, at most {@link MAX_NOTICE_REFERENCES}. */
  readonly references: readonly string[];
}

/** What the sending after the commit came to, written on the entry as its mark. */
export interface NoticeDone {
  readonly at: string;
  readonly result: 'sent' | NoticeSuppression;
}

/** What is known about a skipped mail that decides whether its sender is told. */
export interface NoticeFacts {
  readonly reason: SkipReason;
  /** The strict screening's reason, when it set the mail aside as machine-made or untrustworthy. */
  readonly screened: ScreeningResult['reason'] | null;
  /** The From in canonical form (`null`: none usable), and whether SES authenticated it. */
  readonly sender: { readonly address: string | null; readonly authenticated: boolean };
  /** The address of the mailbox the mail reached; `null` for the default queue or no mailbox. */
  readonly mailboxAddress: string | null;
  readonly messageId: string | null;
  readonly references: readonly string[];
  readonly subject: string;
}

/** Whether and what to tell the sender. */
export type NoticeDecision =
  /** Notices are off, or this skip reason is not one that gets a notice. */
  | { readonly kind: 'none' }
  | { readonly kind: 'suppressed'; readonly reason: NoticeReason; readonly why: NoticeSuppression }
  | { readonly kind: 'notice'; readonly intent: NoticeIntent };

/** A Message-ID fit to repeat in a header: printable ASCII without brackets or spaces, not too long. */
function repeatable(id: string): boolean {
  return id.length <= MAX_MESSAGE_ID_LENGTH && /^[\x21-\x3b\x3d\x3f-\x7e]+$/.test(id);
}

/** The notice's References (RFC 5322 §3.6.4): the refused mail's, then its Message-ID, the last ones kept. */
function referencesOf(facts: NoticeFacts): string[] {
  const ids = [...facts.references, ...(facts.messageId ? [facts.messageId] : [])].filter(repeatable);
  return [...new Set(ids)].slice(-MAX_NOTICE_REFERENCES);
}

/** Decides whether the sender of a skipped mail gets a notice, in the order the module comment gives. */
export function decideNotice(config: Pick<NoticeConfig, 'enabled' | 'reasons'>, facts: NoticeFacts): NoticeDecision {
  const { reason } = facts;
  if (!config.enabled || !isNoticeReason(reason) || !config.reasons.has(reason)) return { kind: 'none' };
  const suppressed = (why: NoticeSuppression): NoticeDecision => ({ kind: 'suppressed', reason, why });
  if (facts.screened) return suppressed(facts.screened);
  if (!facts.sender.address) return suppressed('no-from');
  if (!facts.sender.authenticated) return suppressed('unauthenticated');
  if (!facts.mailboxAddress) return suppressed('no-mailbox-address');
  const inReplyTo = facts.messageId && repeatable(facts.messageId) ? facts.messageId : null;
  return {
    kind: 'notice',
    intent: { reason, to: facts.sender.address, from: facts.mailboxAddress, subject: noticeSubjectOf(facts.subject), inReplyTo, references: referencesOf(facts) },
  };
}
