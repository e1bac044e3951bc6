/**
 * What an outside review of issue 12's container parts broke, kept as regression tests: a parser
 * failure while an attachment streams hung the parse until the function timed out (the outer
 * parse and an attached mail's), and BER signed content nested in constructed strings lost words.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MalformedMailError } from '../../lib/errors.js';
import { DRAIN_ATTACHMENTS, parseMail } from '../../lib/mail/parse.js';

const HEAD = ['From: a@example.com', 'To: support@example.com', 'Subject: s', 'Message-ID: <x@example.com>', 'MIME-Version: 1.0'];
const parse = (raw: string | Buffer) => parseMail(Readable.from([Buffer.from(raw)]), { onHeaders: async () => DRAIN_ATTACHMENTS });

/** A multipart with a text, a 300 KB file, then more parts than mailparser allows (maxChildNodes 1000). */
function overManyParts(): string {
  const parts = ['Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'words'];
  parts.push('--b', 'Content-Type: application/pdf; name=a.pdf', 'Content-Transfer-Encoding: base64', '', Buffer.alloc(300_000, 1).toString('base64').replace(/.{76}/g, '$&\r\n'));
  for (let i = 0; i < 1005; i++) parts.push('--b', `Content-Type: application/octet-stream; name=x${i}.bin`, '', 'x');
  return [...parts, '--b--', ''].join('\r\n');
}

// BER, as far as a CMS SignedData needs it (the signature is never checked).
const len = (n: number) => (n < 0x80 ? Buffer.from([n]) : Buffer.from([0x84, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]));
const tlv = (tag: number, ...content: Buffer[]) => Buffer.concat([Buffer.from([tag]), len(Buffer.concat(content).length), ...content]);
const indefinite = (tag: number, ...content: Buffer[]) => Buffer.concat([Buffer.from([tag, 0x80]), ...content, Buffer.from([0, 0])]);
const ID_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex');
const ID_DATA = Buffer.from('06092a864886f70d010701', 'hex');
const signedData = (eContent: Buffer) =>
  tlv(0x30, ID_SIGNED_DATA, tlv(0xa0, tlv(0x30, tlv(0x02, Buffer.from([1])), tlv(0x31), tlv(0x30, ID_DATA, tlv(0xa0, eContent)), tlv(0x31))));
const p7mMail = (p7m: Buffer) =>
  [...HEAD, 'Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m', 'Content-Transfer-Encoding: base64', '', p7m.toString('base64'), ''].join('\r\n');

describe('parse failure modes of container parts', () => {
  it('a mail whose parser fails while an attachment is still being read is malformed, not a hang (the outer parse)', async () => {
    await expect(parse([...HEAD, overManyParts()].join('\r\n'))).rejects.toBeInstanceOf(MalformedMailError);
  }, 20_000);

  it('an attached mail whose parser fails while an attachment is still being read does not hang the parse', async () => {
    const raw = [...HEAD, 'Content-Type: multipart/mixed; boundary=outer', '', '--outer', 'Content-Type: text/plain', '', 'outer words', '--outer', 'Content-Type: message/rfc822', '', 'From: c@example.org', 'Subject: orig', overManyParts(), '--outer--', ''].join('\r\n');
    const record = await parse(raw);
    expect(record.text).toBe('outer words');
  }, 20_000);

  it('signed content in a constructed OCTET STRING nested in another (BER, X.690 §8.7.3) keeps every word', async () => {
    const eContent = indefinite(0x24, tlv(0x04, Buffer.from('Content-Type: text/plain\r\n\r\nHello ')), indefinite(0x24, tlv(0x04, Buffer.from('these words are lost\r\n'))));
    const record = await parse(p7mMail(signedData(eContent)));
    expect(record.text).toContain('these words are lost');
  });
});
