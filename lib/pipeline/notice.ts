/**
 * Sender notices in the pipeline: the facts of a skipped mail that decide whether its sender is
 * told (`notices/notice-decision.ts`), gathered from the plan — or, for mail too large to read,
 * from its header block alone. The send itself happens after the commit (`notices/notice-outbox.ts`).
 */
import { Readable } from 'node:stream';
import { LIST_HEADERS } from '../mail/raw-headers.js';
import type { MailHeaders } from '../mail/record.js';
import { parseMail, STOP_READING, type HeaderAnswer } from '../mail/parse.js';
import { routingRecipients } from '../mail/routing-recipients.js';
import { routeMail } from '../mailbox.js';
import { decideNotice, type NoticeDecision } from '../notices/notice-decision.js';
import { isNoticeReason, type NoticeReason } from '../notices/notice-reasons.js';
import type { SkipReason } from '../outcomes.js';
import { screenMail } from '../screening/screen.js';
import { readVerdicts } from '../screening/verdicts.js';
import type { PipelineContext } from './context.js';
import { identifySender } from './plan.js';
import type { InboundMail, SenderIdentity, SkipNotice } from './types.js';

/** How much of a mail too large to read is read for its header block. */
export const HEADER_BLOCK_BYTES = 256 * 1024;

/** The decision's part of a skip record. */
function asSkipNotice(decision: NoticeDecision): SkipNotice {
  if (decision.kind === 'notice') return { notice: decision.intent };
  if (decision.kind === 'suppressed') return { noticeReport: { kind: 'suppressed', reason: decision.reason, why: decision.why } };
  return {};
}

/** Mail not to be answered by its header fields: a list's (RFC 2369, RFC 2919), or an empty envelope sender (the topmost Return-Path, which SES writes). */
function unanswerable(headers: MailHeaders): 'mailing-list' | 'null-sender' | null {
  const { extra, raw } = headers;
  if (LIST_HEADERS.some((name) => (raw[name]?.length ?? 0) > 0)) return 'mailing-list';
  const returnPath = extra['return-path']?.[0];
  return returnPath !== undefined && /^\s*<\s*>\s*$/.test(returnPath) ? 'null-sender' : null;
}

/** Decides the notice of a skipped mail from its header block and who sent it. */
function decide(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders, sender: SenderIdentity, reason: SkipReason): SkipNotice {
  const notices = ctx.config.notices;
  // Screened strictly, whatever SKIP_AUTO_REPLIES, SKIP_SPAM and DMARC_FAIL_WITHOUT_POLICY say.
  const strict = { ...ctx.config.screening, skipAutoReplies: true, skipSpam: true, dmarcWithoutPolicy: 'skip' as const };
  const screened = headers.headerCount === 0 ? null : screenMail(headers, readVerdicts(mail.envelope?.verdicts, headers), strict);
  const { recipients } = routingRecipients({ receiptRecipients: mail.envelope?.recipients ?? [], raw: headers.raw });
  return asSkipNotice(
    decideNotice(notices, {
      reason,
      screened: screened?.reason ?? null,
      unanswerable: unanswerable(headers),
      sender,
      mailboxAddress: routeMail(recipients, ctx.config)?.address ?? null,
      messageId: headers.messageId,
      references: headers.references,
      subject: headers.subject,
    }),
  );
}

/** The notice of a mail skipped after it was planned. */
export function noticeOfSkip(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders, sender: SenderIdentity, reason: SkipReason): SkipNotice {
  if (!ctx.notices) return {};
  return decide(ctx, mail, headers, sender, reason);
}

/** The first `limit` bytes of a stream (or all of it, when shorter); the stream is destroyed. */
async function firstBytes(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks, size).subarray(0, limit);
}

/**
 * The notice of a mail skipped unread (`too-large`): its header block is read from the first
 * {@link HEADER_BLOCK_BYTES} of the object, and decided on as for any other mail. A header block
 * that cannot be read gives no notice (`no-from`); a failure to read it, none either (`failed`):
 * the mail's outcome never depends on its notice.
 */
export async function noticeOfUnreadMail(ctx: PipelineContext, mail: InboundMail, reason: SkipReason): Promise<SkipNotice> {
  if (!ctx.notices || !isNoticeReason(reason) || !ctx.config.notices.reasons.has(reason)) return {};
  try {
    return await noticeFromHeaderBlock(ctx, mail, reason);
  } catch (error) {
    return { noticeReport: { kind: 'suppressed', reason, why: 'failed', detail: `reading the header block: ${String(error)}` } };
  }
}

async function noticeFromHeaderBlock(ctx: PipelineContext, mail: InboundMail, reason: NoticeReason): Promise<SkipNotice> {
  const { body } = await ctx.rawMail.open(mail.location);
  const head = await firstBytes(body, HEADER_BLOCK_BYTES);
  let headers: MailHeaders | undefined;
  const onHeaders = async (parsed: MailHeaders): Promise<HeaderAnswer> => {
    headers = parsed;
    return STOP_READING;
  };
  // The body is cut off: a parse error past the header block does not matter.
  await parseMail(Readable.from([head]), { onHeaders }, ctx.extraHeaders).catch(() => undefined);
  if (!headers) return asSkipNotice({ kind: 'suppressed', reason, why: 'no-from' });
  return decide(ctx, mail, headers, identifySender(mail, headers), reason);
}
