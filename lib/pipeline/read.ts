/**
 * The read stage: open the raw mail in S3, refuse it unread when it is over the size limit, and
 * stream it through the parser. The plan is made as soon as the header block is parsed, so that
 * attachments stream straight to where the plan sends them.
 */
import { parseMail, type HeaderAnswer } from '../mail/parse.js';
import type { MailHeaders, MailRecord } from '../mail/record.js';
import type { PipelineContext } from './context.js';
import type { InboundMail } from './types.js';

/** What reading one mail came to. */
export type ReadResult =
  /** S3 reports more bytes than `MAX_MAIL_BYTES`: nothing was read. */
  | { readonly kind: 'too-large'; readonly size: number }
  | { readonly kind: 'parsed'; readonly record: MailRecord };

/**
 * Reads one mail. `onHeaders` is called once with the header block and answers where the
 * attachments go, or `STOP_READING` when the header block decided (the read ends there). Throws
 * `ObjectMissingError`, `MalformedMailError` or `TransientError` (see `parseMail`), and whatever
 * `onHeaders` throws.
 */
export async function readMail(ctx: PipelineContext, mail: InboundMail, onHeaders: (headers: MailHeaders) => Promise<HeaderAnswer>): Promise<ReadResult> {
  const { body, size } = await ctx.rawMail.open(mail.location);
  if (size !== null && size > ctx.config.maxMailBytes) {
    body.destroy();
    return { kind: 'too-large', size };
  }
  const record = await parseMail(body, { onHeaders }, ctx.extraHeaders, size);
  return { kind: 'parsed', record };
}
