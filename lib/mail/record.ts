/** The plain, typed record a raw mail is parsed into. No I/O types leak out of here. */
import type { AttachedMessage } from './forwarded.js';
import type { RawHeaders } from './raw-headers.js';

/** One address from an address header, lower-cased. */
export interface MailAddress {
  readonly address: string;
  readonly name: string;
}

/** What the header block of a mail says; available before the body has been read. */
export interface MailHeaders {
  /** Message-ID without angle brackets, or `null` when the mail has none or a degenerate one (`usableMessageId`). */
  readonly messageId: string | null;
  readonly from: MailAddress | null;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  /**
   * Envelope recipients the headers reveal, most trustworthy first: `Delivered-To`,
   * `X-Original-To`, and the `for <…>` clause of `Received` headers (SES writes one).
   */
  readonly deliveredTo: readonly string[];
  /** The subject, RFC 2047 decoded; `''` when there is none. */
  readonly subject: string;
  /** The `Date` header as an ISO string, or `null` when absent or unparseable. */
  readonly date: string | null;
  /** Message-IDs from `In-Reply-To`. */
  readonly inReplyTo: readonly string[];
  /** Message-IDs from `References`, oldest first as written. */
  readonly references: readonly string[];
  /** How many header fields the mail had; zero means it had no header section. */
  readonly headerCount: number;
  /** The top-level `Content-Type`, lower-cased, with its parameters (`report-type`, …). */
  readonly contentType: { readonly value: string; readonly params: Readonly<Record<string, string>> };
  /**
   * Raw values of the headers the screening reads (lower-cased names, topmost first, each value
   * at most 2,000 characters): `auto-submitted`, `precedence`, `x-ses-virus-verdict`, …
   */
  readonly extra: Readonly<Record<string, readonly string[]>>;
  /**
   * The trust headers as the sender's bytes wrote them (`TRUST_HEADERS` of `raw-headers.ts`: From,
   * To, Cc, Authentication-Results, Received, …), unfolded, not decoded. Whatever decides who sent
   * a mail, what SES said about it and whom SES received it for reads these, never the decoded
   * fields above.
   */
  readonly raw: RawHeaders;
}

/** Metadata of one attachment; the bytes live in S3 at `key` (or were not stored: `key` null). */
export interface AttachmentInfo {
  readonly index: number;
  /** The file name, sanitized (see `attachment-policy.ts`); never part of the S3 key. */
  readonly filename: string | null;
  /** Why the attachment was not stored (a policy refusal), or `null`. */
  readonly refused: string | null;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly key: string | null;
  /**
   * The index of the attachment this file was unpacked from: the `smime.p7m` whose signed content
   * held it, or the `winmail.dat` (TNEF) it came out of. Absent for the mail's own parts.
   */
  readonly unpackedFrom?: number;
  /**
   * An HTML body part beyond the per-mail conversion budget (`MAX_HTML_TO_TEXT_BYTES`), kept as a
   * file instead of converted to text. Absent otherwise.
   */
  readonly unconvertedHtmlBody?: boolean;
  /**
   * The part's Content-ID without angle brackets (RFC 2392), when it has a recordable one
   * (`recordableContentId` of `html-sanitize.ts`): what a `cid:` URL of the HTML names.
   */
  readonly contentId?: string;
  /**
   * An inline image: shown in place of the HTML's `cid:` reference rather than listed as a file
   * (`isInlineImage` of `html-sanitize.ts`). Absent for other attachments.
   */
  readonly inline?: true;
}

/** A fully parsed mail. */
export interface MailRecord extends MailHeaders {
  /**
   * The text body: the text/plain parts, or, when they hold no text, the HTML body parts converted
   * to text (within the per-mail HTML budget).
   */
  readonly text: string;
  /**
   * The HTML body parts within the per-mail budget, joined, as the sender wrote them (NOT
   * sanitized: `html-sanitize.ts` does that before anything is stored); `null` without any.
   */
  readonly html: string | null;
  /** HTML body parts over the budget, stored as attachments instead of converted. */
  readonly htmlNotConverted: number;
  readonly attachments: readonly AttachmentInfo[];
  /** Size of the raw mail in bytes; for a read that stopped at the header block, the bytes read until then. */
  readonly rawSize: number;
  /**
   * Whether the body was read: `false` when the read stopped at the header block (`STOP_READING`
   * in `parse.ts`, for a skip the header block decides); the body fields are then empty.
   */
  readonly bodyRead: boolean;
  /**
   * The opaque-signed S/MIME parts the mail held (its signed content parsed into the body and
   * attachments), in order; empty for unsigned mail. Never verified: see {@link SmimeNote}.
   */
  readonly smime: readonly SmimeNote[];
  /** The TNEF `winmail.dat` parts the mail held, with what unpacking each gave; empty without any. */
  readonly tnef: readonly TnefNote[];
  /**
   * Attached mails (`message/rfc822` parts handed over as attachments), each parsed on its own
   * (its attachments not stored again): the first `MAX_ATTACHED_MESSAGES`, each read up to
   * `MAX_ATTACHED_MESSAGE_BYTES`; larger ones are only attachments. Empty without any. For the
   * forwarding decision (`forwarded.ts`).
   */
  readonly attachedMessages: readonly AttachedMessage[];
  /** How many attached `message/rfc822` parts the mail has, read or not (`attachedMessages` holds those read). */
  readonly attachedMessageParts: number;
}

/**
 * One opaque-signed S/MIME part (RFC 8551 §3.5.2) at attachment `index` (the `.p7m`, kept). When
 * `unwrapped`, its signed MIME entity was parsed as part of the mail: the entity's text is the body
 * when the mail has no text of its own, its attachments follow (`unpackedFrom: index`). The
 * signature is NOT verified (`verified: false`): nothing may show it as "signed by".
 */
export type SmimeNote =
  | { readonly index: number; readonly unwrapped: true; readonly signers: number; readonly certificates: number; readonly verified: false; readonly detail: string | null }
  | { readonly index: number; readonly unwrapped: false; readonly detail: string };

/** One TNEF part at attachment `index` (kept): how many files came out of it, and why not all (or none), when so. */
export interface TnefNote {
  readonly index: number;
  readonly files: number;
  readonly detail: string | null;
}
