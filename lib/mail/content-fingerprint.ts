/**
 * A fingerprint of a mail's content, for duplicate detection: a mail is a duplicate only when
 * its Message-ID AND this fingerprint match an earlier one. A Message-ID alone is the sender's
 * word: broken mailers reuse one, and anyone who saw a CC'd mail can send another mail under it
 * first. Pure.
 *
 * It holds only what does not change between two deliveries of one mail — what the author's
 * mail program fixed when the mail was written: the From address (canonical), the Date, the
 * Subject, the text and the attachments' contents. It leaves out what each delivery adds or
 * changes: trace and SES headers (`Received`, `X-SES-*`, `Authentication-Results`), envelope
 * recipients (one mail to two of our mailboxes arrives twice), the transfer encoding, header
 * folding, line endings, arrival time and the S3 key.
 *
 * One thing is in it on purpose although a delivery can change it: whether the sender was
 * authenticated. An unauthenticated copy sent first must not swallow the authenticated original;
 * two deliveries of one mail that differ only there are kept apart (at worst one follow-up too
 * many, never one lost).
 */
import type { CanonicalAddress } from './canonical-address.js';
import { sha256Hex } from './message-id.js';

/** What the fingerprint is computed from. */
export interface FingerprintInput {
  /** The sender: `canonicalSender(raw.from)`'s address, `null` when it is not comparable. */
  readonly from: CanonicalAddress | null;
  /** The `Date` header as an ISO string (`MailHeaders.date`), `null` when absent or unreadable. */
  readonly date: string | null;
  /** The decoded subject (`MailHeaders.subject`). */
  readonly subject: string;
  /** The text body (`MailRecord.text`). */
  readonly text: string;
  /** SHA-256 (hex) of each attachment's decoded content, in order (`MailRecord.attachments[].sha256`). */
  readonly attachmentSha256: readonly string[];
  /** Whether the sender was authenticated (`authenticateSender(...).authenticated`). */
  readonly authenticated: boolean;
}

/** Names the recipe: a change of what goes in must change this, so old and new fingerprints never meet. */
const VERSION = 'helpdesk-mail-fingerprint/1';

/**
 * SHA-256 (64 lower-case hex digits) over the fields of {@link FingerprintInput}, serialized
 * unambiguously (a JSON array). The subject's white space is collapsed (folding differs between
 * hops); the text's line endings become LF and its trailing white space is dropped.
 */
export function contentFingerprint(input: FingerprintInput): string {
  const text = input.text.replace(/\r\n?/g, '\n').trimEnd();
  return sha256Hex(
    JSON.stringify([
      VERSION,
      input.from,
      input.date,
      input.subject.replace(/\s+/g, ' ').trim(),
      sha256Hex(text),
      input.attachmentSha256.map((digest) => digest.toLowerCase()),
      input.authenticated,
    ]),
  );
}
