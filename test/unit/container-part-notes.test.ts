/**
 * What the record says about container parts beyond the fixtures of parse-containers.test.ts:
 * sibling S/MIME layers, signed content that is not well-formed MIME, blank texts on either side
 * of a signature, attached mails that are not read, and the TNEF files' types and notes.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_ATTACHED_MESSAGES } from '../../lib/mail/container-parts.js';
import { parseMail, type AttachmentSink } from '../../lib/mail/parse.js';
import { MAX_TNEF_FILES } from '../../lib/mail/tnef.js';
import { keepingSink } from '../helpers/keeping-sink.js';
import { tnefStream } from '../helpers/tnef-writer.js';

const HEAD = ['From: a@x.example', 'To: support@helpdesk.example', 'Subject: s', 'Message-ID: <c@x.example>', 'MIME-Version: 1.0'];


const parse = (raw: string | Buffer, sink: AttachmentSink = keepingSink()) => parseMail(Readable.from([Buffer.from(raw)]), { onHeaders: async () => sink });

// A CMS SignedData in BER, as far as unwrapping needs it (no signer, no certificate; nothing is verified).
const len = (n: number) => (n < 0x80 ? Buffer.from([n]) : Buffer.from([0x84, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]));
const tlv = (tag: number, ...content: Buffer[]) => Buffer.concat([Buffer.from([tag]), len(Buffer.concat(content).length), ...content]);
const ID_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex');
const ID_DATA = Buffer.from('06092a864886f70d010701', 'hex');
const signedData = (entity: string) =>
  tlv(0x30, ID_SIGNED_DATA, tlv(0xa0, tlv(0x30, tlv(0x02, Buffer.from([1])), tlv(0x31), tlv(0x30, ID_DATA, tlv(0xa0, tlv(0x04, Buffer.from(entity)))), tlv(0x31))));
/** A `smime.p7m` part (its header lines, a blank line, its base64) signing `entity`. */
const p7mPart = (entity: string) => [
  'Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m',
  'Content-Transfer-Encoding: base64',
  'Content-Disposition: attachment; filename=smime.p7m',
  '',
  (signedData(entity).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'),
];

/** A multipart/mixed mail of the given parts (each as lines), CRLF. */
const multipart = (parts: readonly (readonly string[])[]) =>
  [...HEAD, 'Content-Type: multipart/mixed; boundary=outer', '', ...parts.flatMap((part) => ['--outer', ...part]), '--outer--', ''].join('\r\n');

const unsigned = { unwrapped: true, signers: 0, certificates: 0, verified: false };

describe('S/MIME layers side by side', () => {
  it('opens two signed parts one after the other: neither is nested in the other', async () => {
    const raw = multipart([p7mPart('Content-Type: text/plain\r\n\r\nFirst signed words.\r\n'), p7mPart('Content-Type: text/plain\r\n\r\nSecond signed words.\r\n')]);
    const record = await parse(raw);
    expect(record.smime).toEqual([
      { index: 0, ...unsigned, detail: null },
      { index: 1, ...unsigned, detail: null },
    ]);
    expect(record.text).toContain('First signed words.');
    expect(record.text).toContain('Second signed words.');
  });

  it('notes signed content that is not well-formed MIME on its own layer, and reads on', async () => {
    const overManyParts = `Content-Type: multipart/mixed; boundary=in\r\n\r\n${'--in\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(1005)}--in--\r\n`;
    const raw = multipart([['Content-Type: text/plain', '', 'The outer words.'], p7mPart(overManyParts), p7mPart('Content-Type: text/plain\r\n\r\nSigned words.\r\n')]);
    const record = await parse(raw);
    expect(record.smime).toHaveLength(2);
    expect(record.smime[0]).toEqual({ index: 0, ...unsigned, detail: expect.stringMatching(/^the signed content is not well-formed MIME: \S/) });
    expect(record.smime[1]).toEqual({ index: 1, ...unsigned, detail: null });
  }, 20_000);
});

describe('blank texts around signed content', () => {
  it('keeps the signed text alone when the mail\'s own text is blank', async () => {
    const raw = multipart([['Content-Type: text/plain', '', '   '], p7mPart('Content-Type: text/plain\r\n\r\nSigned words.\r\n')]);
    expect((await parse(raw)).text).toBe('Signed words.\n');
  });

  it('keeps the mail\'s own text alone when the signed text is blank', async () => {
    const raw = multipart([['Content-Type: text/plain', '', 'The outer words.'], p7mPart('Content-Type: text/plain\r\n\r\n   \r\n')]);
    expect((await parse(raw)).text).toBe('The outer words.');
  });
});

describe('attached mails that are not read', () => {
  it(`are only attachments past the first ${MAX_ATTACHED_MESSAGES}: no S/MIME or TNEF note for them`, async () => {
    const mail = (n: number) => ['Content-Type: message/rfc822', `Content-Disposition: attachment; filename=m${n}.eml`, '', `From: c${n}@customer.example`, `Subject: Original ${n}`, '', `Words ${n}.`];
    const record = await parse(multipart([['Content-Type: text/plain', '', 'See attached.'], ...[0, 1, 2, 3, 4].map(mail)]));
    expect(record.attachments.map((a) => a.filename)).toEqual(['m0.eml', 'm1.eml', 'm2.eml', 'm3.eml', 'm4.eml']);
    expect(record.attachedMessages.map((m) => m.subject)).toEqual(['Original 0', 'Original 1', 'Original 2']);
    expect(record.attachedMessageParts).toBe(5);
    expect(record.smime).toEqual([]);
    expect(record.tnef).toEqual([]);
  });
});

describe('TNEF files', () => {
  it('types a file by its MIME tag, else by its name, else as application/octet-stream', async () => {
    const dat = tnefStream([
      { title: 'scan.pdf', data: Buffer.from('%PDF-1.4 scan') },
      { data: Buffer.from('no name, no tag') },
      { title: 'data.bin', mimeTag: 'text/csv', data: Buffer.from('a,b\n1,2\n') },
    ]);
    const raw = multipart([['Content-Type: text/plain', '', 'See attached.'], ['Content-Type: application/ms-tnef; name=winmail.dat', 'Content-Transfer-Encoding: base64', '', dat.toString('base64')]]);
    const sink = keepingSink();
    const record = await parse(raw, sink);
    expect(record.attachments.map((a) => [a.index, a.filename, a.contentType, a.unpackedFrom ?? null])).toEqual([
      [0, 'winmail.dat', 'application/ms-tnef', null],
      [1, 'scan.pdf', 'application/pdf', 0],
      [2, null, 'application/octet-stream', 0],
      [3, 'data.bin', 'text/csv', 0],
    ]);
    expect(sink.files.get(2)).toMatchObject({ contentType: 'application/octet-stream', bytes: Buffer.from('no name, no tag') });
  });

  it(`joins the reader's own note and the per-mail cap of ${MAX_TNEF_FILES} files by "; "`, async () => {
    const files = (n: number, count: number) => Array.from({ length: count }, (_, i) => ({ title: `d${n}-${i}.txt`, data: Buffer.from(`file ${i}`) }));
    const first = tnefStream(files(0, 30));
    // The second also holds an attachment without file data (an embedded message), which the reader notes.
    const second = tnefStream([...files(1, 30), { title: 'embedded.msg' }]);
    const dat = (bytes: Buffer) => ['Content-Type: application/ms-tnef; name=winmail.dat', 'Content-Transfer-Encoding: base64', '', bytes.toString('base64')];
    const record = await parse(multipart([dat(first), dat(second)]));
    expect(record.tnef).toEqual([
      { index: 0, files: 30, detail: null },
      { index: 31, files: MAX_TNEF_FILES - 30, detail: `1 without file data not unpacked; only ${MAX_TNEF_FILES} files unpacked per mail` },
    ]);
  });
});
