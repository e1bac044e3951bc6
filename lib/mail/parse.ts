/**
 * Streaming parse of one raw mail with mailparser's `MailParser` class. The raw bytes flow through
 * once: attachments are handed to a sink as streams (never buffered here), and the result is a
 * plain {@link MailRecord}.
 *
 * HTML body parts are converted to text here, within a budget per mail
 * ({@link MAX_HTML_TO_TEXT_BYTES}, counted after embedded `data:` blobs are cut out, of at most
 * {@link MAX_HTML_RAW_BYTES} read): converting HTML takes about 40 times its size in memory, and
 * mailparser on its own keeps every HTML part whole and converts each one up to 4 MB, with no total
 * (a 39 MB mail of 10 HTML parts took 1.36 GB). Parts beyond the budget are stored as attachments,
 * counted, and not converted.
 *
 * Parts that hold other parts are opened here too (`container-parts.ts`): opaque S/MIME
 * signed-data (its signed content parsed as part of the mail), TNEF `winmail.dat` (its files), and
 * attached mails (read for the forwarding decision). Each is read whole within its bound, one at a
 * time, kept as an attachment, and then opened.
 */
import { createHash } from 'node:crypto';
import { finished as whenStreamEnds, Readable, Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import libmime from 'libmime';
import type { AttachmentStream, Headers, MessageText } from 'mailparser';
import { MalformedMailError, TransientError } from '../errors.js';
import { htmlToPlainText, selectBody, stripEmbeddedBlobs } from './body-selection.js';
import { containerKind, MAX_ATTACHED_MESSAGE_BYTES, MAX_ATTACHED_MESSAGES, MAX_SMIME_BYTES, MAX_SMIME_NESTING, MAX_TNEF_BYTES, type ContainerKind } from './container-parts.js';
import { FidelityMailParser } from './fidelity-parser.js';
import type { AttachedMessage } from './forwarded.js';
import { readMailHeaders } from './headers.js';
import { recordableContentId } from './inline-images.js';
import { readRawHeaders, type RawHeaderLine } from './raw-headers.js';
import type { AttachmentInfo, MailHeaders, MailRecord, SmimeNote, TnefNote } from './record.js';
import { MAX_TNEF_FILES, readTnef } from './tnef.js';

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

/**
 * Reads a stream to its end, discarding the bytes. Rejects when it fails, or was closed before its
 * end — also before this call: a part the parser had handed over when it failed is closed without
 * an error while it waits for the plan's answer, and emits neither `end` nor `error` again.
 */
export async function drain(content: Readable): Promise<void> {
  content.resume();
  await finished(content);
}

/** A sink that reads and discards every attachment (for mail that will not be applied). */
export const DRAIN_ATTACHMENTS: AttachmentSink = {
  async accept(attachment) {
    await drain(attachment.content);
    return { key: null, filename: attachment.filename, refused: null };
  },
};

/**
 * What `onHeaders` answers when the body cannot change the outcome (a skip the header block
 * decides): the parse stops, the source is let go unparsed (read to its end when little is left,
 * else closed: {@link MAX_DRAINED_BYTES}), and the record holds the header block only
 * (`bodyRead: false`).
 */
export const STOP_READING = Symbol('stop reading at the header block');

/** Where the attachments go, or {@link STOP_READING}. */
export type HeaderAnswer = AttachmentSink | typeof STOP_READING;

/** Hooks the pipeline plugs into the parse. */
export interface ParseHooks {
  /**
   * Called once, as soon as the header block is parsed (or at the end for a mail without one); the
   * sink it answers receives every attachment, or {@link STOP_READING} ends the read. The parse
   * waits for it before it hands over the first attachment.
   */
  onHeaders(headers: MailHeaders): Promise<HeaderAnswer>;
}

/** Stands for the sink of a read that stopped: a part taken meanwhile is closed unread. */
const UNREAD: AttachmentSink = {
  async accept(attachment) {
    attachment.content.destroy();
    // Stryker disable next-line StringLiteral: a stopped read's record holds the header block only (headerBlockOnly), never this
    return { key: null, filename: attachment.filename, refused: 'not read: the header block decided the outcome' };
  },
};

/** Ends the parser of a read that stopped (an error, so that a part being read fails instead of waiting for bytes that never come). */
class ReadStopped extends Error {}

/**
 * HTML body parts are converted to text up to this many bytes per mail in all; a part that would go
 * beyond it is stored as an attachment instead (`unconvertedHtmlBody`), not converted. 2 MiB of
 * HTML takes about 110 MB more to convert: one mail at a time, that stays well within the
 * function's 512 MB. Real mail carries a few hundred KB of HTML at most.
 */
export const MAX_HTML_TO_TEXT_BYTES = 2 * 1024 * 1024;

/** As deep as mailparser lets html-to-text go. */
const MAX_HTML_DEPTH = 1000;

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
 * Whether an attachment stream is in fact an HTML body part (no file name, not an attachment by its
 * Content-Disposition), which mailparser would have treated as text.
 */
function isHtmlBody(item: AttachmentStream): boolean {
  return item.contentType === 'text/html' && !item.filename && (item.contentDisposition === undefined || item.contentDisposition === 'inline');
}

/**
 * Decodes bytes of a charset as mailparser decodes text parts (libmime: aliases, UTF-7 refused; no
 * charset, an empty or an unknown one is UTF-8).
 */
async function decodeText(bytes: Buffer, charset: string | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  const decoder = libmime.createDecodeStream(charset);
  decoder.on('data', (chunk: Buffer) => chunks.push(chunk));
  await pipeline(Readable.from([bytes]), decoder);
  return Buffer.concat(chunks).toString('utf8').replaceAll('\r\n', '\n');
}

/**
 * Most raw bytes of HTML body parts read into memory per mail, embedded blobs included: a pasted
 * photo as a `data:` URI makes a few words of HTML several megabytes. The blobs are cut out of
 * what was read, and {@link MAX_HTML_TO_TEXT_BYTES} applies to what is left (the words).
 */
export const MAX_HTML_RAW_BYTES = 12 * 1024 * 1024;

/** An HTML body part read: `kept` (decoded, its blobs cut), or `over` with a stream of the whole part for the sink. */
type TakenHtml = { readonly kind: 'kept'; readonly html: string; readonly rawBytes: number } | { readonly kind: 'over'; readonly stream: Readable };

/** A stream of `read` chunks, then the rest of `iterator`. */
function replay(read: Buffer[], iterator: AsyncIterator<Buffer>): Readable {
  async function* whole() {
    yield* read.splice(0);
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return Readable.from(whole(), { objectMode: false });
}

/**
 * Reads a part (an HTML body part, or a container part, see `container-parts.ts`) while it fits in `left` bytes: `kept`
 * with its bytes, or `over` with a stream of the whole part (what was read, then the rest) for the sink.
 */
async function takeWithin(content: Readable, left: number): Promise<{ readonly kind: 'kept'; readonly bytes: Buffer } | { readonly kind: 'over'; readonly stream: Readable }> {
  const read: Buffer[] = [];
  let size = 0;
  const iterator = (content as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { kind: 'kept', bytes: Buffer.concat(read.splice(0), size) };
    read.push(next.value);
    size += next.value.length;
    if (size > left) return { kind: 'over', stream: replay(read, iterator) };
  }
}

/**
 * Reads an HTML body part while its raw bytes fit in `rawLeft` ({@link takeWithin}), then cuts its
 * embedded blobs (`stripEmbeddedBlobs`): `kept` when what is left fits in `htmlLeft` bytes;
 * otherwise `over`, with a stream of the whole part as written for the sink.
 */
async function takeHtml(content: Readable, charset: string | undefined, rawLeft: number, htmlLeft: number): Promise<TakenHtml> {
  const taken = await takeWithin(content, rawLeft);
  if (taken.kind === 'over') return taken;
  const decoded = await decodeText(taken.bytes, charset);
  const html = taken.bytes.length <= htmlLeft ? decoded : stripEmbeddedBlobs(decoded).html;
  if (Buffer.byteLength(html) > htmlLeft) return { kind: 'over', stream: Readable.from([taken.bytes], { objectMode: false }) };
  return { kind: 'kept', html, rawBytes: taken.bytes.length };
}

/**
 * The text of HTML parts: their embedded blobs (`data:` URIs, a pasted photo's base64) cut out
 * first, so that the caps apply to words, not pictures (see `body-selection.ts`).
 */
function htmlPartsToText(parts: readonly string[]): string {
  return parts
    .map((html) => selectBody({ html }, (cleaned) => htmlToPlainText(cleaned, { maxHtmlChars: MAX_HTML_TO_TEXT_BYTES, maxDepth: MAX_HTML_DEPTH })).text)
    // selectBody answers words (trimmed) or ''.
    .filter((text) => text !== '')
    .join('\n');
}

/** The parameters of a part's Content-Type (`smime-type`, `name`, …). */
function contentTypeParams(item: AttachmentStream): Readonly<Record<string, string>> {
  const value = item.headers.get('content-type') as { params?: Record<string, string> } | undefined;
  return value?.params ?? {};
}

/**
 * Bytes held in memory as a byte stream for a sink or a parser: views, not copies, in chunks of
 * 64 KiB, so that a parser reading it keeps to its pace (one whole chunk of 30 MiB would have it
 * decode the lot at once, and hold it).
 */
function heldStream(bytes: Uint8Array): Readable {
  const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Readable.from(
    (function* () {
      // Stryker disable next-line EqualityOperator: one more, empty chunk at the end is no bytes in a byte stream
      for (let at = 0; at < whole.length; at += 64 * 1024) yield whole.subarray(at, at + 64 * 1024);
    })(),
    { objectMode: false },
  );
}

/**
 * The text of a mail: its own text parts (`later`: the parser hands them over at the end) and the
 * text of signed content opened before (`earlier`, S/MIME): both when both hold words, else the
 * one that does.
 */
function joinTexts(later: string, earlier: string): string {
  if (earlier.trim() === '') return later;
  return later.trim() === '' ? earlier : `${later}\n${earlier}`;
}

/** The bytes of a container part read whole, held until it is opened (and let go of as soon as they are not needed). */
interface Held {
  bytes: Uint8Array;
}

/**
 * How long the bytes after the header block wait for the parser to announce the header block before
 * they flow anyway. The parser announces it as soon as it has the blank line that ends it, so this
 * never fires on mail it can read; it only rules out a parse that waits for ever on a mail the two
 * disagree about.
 */
const HEADER_GATE_GUARD_MS = 2000;

/** Opens once: the bytes after the header block may flow. */
class HeaderGate {
  private openGate!: () => void;
  readonly opened = new Promise<void>((resolve) => {
    this.openGate = resolve;
  });
  isOpen = false;
  open(): void {
    // Stryker disable next-line BooleanLiteral: a fast path only; held bytes pass all the same once `opened` has settled
    this.isOpen = true;
    this.openGate();
  }
}

/**
 * The bytes mailparser gathers before it parses any (its `ChunkedPassthrough`, 64 KiB by default):
 * the header block reaches the parser only with them.
 */
const PARSER_CHUNK_BYTES = 64 * 1024;

/**
 * Counts the raw bytes, drops blank lines before the header block, and holds the bytes after the
 * header block back until `gate` opens, when the header block was answered: past the header block's
 * blank line (as the parser finds it: a line that is only LF or CR LF), and as far as the parser
 * needs to see it (it parses bytes only in batches of {@link PARSER_CHUNK_BYTES}: up to the first
 * batch's end, or, for a header block longer than that, one batch past the blank line), nothing
 * more goes in, and the source waits. So a read the answer stops (`STOP_READING`) has read at most
 * that much of the body. `onHold` is called when bytes are held back (once: after that the gate
 * opens before the next bytes come).
 */
function rawMeter(gate: HeaderGate, onHold: () => void): { readonly stream: Transform; size(): number } {
  let rawSize = 0;
  let passed = 0;
  let atStart = true;
  // Scanning the header block for its blank line: whether the last byte was LF, and whether a CR followed it.
  // (Their first values never count: the scan starts at a byte that is neither, see `atStart`.)
  // Stryker disable next-line BooleanLiteral: the first byte scanned is neither LF nor CR (blank lines before the header block are dropped), and sets it
  let afterLf = false;
  // Stryker disable next-line BooleanLiteral: read only after an LF, which resets it
  let crAfterLf = false;
  /** How many bytes the parser is given before the answer: known once the header block's blank line is. */
  let limit = Number.POSITIVE_INFINITY;
  /** The bytes of `chunk` up to and with the header block's blank line, or 0 when it holds no end of it. */
  const endOfHeaderBlock = (chunk: Buffer): number => {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0x0a && afterLf) return i + 1;
      if (byte === 0x0d && afterLf && !crAfterLf) {
        crAfterLf = true;
        continue;
      }
      afterLf = byte === 0x0a;
      crAfterLf = false;
    }
    return 0;
  };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      rawSize += chunk.length;
      let data = chunk;
      if (atStart) {
        // Blank lines before the header block (a stored file's stray first line) would make the
        // whole mail look header-less: they are dropped.
        let start = 0;
        while (data[start] === 0x0a || data[start] === 0x0d) start++;
        if (start === data.length) return done();
        atStart = false;
        data = data.subarray(start);
      }
      if (gate.isOpen) return done(null, data);
      if (limit === Number.POSITIVE_INFINITY) {
        const end = endOfHeaderBlock(data);
        if (end > 0) limit = passed + end <= PARSER_CHUNK_BYTES ? PARSER_CHUNK_BYTES : passed + end + PARSER_CHUNK_BYTES;
      }
      const free = limit - passed;
      if (free >= data.length) {
        passed += data.length;
        return done(null, data);
      }
      if (free > 0) this.push(data.subarray(0, free));
      onHold();
      const rest = data.subarray(free);
      gate.opened.then(() => done(null, rest), done);
    },
  });
  return { stream, size: () => rawSize };
}

