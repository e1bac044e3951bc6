/**
 * What a follow-up stores besides its attachments (issue 12, points 2 and 3): the full text
 * (inline in the ledger entry when short, else in S3), its new part without quoted history and
 * signature, and its HTML, sanitized, in S3 beside the attachments.
 */
import type { AppliedEntry } from '../ledger-entry.js';
import type { MailRecord } from '../mail/record.js';
import { trimReply } from '../mail/reply-trim.js';
import { cutText } from '../mail/unicode-text.js';
import { followupPrefix, type PipelineContext } from './context.js';
import type { FollowupTarget } from './types.js';

/** Text bodies up to this many bytes are kept in the ledger entry; longer ones go to S3. */
export const MAX_INLINE_BODY_BYTES = 64 * 1024;
/** The most of a follow-up's reply part kept in its ledger entry (the full text is kept beside it). */
const MAX_REPLY_BYTES = 16 * 1024;

/** The new part of a follow-up's text, without quoted history and signature (`reply-trim.ts`), at most 16 KB. */
export function replyOf(text: string): string {
  return cutText(trimReply(text).reply, MAX_REPLY_BYTES, 'utf8-bytes', ' […]').text;
}

/** Keeps a short body inline in the ledger entry; stores a longer one in S3 beside the attachments. */
export async function storeBody(ctx: PipelineContext, record: MailRecord, target: FollowupTarget): Promise<Pick<AppliedEntry, 'body' | 'bodyKey'>> {
  if (Buffer.byteLength(record.text) <= MAX_INLINE_BODY_BYTES) return { body: record.text, bodyKey: null };
  const bodyKey = `${followupPrefix(ctx.config, target)}body.txt`;
  await ctx.rawMail.putText(bodyKey, record.text);
  return { body: null, bodyKey };
}

/** Where the sanitized HTML went, and the Content-IDs it shows by `cid:` (its inline images). */
export interface StoredHtml {
  readonly htmlKey?: string;
  readonly cids: readonly string[];
}

/**
 * Stores the mail's HTML, sanitized (`html-sanitize.ts`), at `body.html` beside the attachments,
 * and answers its key and the `cid:` references it kept; nothing when the mail has no HTML or none worth keeping (too long, too
 * deep, empty once sanitized: the text body has the words). The sanitizer is loaded on the first
 * mail with HTML, not at cold start.
 */
export async function storeHtml(ctx: PipelineContext, record: MailRecord, target: FollowupTarget): Promise<StoredHtml> {
  if (record.html === null) return { cids: [] };
  const { sanitizeMailHtml } = await import('../mail/html-sanitize.js');
  const kept = sanitizeMailHtml(record.html);
  if (kept.html === null) return { cids: [] };
  const htmlKey = `${followupPrefix(ctx.config, target)}body.html`;
  await ctx.rawMail.putText(htmlKey, kept.html, 'text/html');
  return { htmlKey, cids: kept.cids };
}
