/**
 * Delivery status notifications (RFC 3464 bounces): recognised by their content type, and read
 * for the failed recipients and the Message-ID of the mail that bounced. Pure.
 */
import { normalizeMessageId } from '../mail/message-id.js';
import type { MailHeaders } from '../mail/record.js';

/** Senders that write bounces. */
const BOUNCE_SENDER = /^(?:mailer[-_.]?daemon|postmaster)@/i;

/** Subjects of bounces that are not RFC 3464 reports (qmail, old Exchange, hosted mail). */
const BOUNCE_SUBJECT =
  /^\s*(?:failure notice|undeliverable|undelivered mail|undeliverable mail|returned mail|mail delivery (?:failed|failure|system)|delivery (?:status notification|failure|has failed|failed)|message not delivered|nondeliverable|unzustellbar|non remis|non recapitabile|onbestelbaar)/i;

/**
 * Whether the mail is a bounce: a delivery status notification (RFC 3464), a mail with Exim's
 * `X-Failed-Recipients`, or a mailer-daemon/postmaster mail with a bounce subject (qmail and others
 * that send plain text).
 */
export function isDeliveryReport(headers: Pick<MailHeaders, 'contentType' | 'extra' | 'from' | 'subject'>): boolean {
  const { value, params } = headers.contentType;
  if ((value === 'multipart/report' && params['report-type'] === 'delivery-status') || value === 'message/delivery-status') return true;
  if (headers.extra['x-failed-recipients'] !== undefined) return true;
  const sender = headers.from?.address;
  return sender !== undefined && BOUNCE_SENDER.test(sender) && BOUNCE_SUBJECT.test(headers.subject);
}

/** Failed recipients a bounce names in its headers (Exim's `X-Failed-Recipients`). */
export function failedRecipientsFromHeaders(headers: Pick<MailHeaders, 'extra'>): string[] {
  const values = headers.extra['x-failed-recipients'];
  if (values === undefined) return [];
  return values.flatMap((value) => value.split(',')).map((a) => a.trim().toLowerCase()).filter((a) => a.includes('@'));
}

/** MIME types of the report's machine-readable parts, kept (small) to be read. */
export const REPORT_PART_TYPES: ReadonlySet<string> = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
  'message/rfc822',
  'message/rfc822-headers',
  'text/rfc822-headers',
  'message/global-headers',
]);

/** What a bounce says. */
export interface BounceReport {
  readonly failedRecipients: readonly string[];
  /** The Message-ID of the mail that could not be delivered, when the report quotes it. */
  readonly originalMessageId: string | null;
}

const FIELD = /^([A-Za-z-]+)[ \t]*:[ \t]*(.*)$/;
/** qmail's plain-text bounce names each failed recipient on a line of its own: `<a@b.example>:` */
const QMAIL_RECIPIENT = /^<([^<>\s@]+@[^<>\s]+)>:\s*$/gm;
const MESSAGE_ID_LINE = /^message-id[ \t]*:[ \t]*(\S.{0,995})$/im;

/**
 * Reads the report parts (`delivery-status`, then the original message or its headers) and, as a
 * fallback for the Message-ID, the human-readable text.
 */
export function readBounceReport(parts: readonly { contentType: string; text: string }[], bodyText: string): BounceReport {
  const failed: string[] = [];
  let originalMessageId: string | null = null;
  for (const part of parts) {
    if (part.contentType.endsWith('delivery-status')) {
      // Per-recipient blocks are separated by blank lines; a recipient counts when its Action says failed.
      for (const block of part.text.split(/\r?\n[ \t]*\r?\n/)) {
        let recipient: string | null = null;
        let action: string | null = null;
        for (const line of block.split(/\r?\n/)) {
          const field = FIELD.exec(line);
          if (!field) continue;
          const name = (field[1] as string).toLowerCase();
          const value = (field[2] as string).trim();
          if (name === 'final-recipient' || (name === 'original-recipient' && recipient === null)) recipient = value.replace(/^[^;]*;\s*/, '').replace(/^<|>$/g, '');
          if (name === 'action') action = value.toLowerCase();
        }
        if (recipient && (action === null || action.startsWith('failed'))) failed.push(recipient.toLowerCase());
      }
    } else if (originalMessageId === null) {
      originalMessageId = normalizeMessageId(MESSAGE_ID_LINE.exec(part.text.slice(0, 65_536))?.[1]);
    }
  }
  const text = bodyText.slice(0, 65_536);
  originalMessageId ??= normalizeMessageId(MESSAGE_ID_LINE.exec(text)?.[1]);
  if (failed.length === 0) for (const match of text.matchAll(QMAIL_RECIPIENT)) failed.push((match[1] as string).toLowerCase());
  return { failedRecipients: [...new Set(failed)].slice(0, 50), originalMessageId };
}