/**
 * What the parser hands over after the header block, collected: the text parts, HTML body parts
 * within the per-mail conversion budget, and every attachment through the sink; container parts
 * (S/MIME, TNEF, attached mails) are opened as they come ({@link takeAndOpen}).
 */
class PartCollector {
  text = '';
  readonly attachments: AttachmentInfo[] = [];
  readonly htmlParts: string[] = [];
  htmlNotConverted = 0;
  private htmlBudget = MAX_HTML_TO_TEXT_BYTES;
  private htmlRawBudget = MAX_HTML_RAW_BYTES;
  readonly smime: SmimeNote[] = [];
  readonly tnef: TnefNote[] = [];
  readonly attachedMessages: AttachedMessage[] = [];
  /** Attached mails read so far (at most `MAX_ATTACHED_MESSAGES`), and TNEF files that may still be unpacked. */
  /** Attached-mail parts met, read or not (over the bound, past the first few, unreadable). */
  attachedRead = 0;
  private tnefFilesLeft = MAX_TNEF_FILES;
  /** S/MIME layers being opened around the part now taken, and their bytes held. */
  private smimeDepth = 0;
  private smimeHeld = 0;
  /** What opening the container part just taken does, once it is recorded (see {@link takeAndOpen}). */
  private opening: ((sink: AttachmentSink, index: number) => Promise<void>) | undefined;

