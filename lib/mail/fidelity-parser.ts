/**
 * mailparser's `MailParser` with two rules of issue 12 applied where only the parser can apply
 * them, per MIME part, before it decodes the part or joins it to the body:
 * - a `text/plain` or `text/html` part with a file name or a non-inline disposition is an
 *   attachment ({@link isTextPartAttachment}), not glued onto the body;
 * - a text part that declares no charset is decoded in the charset its bytes show
 *   ({@link decodeUndeclared}: ISO-2022-JP, UTF-8, else windows-1252), not as UTF-8 with U+FFFD
 *   in place of every other byte.
 *
 * mailparser 3.14.2 decides both in methods it marks `@internal` (`createNode`, `getDecoder`), so
 * this subclass overrides those two; the module checks at load that they exist (a mailparser
 * upgrade that renames them fails at cold start, not silently), and its tests drive the real
 * parser. A drop-in for `new MailParser(options)` in `parse.ts`.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { MailParser } from 'mailparser';
import { isTextPartAttachment } from './body-selection.js';
import { decodeUndeclared } from './charset-sniff.js';

/** The fields of a mailsplit node that `createNode` reads (see `@zone-eu/mailsplit` `mime-node.js`). */
interface SplitNode {
  readonly contentType: string | false;
  readonly disposition: string | false;
  readonly filename: string | false;
  readonly charset: string | false;
}

/** The parser's own node that `createNode` answers; mailparser reads these fields afterwards. */
interface ParserNode {
  isAttachment?: boolean;
  disposition?: string;
  charset?: string;
  contentType?: string | false;
}

interface CharsetDecoder {
  decodeStream(charset: string): Transform;
}

interface ParserInternals {
  createNode(node: SplitNode): ParserNode;
  getDecoder(): CharsetDecoder;
}

const internals = MailParser.prototype as unknown as Partial<ParserInternals>;
if (typeof internals.createNode !== 'function' || typeof internals.getDecoder !== 'function') {
  throw new Error('mailparser no longer has createNode/getDecoder: lib/mail/fidelity-parser.ts must be adapted to this version');
}
const baseCreateNode = internals.createNode;
const baseGetDecoder = internals.getDecoder;

/** The charset label this parser gives a text part that declares none. */
export const UNDECLARED_CHARSET = 'x-undeclared';

const TEXT_TYPES = new Set(['text/plain', 'text/html']);

/** Collects a part's bytes, then decodes them in the charset they show (text parts are buffered by mailparser anyway). */
class SniffingDecoder extends Transform {
  private readonly chunks: Buffer[] = [];

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    done(null, Buffer.from(decodeUndeclared(Buffer.concat(this.chunks)).text, 'utf8'));
  }
}

/** `MailParser` with the text-part and charset rules of issue 12 (see the module comment). */
export class FidelityMailParser extends MailParser {
  /** Decides, per part, what mailparser's `createNode` decided, then applies the two rules. */
  createNode(node: SplitNode): ParserNode {
    const created = baseCreateNode.call(this, node);
    const type = typeof node.contentType === 'string' ? node.contentType : 'text/plain';
    // (mailparser leaves `isAttachment` unset only on multipart nodes, which are not text types.)
    if (!TEXT_TYPES.has(type)) return created;
    if (!created.isAttachment && isTextPartAttachment(node)) {
      created.isAttachment = true;
      // Stryker disable next-line StringLiteral: equivalent, mailparser 3.14 reads a node's disposition only when it is not an attachment
      created.disposition = 'attachment';
    } else if (!created.isAttachment && !node.charset) {
      created.charset = UNDECLARED_CHARSET;
    }
    return created;
  }

  /** mailparser's charset decoder, with {@link UNDECLARED_CHARSET} decoded by sniffing. */
  getDecoder(): CharsetDecoder {
    const base = baseGetDecoder.call(this);
    return { decodeStream: (charset) => (charset === UNDECLARED_CHARSET ? new SniffingDecoder() : base.decodeStream(charset)) };
  }
}
