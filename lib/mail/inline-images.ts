/**
 * Inline images (issue 12, point 3): which attachments a UI shows in place of the HTML's `cid:`
 * references (RFC 2392) rather than listing them as files, and the Content-ID each is recorded
 * with. Pure, and free of the HTML sanitizer, so that the streaming parse can use it.
 */

/**
 * The Content-IDs that `cid:` URLs in HTML name (RFC 2392: the URL is the Content-ID without
 * angle brackets, %-encoded), decoded, without repeats, in order.
 */
export function referencedCids(html: string): string[] {
  const out = new Set<string>();
  for (const match of html.matchAll(/\bcid:([^\s"'<>)]{1,998})/gi)) {
    const raw = match[1] as string;
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // A stray % is taken as written.
    }
    out.add(decoded);
  }
  return [...out];
}

/** What mailparser's `AttachmentStream` says about an attachment that decides whether it is an inline image. */
export interface AttachmentPlacement {
  readonly contentType: string;
  /** `AttachmentStream.cid`: the Content-ID without angle brackets, when the part has one. */
  readonly cid?: string | null | undefined;
  /** `AttachmentStream.related`: whether it sits in a `multipart/related` (RFC 2387). */
  readonly related?: boolean | undefined;
  /** `AttachmentStream.contentDisposition`: `inline`, `attachment`, … */
  readonly contentDisposition?: string | null | undefined;
}

/**
 * The Content-ID to record for an attachment: `AttachmentStream.cid` when it is printable
 * ASCII of at most 250 characters (what a `cid:` URL and S3/DynamoDB metadata can carry),
 * else `null`.
 */
export function recordableContentId(cid: string | null | undefined): string | null {
  if (typeof cid !== 'string') return null;
  const trimmed = cid.trim();
  return trimmed !== '' && trimmed.length <= 250 && /^[\x21-\x7e]+$/.test(trimmed) ? trimmed : null;
}

/**
 * Whether an attachment is an inline image a UI shows in place: an `image/*` part with a
 * Content-ID that the kept HTML references by `cid:`, or that sits in a `multipart/related`
 * without `Content-Disposition: attachment` (RFC 2387 §3.4: the root refers to it).
 */
export function isInlineImage(attachment: AttachmentPlacement, referenced: readonly string[]): boolean {
  const cid = recordableContentId(attachment.cid);
  if (cid === null || !/^image\//i.test(attachment.contentType)) return false;
  if (referenced.includes(cid)) return true;
  return attachment.related === true && (attachment.contentDisposition ?? 'inline').toLowerCase() !== 'attachment';
}