  /** `opens`: whether container parts are opened (not inside an attached mail, read for its text only). */
  constructor(private readonly opens = true) {}

  /** Takes one part (see {@link take}), then opens it when it is a container part. */
  async takeAndOpen(item: AttachmentStream | MessageText, sink: Promise<AttachmentSink> | undefined): Promise<void> {
    await this.take(item, sink);
    const opening = this.opening;
    this.opening = undefined;
    if (opening && sink) await opening(await sink, this.attachments.length - 1);
  }

  /** Takes one part; an attachment goes through `sink`, which must consume it. */
  async take(item: AttachmentStream | MessageText, sink: Promise<AttachmentSink> | undefined): Promise<void> {
    if (item.type === 'text') {
      this.text = joinTexts(item.text ?? '', this.text);
      return;
    }
    if (!sink) throw new MalformedMailError('attachment before the header block');
    let content: Readable = item.content;
    const htmlBody = isHtmlBody(item);
    if (htmlBody) {
      const taken = await takeHtml(item.content, contentTypeParams(item).charset, this.htmlRawBudget, this.htmlBudget);
      if (taken.kind === 'kept') {
        this.htmlBudget -= Buffer.byteLength(taken.html);
        this.htmlRawBudget -= taken.rawBytes;
        this.htmlParts.push(taken.html);
        item.release?.();
        return;
      }
      this.htmlNotConverted += 1;
      content = taken.stream;
    } else if (this.opens) content = await this.readContainer(item);
    const index = this.attachments.length;
    const accepted = await (await sink).accept({ index, filename: item.filename ?? null, contentType: item.contentType, content });
    item.release?.();
    const contentId = recordableContentId(item.cid);
    this.attachments.push({
      index,
      filename: accepted.filename,
      refused: accepted.refused,
      contentType: item.contentType,
      size: item.size ?? 0,
      sha256: item.checksum ?? '',
      key: accepted.key,
      ...(htmlBody ? { unconvertedHtmlBody: true } : {}),
      ...(contentId !== null ? { contentId } : {}),
    });
  }

