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

/**
 * The Content-ID to record for an attachment: `AttachmentStream.cid` when it is printable
 * ASCII of at most 250 characters (what a `cid:` URL and S3/DynamoDB metadata can carry),
 * else `null`.
 */
export function recordableContentId(cid: string | null | undefined): string | null {
  if (typeof cid !== 'string') return null;
  const trimmed = cid.trim();
  // (The pattern's `+` refuses the empty string.)
  return trimmed.length <= 250 && /^[\x21-\x7e]+$/.test(trimmed) ? trimmed : null;
}

/**
 * The attachments, each image whose Content-ID the kept HTML shows by `cid:` marked `inline`
 * (a UI shows it in place rather than as a file). Only the KEPT (sanitized) HTML counts: an
 * image referenced from a comment or a removed element, or from HTML that was not kept, is a
 * file like any other, so that it is never hidden.
 */
export function markInlineImages<T extends { readonly contentType: string; readonly contentId?: string }>(attachments: readonly T[], keptHtmlCids: readonly string[]): (T | (T & { readonly inline: true }))[] {
  const shown = new Set(keptHtmlCids);
  return attachments.map((attachment) =>
    attachment.contentId !== undefined && shown.has(attachment.contentId) && /^image\//i.test(attachment.contentType) ? { ...attachment, inline: true as const } : attachment,
  );
}
