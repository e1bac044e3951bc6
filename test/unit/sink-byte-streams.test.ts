/**
 * What the attachment sink is handed: a byte stream (not object mode) holding the part's bytes,
 * byte for byte, however the parse read the part first (an HTML part over the budget, a container
 * part read whole or over its bound, the files unpacked from a winmail.dat); and where the bound
 * of a container part lies.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_ATTACHED_MESSAGE_BYTES } from '../../lib/mail/container-parts.js';
import { MAX_HTML_TO_TEXT_BYTES, parseMail, type AttachmentSink } from '../../lib/mail/parse.js';
import { keepingSink } from '../helpers/keeping-sink.js';
import { tnefStream } from '../helpers/tnef-writer.js';

const HEAD = ['From: a@x.example', 'To: support@helpdesk.example', 'Subject: s', 'MIME-Version: 1.0'];

function parse(raw: string | Buffer, sink: AttachmentSink) {
  const bytes = Buffer.from(raw);
  const chunks = (function* () {
    for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
  })();
  return parseMail(Readable.from(chunks), { onHeaders: async () => sink });
}

const base64 = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
const multipart = (parts: readonly (readonly string[])[]) =>
  [...HEAD, 'Content-Type: multipart/mixed; boundary=b', '', ...parts.flatMap((part) => ['--b', ...part]), '--b--', ''].join('\r\n');
/** An attached mail part of exactly these bytes (base64, so that the bytes are exact). */
const attachedMail = (filename: string, bytes: Buffer) => ['Content-Type: message/rfc822', `Content-Disposition: attachment; filename=${filename}`, 'Content-Transfer-Encoding: base64', '', base64(bytes)];
/** An attached mail of exactly `size` bytes: a header block, a line of words, then filler lines. */
function mailOfSize(subject: string, size: number): Buffer {
  const head = `From: c@customer.example\r\nSubject: ${subject}\r\n\r\nThe words of ${subject}.\r\n`;
  const filler = `${'x'.repeat(98)}\r\n`.repeat(Math.ceil(size / 100));
  return Buffer.from(`${head}${filler}`.slice(0, size));
}

describe('the streams a sink is handed', () => {
  it('are byte streams holding each part whole, however the part was read first', async () => {
    const words = `<p>${'many words '.repeat(Math.ceil(MAX_HTML_TO_TEXT_BYTES / 11))}</p>`;
    const held = mailOfSize('Held', 10_000);
    const over = mailOfSize('Over', MAX_ATTACHED_MESSAGE_BYTES + 1024 * 1024);
    const dat = tnefStream([{ title: 'notes.txt', data: Buffer.from('Tray 2 jams after 40 pages.') }]);
    const raw = multipart([
      ['Content-Type: text/plain', '', 'See attached.'],
      ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64(Buffer.from(words))],
      attachedMail('held.eml', held),
      attachedMail('over.eml', over),
      ['Content-Type: application/ms-tnef; name=winmail.dat', 'Content-Transfer-Encoding: base64', '', base64(dat)],
      ['Content-Type: application/pdf; name=plain.pdf', 'Content-Transfer-Encoding: base64', '', base64(Buffer.from('%PDF-1.4 plain'))],
    ]);
    const sink = keepingSink();
    const record = await parse(raw, sink);
    expect(record.attachments.map((a) => [a.index, a.filename, a.unconvertedHtmlBody ?? false, a.unpackedFrom ?? null])).toEqual([
      [0, null, true, null],
      [1, 'held.eml', false, null],
      [2, 'over.eml', false, null],
      [3, 'winmail.dat', false, null],
      [4, 'notes.txt', false, 3],
      [5, 'plain.pdf', false, null],
    ]);
    expect([...sink.files.values()].map((h) => h.objectMode)).toEqual([false, false, false, false, false, false]);
    expect(sink.files.get(0)?.bytes.toString()).toBe(words);
    expect(sink.files.get(1)?.bytes.equals(held)).toBe(true);
    expect(sink.files.get(2)?.bytes.equals(over)).toBe(true);
    expect(sink.files.get(3)?.bytes.equals(dat)).toBe(true);
    expect(sink.files.get(4)?.bytes.toString()).toBe('Tray 2 jams after 40 pages.');
    expect(record.attachedMessages.map((m) => m.subject)).toEqual(['Held']);
  }, 30_000);
});

describe('the bound of an attached mail', () => {
  it(`reads an attached mail of exactly ${MAX_ATTACHED_MESSAGE_BYTES} bytes, and not one a byte longer`, async () => {
    const exact = mailOfSize('Exact', MAX_ATTACHED_MESSAGE_BYTES);
    const longer = mailOfSize('Longer', MAX_ATTACHED_MESSAGE_BYTES + 1);
    const sink = keepingSink();
    const record = await parse(multipart([['Content-Type: text/plain', '', 'FW'], attachedMail('exact.eml', exact), attachedMail('longer.eml', longer)]), sink);
    expect(record.attachedMessages.map((m) => m.subject)).toEqual(['Exact']);
    expect(record.attachedMessages[0]?.text.startsWith('The words of Exact.\n')).toBe(true);
    expect(sink.files.get(0)?.bytes.length).toBe(MAX_ATTACHED_MESSAGE_BYTES);
    expect(sink.files.get(1)?.bytes.equals(longer)).toBe(true);
  }, 30_000);
});