  /** The text parts; without any text in them, the HTML parts converted (as mailparser did). */
  body(): string {
    return this.text.trim() === '' && this.htmlParts.length > 0 ? htmlPartsToText(this.htmlParts) : this.text;
  }

  /** The HTML body parts as written (embedded blobs cut), joined; `null` without any. */
  html(): string | null {
    return this.htmlParts.length > 0 ? this.htmlParts.join('\n') : null;
  }

  /**
   * Reads a container part whole within its bound and plans its opening; answers the stream the
   * sink stores (the bytes read, or, over the bound, those and the rest: then it is only an
   * attachment). Other parts pass as they are.
   */
  private async readContainer(item: AttachmentStream): Promise<Readable> {
    const kind = containerKind(item.contentType, contentTypeParams(item), item.filename ?? null);
    if (kind === null) return item.content;
    const bound = this.boundOf(kind);
    if (typeof bound === 'string') {
      this.opening = async (_sink, index) => this.noteUnopened(kind, index, bound);
      return item.content;
    }
    const taken = await takeWithin(item.content, bound);
    if (taken.kind === 'over') {
      this.opening = async (_sink, index) => this.noteUnopened(kind, index, `over ${bound} bytes`);
      return taken.stream;
    }
    const held: Held = { bytes: taken.bytes };
    this.opening = (sink, index) => this.open(kind, held, sink, index);
    return heldStream(taken.bytes);
  }

