/**
 * What happens to a mail's attachments while it streams: stored in S3 under the ticket and
 * follow-up (within the attachment policy), or, for a bounce, its small report parts kept to be read.
 */
import { finished as whenStreamEnds, type Readable, Transform } from 'node:stream';
import { refuseAttachment, sanitizeFilename, type AttachmentPolicy } from './mail/attachment-policy.js';
import { drain, type AttachmentSink } from './mail/parse.js';
import type { RawMailStore } from './ports.js';
import { REPORT_PART_TYPES } from './screening/bounce.js';

/** Counts bytes through, and fails once more than `limit` have passed. */
class ByteLimit extends Transform {
  bytes = 0;
  exceeded = false;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.exceeded = true;
      done(new Error(`more than ${this.limit} bytes`));
      return;
    }
    done(null, chunk);
  }
}

/**
 * Pipes `content` into `limit`, and fails `limit` when `content` fails or is closed before its end.
 * `pipe` passes on neither: the upload reading `limit` would wait for ever, holding the mail until
 * the function times out (a part the parser closes because the raw mail's connection was reset
 * mid-attachment; see `forEachPart` in mail/parse.ts).
 */
function pipeInto(content: Readable, limit: ByteLimit): void {
  content.pipe(limit);
  whenStreamEnds(content, (error) => {
    if (error && !limit.destroyed) limit.destroy(error);
  });
}

/**
 * Stores each attachment at `<prefix><n>` unless the policy refuses it (by count, type or
 * extension before reading; by size while streaming, the partial upload then aborted).
 */
export function storingSink(rawMail: RawMailStore, keyPrefix: string, policy: AttachmentPolicy): AttachmentSink {
  let total = 0;
  return {
    async accept(attachment) {
      const filename = sanitizeFilename(attachment.filename);
      const refused = refuseAttachment(policy, attachment.index, filename, attachment.contentType);
      if (refused) {
        await drain(attachment.content);
        return { key: null, filename, refused };
      }
      const perFile = policy.maxBytes;
      const left = policy.maxTotalBytes - total;
      const limit = new ByteLimit(Math.min(perFile, left));
      const key = `${keyPrefix}${attachment.index}`;
      try {
        pipeInto(attachment.content, limit);
        await rawMail.putAttachment(key, limit, { contentType: attachment.contentType, filename });
      } catch (error) {
        if (!limit.exceeded) throw error;
        attachment.content.unpipe(limit);
        await drain(attachment.content);
        return { key: null, filename, refused: perFile <= left ? 'too-large' : 'total-too-large' };
      }
      total += limit.bytes;
      return { key, filename, refused: null };
    },
  };
}

/** The most bytes of one report part that are kept for reading. */
const MAX_REPORT_PART = 64 * 1024;

/** Keeps the machine-readable parts of a delivery report (as text), drains everything else. */
export function reportCapturingSink(parts: { contentType: string; text: string }[]): AttachmentSink {
  return {
    async accept(attachment) {
      const filename = sanitizeFilename(attachment.filename);
      if (!REPORT_PART_TYPES.has(attachment.contentType.toLowerCase())) {
        await drain(attachment.content);
        return { key: null, filename, refused: null };
      }
      const chunks: Buffer[] = [];
      let kept = 0;
      for await (const chunk of attachment.content as AsyncIterable<Buffer>) {
        if (kept < MAX_REPORT_PART) chunks.push(chunk.subarray(0, MAX_REPORT_PART - kept));
        kept += chunk.length;
      }
      parts.push({ contentType: attachment.contentType.toLowerCase(), text: Buffer.concat(chunks).toString('utf8') });
      return { key: null, filename, refused: null };
    },
  };
}

