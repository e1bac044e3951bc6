/**
 * Streaming parse of one raw mail with mailparser's `MailParser` class. The raw bytes flow through
 * once: they are hashed on the way, attachments are handed to a sink as streams (never buffered
 * here), and the result is a plain {@link MailRecord}.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MailParser, type AttachmentStream, type MessageText } from 'mailparser';
import { MalformedMailError, TransientError } from '../errors.js';
import { readMailHeaders } from './headers.js';
import type { AttachmentInfo, MailHeaders, MailRecord } from './record.js';

/** One attachment as the parser hands it over: its bytes are a stream that must be read to the end. */
export interface IncomingAttachment {
  readonly index: number;
  readonly filename: string | null;
  readonly contentType: string;
  readonly content: Readable;
}

/** Where attachments go. It must consume `content` fully before its promise settles. */
export interface AttachmentSink {
  /** Stores the attachment and answers its key, or drains it and answers `null`. */
  accept(attachment: IncomingAttachment): Promise<string | null>;
}

/** A sink that reads and discards every attachment (for mail that will not be applied). */
export const DRAIN_ATTACHMENTS: AttachmentSink = {
  async accept(attachment) {
    attachment.content.resume();
    await new Promise<void>((resolve, reject) => {
      attachment.content.once('end', resolve).once('error', reject);
    });
    return null;
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
export async function parseMail(source: Readable, hooks: ParseHooks): Promise<MailRecord> {
  const hash = createHash('sha256');
  let rawSize = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      rawSize += chunk.length;
      done(null, chunk);
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
    headers = readMailHeaders(parsed);
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
      const key = await target.accept({
        index,
        filename: item.filename ?? null,
        contentType: item.contentType,
        content: item.content,
      });
      item.release?.();
      attachments.push({
        index,
        filename: item.filename ?? null,
        contentType: item.contentType,
        size: item.size ?? 0,
        sha256: item.checksum ?? '',
        key,
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

  return { ...(headers ?? EMPTY_HEADERS), text, attachments, rawSize, rawSha256: hash.digest('hex') };
}