  /** How many bytes of a container part are read, or why it is not read at all. */
  private boundOf(kind: ContainerKind): number | string {
    if (kind === 'tnef') return MAX_TNEF_BYTES;
    // Stryker disable next-line StringLiteral: an attached mail not read is noted nowhere (noteUnopened), only counted
    if (kind === 'attached-message') return this.attachedRead++ < MAX_ATTACHED_MESSAGES ? MAX_ATTACHED_MESSAGE_BYTES : 'enough attached mails read';
    // All S/MIME layers open at once share one bound: the bytes held stay within it, however nested.
    return this.smimeDepth < MAX_SMIME_NESTING ? MAX_SMIME_BYTES - this.smimeHeld : `more than ${MAX_SMIME_NESTING} S/MIME layers`;
  }

  private noteUnopened(kind: ContainerKind, index: number, detail: string): void {
    if (kind === 'smime-signed') this.smime.push({ index, unwrapped: false, detail });
    else if (kind === 'tnef') this.tnef.push({ index, files: 0, detail: `not unpacked: ${detail}` });
  }

  /** Opens a container part read whole (recorded as attachment `index`). */
  private async open(kind: ContainerKind, held: Held, sink: AttachmentSink, index: number): Promise<void> {
    if (kind === 'smime-signed') return this.openSigned(held, sink, index);
    if (kind === 'tnef') return this.unpackTnef(held.bytes, sink, index);
    const message = await readAttachedMessage(held.bytes);
    if (message) this.attachedMessages.push(message);
  }

  /**
   * Opens opaque-signed S/MIME (`smime.ts`, loaded only now: PKI.js is large and most mail is not
   * signed) and parses its signed content into this mail: its text, HTML and attachments (through
   * the same sink, indices continuing). Nothing is verified.
   */
  private async openSigned(held: Held, sink: AttachmentSink, index: number): Promise<void> {
    const { unwrapOpaqueSigned } = await import('./smime.js');
    const size = held.bytes.length;
    const result = unwrapOpaqueSigned(held.bytes);
    // Only the signed content is needed from here on (a view into the .p7m for DER, a copy for BER).
    held.bytes = new Uint8Array();
    if (result.kind === 'not-opened') return this.noteUnopened('smime-signed', index, result.detail);
    const note = { index, unwrapped: true as const, signers: result.signers, certificates: result.certificates, verified: false as const, detail: null };
    const at = this.smime.push(note) - 1;
    const first = this.attachments.length;
    this.smimeDepth += 1;
    this.smimeHeld += size;
    try {
      const parsed = await parseHeld(result.entity, (part) => this.takeAndOpen(part, Promise.resolve(sink)));
      if (parsed.error !== null) this.smime[at] = { ...note, detail: `the signed content is not well-formed MIME: ${parsed.error}` };
    } finally {
      this.smimeDepth -= 1;
      this.smimeHeld -= size;
    }
    this.markUnpacked(first, index);
  }

