/**
 * Errors met while parsing MIME held in memory (an attached mail, the signed content of a .p7m) and
 * while parts stream: the sender's malformed MIME is recorded (an attached mail not read, a note
 * on the S/MIME layer), a sink's own failure is thrown (the mail is retried), and a failure of what
 * feeds the parser fails the part being read instead of leaving it waiting.
 */
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../lib/errors.js';
import { DRAIN_ATTACHMENTS, parseMail, type AttachmentSink } from '../../lib/mail/parse.js';
import { composeMime } from '../helpers/compose.js';
import { keepingSink } from '../helpers/keeping-sink.js';
import { makeSigner, opaqueSignedPart, type Signer } from '../helpers/smime-writer.js';

const HEAD = ['From: a@x.example', 'To: support@helpdesk.example', 'Subject: held', 'MIME-Version: 1.0'];

let signer: Signer;
beforeAll(async () => {
  signer = await makeSigner('Dan Signer');
}, 30_000);

/** A multipart entity with a text part, then `files` small attachments (mailparser allows at most 1,000 parts: more is malformed). */
function manyParts(files: number, words: string): string {
  const lines = ['Content-Type: multipart/mixed; boundary=many', '', '--many', 'Content-Type: text/plain', '', words];
  for (let i = 0; i < files; i++) lines.push('--many', `Content-Type: application/octet-stream; name=f${i}.bin`, 'Content-Disposition: attachment', '', `bytes ${i}`);
  return [...lines, '--many--', ''].join('\r\n');
}

/**
 * A sink that reads each attachment and, when reading fails, throws an error of its own (as an
 * upload does), naming the failure it met.
 */
const wrappingSink: AttachmentSink = {
  async accept(attachment) {
    try {
      for await (const _chunk of attachment.content);
    } catch (error) {
      throw new Error(`upload failed: ${(error as Error).message}`);
    }
    return { key: null, filename: attachment.filename, refused: null };
  },
};

async function parse(raw: Buffer | string, sink: AttachmentSink = keepingSink('att/')) {
  return parseMail(Readable.from([Buffer.from(raw)]), { onHeaders: async () => sink });
}

describe('an attached mail that is not well-formed MIME', () => {
  it('is kept as an attachment and counted, but not read as an attached mail', async () => {
    const attached = `From: c@customer.example\r\nSubject: Too many parts\r\n${manyParts(1005, 'original words')}`;
    const raw = await composeMime({
      from: 'agent@helpdesk.example',
      subject: 'FW: broken',
      text: 'See attached.',
      attachments: [{ filename: 'broken.eml', contentType: 'message/rfc822', contentDisposition: 'attachment', content: attached }],
    });
    const sink = keepingSink('att/');
    const record = await parse(raw, sink);
    expect(record.attachments.map((a) => [a.index, a.filename, a.contentType])).toEqual([[0, 'broken.eml', 'message/rfc822']]);
    expect(sink.files.get(0)?.bytes.toString()).toBe(attached);
    expect(record.attachedMessageParts).toBe(1);
    expect(record.attachedMessages).toEqual([]);
  }, 20_000);

  it('is read when it is well-formed (the control: the same mail with fewer parts)', async () => {
    const attached = `From: c@customer.example\r\nSubject: Few parts\r\n${manyParts(3, 'original words')}`;
    const raw = await composeMime({
      from: 'agent@helpdesk.example',
      subject: 'FW: fine',
      text: 'See attached.',
      attachments: [{ filename: 'fine.eml', contentType: 'message/rfc822', contentDisposition: 'attachment', content: attached }],
    });
    const record = await parse(raw);
    expect(record.attachedMessages.map((m) => [m.subject, m.text])).toEqual([['Few parts', 'original words']]);
  });
});

describe('signed content that is not well-formed MIME', () => {
  it('is noted with the parser\'s reason, not thrown, though the sink reading a part when it failed failed too', async () => {
    const raw = await opaqueSignedPart(Buffer.from(manyParts(1005, 'signed words')), signer, HEAD);
    const record = await parse(raw, wrappingSink);
    expect(record.smime).toEqual([
      { index: 0, unwrapped: true, signers: 1, certificates: 1, verified: false, detail: 'the signed content is not well-formed MIME: Max allowed child nodes exceeded' },
    ]);
    expect(record.attachments[0]).toMatchObject({ index: 0, filename: 'smime.p7m' });
    expect(record.attachments.slice(1).every((a) => a.unpackedFrom === 0)).toBe(true);
  }, 20_000);

  it('is noted with the parser\'s reason when the sink drains each part', async () => {
    const raw = await opaqueSignedPart(Buffer.from(manyParts(1005, 'signed words')), signer, HEAD);
    const record = await parse(raw, DRAIN_ATTACHMENTS);
    expect(record.smime.map((note) => [note.index, note.unwrapped, note.detail])).toEqual([[0, true, 'the signed content is not well-formed MIME: Max allowed child nodes exceeded']]);
  }, 20_000);

  it('a sink\'s own failure on a part of well-formed signed content is thrown, not noted', async () => {
    const failing: AttachmentSink = {
      async accept(attachment) {
        for await (const _chunk of attachment.content);
        if (attachment.index === 2) throw new Error('S3 unavailable');
        return { key: null, filename: attachment.filename, refused: null };
      },
    };
    const raw = await opaqueSignedPart(Buffer.from(manyParts(3, 'signed words')), signer, HEAD);
    await expect(parse(raw, failing)).rejects.toThrow('S3 unavailable');
  });
});

describe('a source that fails while an attachment streams', () => {
  it('fails the part being read, so that the parse rejects as a retry instead of waiting for ever', async () => {
    const raw = await composeMime({ from: 'a@x.example', subject: 'big', text: 'Words.', attachments: [{ filename: 'big.bin', content: Buffer.alloc(1024 * 1024, 7) }] });
    const cut = Math.floor(raw.length / 2);
    let reading = false;
    const source = new Readable({
      read() {},
    });
    const sink: AttachmentSink = {
      async accept(attachment) {
        reading = true;
        for await (const _chunk of attachment.content);
        return { key: null, filename: attachment.filename, refused: null };
      },
    };
    const parsed = parseMail(source, { onHeaders: async () => sink });
    for (let at = 0; at < cut; at += 16 * 1024) source.push(raw.subarray(at, Math.min(at + 16 * 1024, cut)));
    // Fail only once the attachment is being read (its first bytes are parsed).
    await new Promise<void>((resolve) => {
      const check = () => (reading ? resolve() : setImmediate(check));
      check();
    });
    source.destroy(new Error('connection reset'));
    await expect(parsed).rejects.toBeInstanceOf(TransientError);
    await expect(parsed).rejects.toThrow('reading the raw mail failed: connection reset');
  }, 20_000);
});
