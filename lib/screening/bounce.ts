/**
 * Delivery status notifications (RFC 3464 bounces): recognised by their content type, and read
 * for the failed recipients and the Message-ID of the mail that bounced. Pure.
 */
import { normalizeMessageId } from '../mail/message-id.js';
import type { MailHeaders } from '../mail/record.js';

/** Whether the mail is a delivery status notification. */
export function isDeliveryReport(headers: Pick<MailHeaders, 'contentType'>): boolean {
  const { value, params } = headers.contentType;
  return (value === 'multipart/report' && params['report-type'] === 'delivery-status') || value === 'message/delivery-status';
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
  originalMessageId ??= normalizeMessageId(MESSAGE_ID_LINE.exec(bodyText.slice(0, 65_536))?.[1]);
  return { failedRecipients: [...new Set(failed)].slice(0, 50), originalMessageId };
}