  /**
   * Stores the files of a TNEF part as attachments of their own (the attachment policy applies to
   * each); at most `MAX_TNEF_FILES` per mail, however many winmail.dat it holds.
   */
  private async unpackTnef(bytes: Uint8Array, sink: AttachmentSink, index: number): Promise<void> {
    const read = readTnef(bytes);
    const files = read.files.slice(0, this.tnefFilesLeft);
    this.tnefFilesLeft -= files.length;
    const detail = files.length < read.files.length ? [read.detail, `only ${MAX_TNEF_FILES} files unpacked per mail`].filter(Boolean).join('; ') : read.detail;
    for (const file of files) {
      const contentType = file.contentType ?? (file.filename ? libmime.detectMimeType(file.filename) : 'application/octet-stream');
      const at = this.attachments.length;
      const accepted = await sink.accept({ index: at, filename: file.filename, contentType, content: heldStream(file.bytes) });
      const sha256 = createHash('sha256').update(file.bytes).digest('hex');
      this.attachments.push({ index: at, filename: accepted.filename, refused: accepted.refused, contentType, size: file.bytes.length, sha256, key: accepted.key, unpackedFrom: index });
    }
    this.tnef.push({ index, files: files.length, detail });
  }

  /** Marks the attachments from `first` on as unpacked from attachment `index` (unless a deeper container claimed them). */
  private markUnpacked(first: number, index: number): void {
    for (const [i, attachment] of this.attachments.entries()) {
      if (i >= first && attachment.unpackedFrom === undefined) this.attachments[i] = { ...attachment, unpackedFrom: index };
    }
  }
}

/** A MailParser for the gateway: its options, and HTML body parts handed over as streams. */
function gatewayParser(): FidelityMailParser {
  // A text part with a file name is a file, and a text part without a charset is sniffed (fidelity-parser.ts).
  const parser = new FidelityMailParser(PARSER_OPTIONS);
  // Only text/plain stays text for mailparser: HTML body parts come out as attachment streams, so
  // that they are read once, within the budget, instead of kept whole and converted by mailparser.
  // (`textTypes` is mailparser's list of the content types it collects as text; a test checks that
  // HTML still arrives here.)
  (parser as unknown as { textTypes: string[] }).textTypes = ['text/plain'];
  return parser;
}

/**
 * Runs `onPart` over each part the parser hands over, in order. When the parser fails, the part
 * being read fails with it: mailparser leaves that part's stream open, and whatever reads it (a
 * sink draining it, an upload) would wait for ever, holding the mail until the function times out
 * and the mail is delivered again and again. (Without a listener the stream is only closed, so
 * that a stray error cannot crash the process.) `failed.parser` is set when the parser failed:
 * an error of `onPart` after it is the echo of that failure, not the sink's own.
 */
async function forEachPart(parser: FidelityMailParser, onPart: (part: AttachmentStream | MessageText) => Promise<void>, failed: { parser?: Error } = {}): Promise<void> {
  let reading: Readable | undefined;
  let partFailed = false;
  parser.once('error', (error: Error) => {
    // The parser destroyed because a part failed reports that failure again: it is not the parser's.
    if (partFailed) return;
    failed.parser = error;
    if (reading && !reading.destroyed) reading.destroy(reading.listenerCount('error') > 0 ? error : undefined);
  });
  for await (const part of parser as AsyncIterable<AttachmentStream | MessageText>) {
    reading = part.type === 'attachment' ? part.content : undefined;
    try {
      await onPart(part);
    } catch (error) {
      // After a failure of the parser, its listener has run (once): this is then never read.
      partFailed = true;
      throw error;
    }
    reading = undefined;
  }
}

