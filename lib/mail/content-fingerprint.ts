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

/** A subject with its white space collapsed: folding differs between hops. */
const collapsedSubject = (subject: string) => subject.replace(/\s+/g, ' ').trim();

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
      collapsedSubject(input.subject),
      sha256Hex(text),
      input.attachmentSha256.map((digest) => digest.toLowerCase()),
      input.authenticated,
    ]),
  );
}

/** What the fingerprint of a mail decided at its header block is computed from. */
export interface HeadersFingerprintInput {
  /** As in {@link FingerprintInput}. */
  readonly from: CanonicalAddress | null;
  readonly date: string | null;
  readonly subject: string;
  readonly authenticated: boolean;
  /** The `In-Reply-To` and `References` Message-IDs (`MailHeaders.inReplyTo`, `.references`), in order. */
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  /** The `To` and `Cc` addresses as the header block names them (`MailHeaders.to`, `.cc`). */
  readonly to: readonly string[];
  readonly cc: readonly string[];
}

/** Names the header-block recipe (never equal to {@link VERSION}: the two kinds never match). */
const HEADERS_VERSION = 'helpdesk-mail-fingerprint/headers-1';

/**
 * The fingerprint of a mail skipped at its header block, whose body is never read (the reasons
 * with `readsBody: false` in `outcomes.ts`): SHA-256 (64 lower-case hex digits) over what the
 * author's mail program fixed in the header block — From, Date, Subject, the thread references and
 * the written recipients — and whether the sender was authenticated; nothing a delivery adds.
 * A second mail under the same Message-ID is a duplicate of such a skip when this matches too
 * (`pipeline/commit.ts`, `assertSameMail`): two deliveries of one mail always match. What it gives
 * up against the content fingerprint: a mail that differs from the skipped one only below its
 * header block (same Message-ID, Date to the second, Subject, references, recipients and
 * authenticated From) is taken for it — a mail program reusing a Message-ID does not also keep
 * the rest; a forger cannot make an unauthenticated copy match an authenticated original.
 */
export function headersFingerprint(input: HeadersFingerprintInput): string {
  const lower = (addresses: readonly string[]) => addresses.map((address) => address.toLowerCase());
  return sha256Hex(
    JSON.stringify([
      HEADERS_VERSION,
      input.from,
      input.date,
      collapsedSubject(input.subject),
      input.inReplyTo,
      input.references,
      lower(input.to),
      lower(input.cc),
      input.authenticated,
    ]),
  );
}
