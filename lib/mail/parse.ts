/**
 * Streaming parse of one raw mail with mailparser's `MailParser` class. The raw bytes flow through
 * once: attachments are handed to a sink as streams (never buffered here), and the result is a
 * plain {@link MailRecord}.
 */
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MailParser, type AttachmentStream, type MessageText } from 'mailparser';
import { MalformedMailError, TransientError } from '../errors.js';
import { readMailHeaders } from './headers.js';
import { readRawHeaders } from './raw-headers.js';
import type { AttachmentInfo, MailHeaders, MailRecord } from './record.js';

/** One attachment as the parser hands it over: its bytes are a stream that must be read to the end. */
export interface IncomingAttachment {
  readonly index: number;
  readonly filename: string | null;
  readonly contentType: string;
  readonly content: Readable;
}

/** What became of one attachment. */
export interface AcceptedAttachment {
  /** Where it was stored, or `null` when it was not. */
  readonly key: string | null;
  /** The file name as recorded (sanitized). */
  readonly filename: string | null;
  /** Why it was refused, when it was. */
  readonly refused: string | null;
}

/** Where attachments go. It must consume `content` fully before its promise settles. */
export interface AttachmentSink {
  accept(attachment: IncomingAttachment): Promise<AcceptedAttachment>;
}

/** Reads a stream to its end, discarding the bytes. */
export async function drain(content: Readable): Promise<void> {
  content.resume();
  if (content.readableEnded) return;
  await new Promise<void>((resolve, reject) => {
    content.once('end', resolve).once('error', reject);
  });
}

/** A sink that reads and discards every attachment (for mail that will not be applied). */
export const DRAIN_ATTACHMENTS: AttachmentSink = {
  async accept(attachment) {
    await drain(attachment.content);
    return { key: null, filename: attachment.filename, refused: null };
  },
};

/** Hooks the pipeline plugs into the parse. */
export interface ParseHooks {
  /**
   * Called once, as soon as the header block is parsed (or at the end for a mail without one); the
   * sink it answers receives every attachment. The parse waits for it.
   */
  onHeaders(headers: MailHeaders): Promise<AttachmentSink>;
}

const PARSER_OPTIONS = {
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  checksumAlgo: 'sha256',
  maxHtmlLengthToParse: 4 * 1024 * 1024,
  // Delivery reports hand their machine-readable part over as an attachment (see screening/bounce).
  keepDeliveryStatus: true,
  // The parser's own caps on hostile structure, stated here rather than left implicit: a header
  // block over 1 MB, or more than 1,000 MIME parts, makes the mail `malformed`.
  maxHeadSize: 1024 * 1024,
  maxChildNodes: 1000,
} as const;

function isPrematureClose(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

const EMPTY_HEADERS = readMailHeaders(new Map());

/**
 * Parses the raw mail in `source`. Errors of the source stream become {@link TransientError} (the
 * read can be retried); errors of the parser become {@link MalformedMailError}; errors of the sink
 * are passed on as they are.
 */
export async function parseMail(source: Readable, hooks: ParseHooks, extraHeaders?: readonly string[]): Promise<MailRecord> {
  let rawSize = 0;
  let atStart = true;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      rawSize += chunk.length;
      if (!atStart) return done(null, chunk);
      // Blank lines before the header block (a stored file's stray first line) would make the
      // whole mail look header-less: they are dropped.
      let start = 0;
      while (start < chunk.length && (chunk[start] === 0x0a || chunk[start] === 0x0d)) start++;
      if (start < chunk.length) atStart = false;
      done(null, start === 0 ? chunk : chunk.subarray(start));
    },
  });
  const parser = new MailParser(PARSER_OPTIONS);

  // The first real error wins; a "premature close" is only the echo of another stream's failure.
  let failure: unknown;
  const fail = (error: unknown) => {
    if (failure === undefined || isPrematureClose(failure)) failure = error;
  };
  source.once('error', (error) => fail(new TransientError(`reading the raw mail failed: ${error.message}`, { cause: error })));
  parser.once('error', (error: Error) => fail(new MalformedMailError(`MIME parser: ${error.message}`, { cause: error })));

  let headers: MailHeaders | undefined;
  let sink: Promise<AttachmentSink> | undefined;
  parser.once('headers', (parsed) => {
    headers = readMailHeaders(parsed, extraHeaders, readRawHeaders(parser.headerLines || []));
    sink = hooks.onHeaders(headers);
    sink.catch(() => undefined); // awaited below; keep an early rejection from being reported as unhandled
  });

  let text = '';
  const attachments: AttachmentInfo[] = [];
  const consume = async () => {
    for await (const item of parser as AsyncIterable<AttachmentStream | MessageText>) {
      if (item.type === 'text') {
        text = item.text ?? '';
        continue;
      }
      if (!sink) throw new MalformedMailError('attachment before the header block');
      const target = await sink;
      const index = attachments.length;
      const accepted = await target.accept({
        index,
        filename: item.filename ?? null,
        contentType: item.contentType,
        content: item.content,
      });
      item.release?.();
      attachments.push({
        index,
        filename: accepted.filename,
        refused: accepted.refused,
        contentType: item.contentType,
        size: item.size ?? 0,
        sha256: item.checksum ?? '',
        key: accepted.key,
      });
    }
  };

  await Promise.all([
    pipeline(source, meter, parser).catch(fail),
    consume().catch((error: unknown) => {
      fail(error);
      parser.destroy(error instanceof Error ? error : new Error(String(error)));
    }),
  ]);
  if (failure === undefined && !sink) {
    headers = EMPTY_HEADERS;
    sink = hooks.onHeaders(headers);
  }
  if (sink) await sink.catch(fail);
  if (failure !== undefined) throw failure;

  return { ...(headers ?? EMPTY_HEADERS), text, attachments, rawSize };
}