/** A MIME entity held in memory, parsed: its header block, and why the parser refused it, if it did. */
interface HeldParse {
  readonly headers: Headers;
  readonly lines: readonly RawHeaderLine[];
  readonly error: string | null;
}

/**
 * Parses a MIME entity held in memory (signed content, an attached mail) with the gateway's parser,
 * each part to `onPart`. The entity is the sender's: a parser error is answered (`error`), for the
 * caller to record, not thrown; errors of `onPart` (the sink's) are thrown.
 */
async function parseHeld(bytes: Uint8Array, onPart: (part: AttachmentStream | MessageText) => Promise<void>): Promise<HeldParse> {
  const parser = gatewayParser();
  let parserError: unknown;
  let partError: { readonly error: unknown } | undefined;
  const failed: { parser?: Error } = {};
  const consume = () =>
    forEachPart(
      parser,
      async (part) => {
        try {
          await onPart(part);
        } catch (error) {
          partError = { error };
          throw error;
        }
      },
      failed,
    );
  await Promise.all([
    pipeline(heldStream(bytes), parser).catch((error: unknown) => (parserError ??= error)),
    consume().catch((error: unknown) => {
      parserError ??= error;
      parser.destroy(error instanceof Error ? error : new Error(String(error)));
    }),
  ]);
  // A sink's own error is thrown (the mail is retried); one that only echoes the parser's failure is not.
  if (partError && !failed.parser) throw partError.error;
  if (failed.parser) parserError = failed.parser;
  const error = parserError === undefined ? null : parserError instanceof Error ? parserError.message : String(parserError);
  return { headers: parser.headers || new Map(), lines: parser.headerLines || [], error };
}

/** An attached mail read for its header block and text (its attachments drained); `null` when it is not well-formed. */
async function readAttachedMessage(bytes: Uint8Array): Promise<AttachedMessage | null> {
  const parts = new PartCollector(false);
  const drained = Promise.resolve(DRAIN_ATTACHMENTS);
  const held = await parseHeld(bytes, (part) => parts.take(part, drained));
  if (held.error !== null) return null;
  const raw = readRawHeaders(held.lines);
  const headers = readMailHeaders(held.headers, [], raw);
  return { raw, subject: headers.subject, text: parts.body(), date: headers.date };
}

/**
 * How the raw bytes flow into one parse: through the meter, whose gate holds the body back until
 * the header block is answered (see {@link rawMeter}); the gate opens when the answer came, when the
 * parse failed or ended, or (a guard) when the parser did not announce the header block. `letGo`
 * unhooks the source from a read that stopped: read to its end unparsed, or closed (see
 * {@link MAX_DRAINED_BYTES}).
 *
 * A failed source fails the meter (and so the parse) and is told to `onSourceFailed` as a
 * {@link TransientError}: one that errs, and one closed before its end without an error, which
 * would otherwise leave the parse waiting for ever for bytes that never come (Node closes an HTTP
 * response whose connection was reset without an error when nothing listened for one at that
 * moment: an S3 body reset before the parse began; `finished` also sees a source closed already).
 */
function bodyFlow(source: Readable, parser: FidelityMailParser, sourceBytes: number | null | undefined, onSourceFailed: (error: TransientError) => void) {
  const gate = new HeaderGate();
  let announced = false;
  parser.once('headers', () => {
    announced = true;
  });
  const meter = rawMeter(gate, () => {
    setTimeout(() => {
      if (!announced) gate.open();
    }, HEADER_GATE_GUARD_MS).unref();
  });
  parser.once('error', () => gate.open());
  parser.once('close', () => gate.open());
  // A failure once the parse has its result changes nothing: a stopped read answers its header
  // block whatever the source does next, and a failed one keeps its first failure (`fail`).
  whenStreamEnds(source, (error) => {
    if (!error) return;
    gate.open();
    const closedEarly = isPrematureClose(error);
    const failed = new TransientError(`reading the raw mail failed: ${closedEarly ? 'the stream closed before its end' : error.message}`, { cause: error });
    onSourceFailed(failed);
    meter.stream.destroy(closedEarly ? failed : error);
  });
  const letGo = () => {
    source.unpipe(meter.stream);
    const left = sourceBytes === undefined || sourceBytes === null ? Number.POSITIVE_INFINITY : sourceBytes - meter.size();
    if (left > MAX_DRAINED_BYTES) return void source.destroy();
    source.on('error', () => undefined);
    source.resume();
  };
  return { gate, meter, letGo };
}

/**
 * A read that stops at the header block ({@link STOP_READING}) with at most this many bytes of a
 * source of known size left reads them to the end without parsing them, rather than closing the
 * source: an S3 response read to its end leaves its connection (and, on AWS, its TLS session) to
 * the next request, where a closed one costs a new connection; discarding a few MiB costs less
 * (`npm run bench`, p2_ratio_1mb_skip). A larger rest is closed unread.
 */
export const MAX_DRAINED_BYTES = 4 * 1024 * 1024;

/**
 * Parses the raw mail in `source` (`sourceBytes`: its size when known, as S3 reports it). Errors of
 * the source stream become {@link TransientError} (the read can be retried); errors of the parser
 * become {@link MalformedMailError}; errors of the sink are passed on as they are.
 */
export async function parseMail(source: Readable, hooks: ParseHooks, extraHeaders?: readonly string[], sourceBytes?: number | null): Promise<MailRecord> {
  const parser = gatewayParser();
  // The first real error wins; a "premature close" is only the echo of another stream's failure.
  let failure: unknown;
  const fail = (error: unknown) => {
    if (failure === undefined || isPrematureClose(failure)) failure = error;
  };
  const { gate, meter, letGo } = bodyFlow(source, parser, sourceBytes, fail);
  parser.once('error', (error: Error) => fail(new MalformedMailError(`MIME parser: ${error.message}`, { cause: error })));

  // STOP_READING: the source is let go (read to its end unparsed, or closed: see MAX_DRAINED_BYTES)
  // and the parser ended; what either reports after that (a premature close, the parser's end, a
  // malformed body met before the answer came) is moot.
  let stopped = false;
  const stop = () => {
    stopped = true;
    letGo();
    parser.destroy(new ReadStopped('the header block decided the outcome'));
  };
  let headers: MailHeaders | undefined;
  let sink: Promise<AttachmentSink> | undefined;
  const ask = (block: MailHeaders) => {
    const answer = hooks.onHeaders(block);
    sink = answer.then((answered) => {
      if (answered !== STOP_READING) return answered;
      stop();
      return UNREAD;
    });
    // The body flows once answered; handling the rejection here also keeps an early one (awaited below) from being reported as unhandled.
    sink.then(() => gate.open(), () => gate.open());
  };
  parser.once('headers', (parsed) => {
    headers = readMailHeaders(parsed, extraHeaders, readRawHeaders(parser.headerLines || []));
    ask(headers);
  });

  const parts = new PartCollector();
  const consume = () => forEachPart(parser, (item) => parts.takeAndOpen(item, sink));
  // The source is piped by hand, not a stage of the pipeline: a stopped read lets it go on its own.
  source.pipe(meter.stream);
  await Promise.all([
    pipeline(meter.stream, parser).catch(fail),
    consume().catch((error: unknown) => {
      fail(error);
      parser.destroy(error instanceof Error ? error : new Error(String(error)));
    }),
  ]);
  // A parse that failed leaves the source mid-way: close it (after a whole read, this does nothing).
  if (!stopped) source.destroy();
  if (failure === undefined && !sink) {
    headers = EMPTY_HEADERS;
    ask(headers);
  }
  if (sink) await sink.catch(fail);
  if (stopped && headers) return headerBlockOnly(headers, meter.size());
  if (failure !== undefined) throw failure;
  return {
    ...(headers ?? EMPTY_HEADERS),
    text: parts.body(),
    html: parts.html(),
    attachedMessages: parts.attachedMessages,
    attachedMessageParts: parts.attachedRead,
    smime: parts.smime,
    tnef: parts.tnef,
    attachments: parts.attachments,
    rawSize: meter.size(),
    htmlNotConverted: parts.htmlNotConverted,
    bodyRead: true,
  };
}

/** The record of a read that stopped at the header block: no body, whatever was parsed of it. */
function headerBlockOnly(headers: MailHeaders, rawSize: number): MailRecord {
  return { ...headers, text: '', html: null, attachedMessages: [], attachedMessageParts: 0, smime: [], tnef: [], attachments: [], rawSize, htmlNotConverted: 0, bodyRead: false };
}
