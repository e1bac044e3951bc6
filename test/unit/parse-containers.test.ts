/**
 * Parts that hold other parts, opened in the streaming parse (issue 12, points 1 and 6): opaque
 * S/MIME signed-data, Outlook's winmail.dat, attached mails. Through the real `parseMail` with a
 * sink that keeps what it is given, so what would be stored is what is asserted.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { storingSink } from '../../lib/attachment-sinks.js';
import { DEFAULT_DENIED_EXTENSIONS, DEFAULT_DENIED_TYPES, type AttachmentPolicy } from '../../lib/mail/attachment-policy.js';
import { MAX_ATTACHED_MESSAGE_BYTES, MAX_ATTACHED_MESSAGES } from '../../lib/mail/container-parts.js';
import { parseMail, type AttachmentSink } from '../../lib/mail/parse.js';
import { MAX_TNEF_FILES } from '../../lib/mail/tnef.js';
import type { RawMailStore } from '../../lib/ports.js';
import { composeMime } from '../helpers/compose.js';
import { keepingSink } from '../helpers/keeping-sink.js';
import { tnefStream } from '../helpers/tnef-writer.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/fidelity');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Feeds the raw mail in small chunks, as a network stream would. */
function streamOf(raw: Buffer, chunk = 1024): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < raw.length; i += chunk) yield raw.subarray(i, i + chunk);
  })());
}


async function parse(raw: Buffer, sink: AttachmentSink = keepingSink('att/')) {
  return parseMail(streamOf(raw), { onHeaders: async () => sink });
}

/** The attachment list as names, types, indices and where each came from. */
const listed = (record: Awaited<ReturnType<typeof parse>>) => record.attachments.map((a) => [a.index, a.filename, a.contentType, a.unpackedFrom ?? null]);

describe('opaque S/MIME signed-data', () => {
  it('parses the signed content of a mail that is itself the .p7m (Outlook), and keeps the .p7m, byte for byte (opaque-smime-signed)', async () => {
    const sink = keepingSink('att/');
    const record = await parse(fixture('opaque-smime-signed.eml'), sink);
    expect(record.text).toBe('The toner leaks onto the paper path. Grüße, Dan\n');
    expect(listed(record)).toEqual([[0, 'smime.p7m', 'application/pkcs7-mime', null]]);
    expect(record.smime).toEqual([{ index: 0, unwrapped: true, signers: 1, certificates: 1, verified: false, detail: null }]);
    const p7m = Buffer.from(fixture('opaque-smime-signed.eml').toString('latin1').split(/\r?\n\r?\n/)[1] ?? '', 'base64');
    expect(sink.files.get(0)?.bytes.equals(p7m)).toBe(true);
    expect(record.attachments[0]).toMatchObject({ size: p7m.length, sha256: sha256(p7m), key: 'att/0' });
  });

  it('does so without a Content-Disposition too, and for the pre-standard x-pkcs7-mime with only a .p7m name', async () => {
    const raw = fixture('opaque-smime-signed-der.eml').toString('latin1');
    const bare = raw.replace(/Content-Disposition: [^\n]*\n/, '');
    expect((await parse(Buffer.from(bare, 'latin1'))).text).toBe('The toner leaks onto the paper path. Grüße, Dan\n');
    const legacy = bare.replace('application/pkcs7-mime; smime-type=signed-data; name=smime.p7m', 'application/x-pkcs7-mime; name=smime.p7m');
    const record = await parse(Buffer.from(legacy, 'latin1'));
    expect(record.text).toBe('The toner leaks onto the paper path. Grüße, Dan\n');
    expect(record.smime).toMatchObject([{ index: 0, unwrapped: true, verified: false }]);
  });

  it('stores the attachments of the signed content after the .p7m, indices continuing (opaque-smime-signed-multipart)', async () => {
    const sink = keepingSink('att/');
    const record = await parse(fixture('opaque-smime-signed-multipart.eml'), sink);
    expect(record.text).toBe('The fuser readings are attached. Grüße, Dan\n');
    expect(listed(record)).toEqual([
      [0, 'smime.p7m', 'application/pkcs7-mime', null],
      [1, 'readings.csv', 'text/csv', 0],
    ]);
    const csv = Buffer.from('hour,celsius\n1,181\n2,204\n');
    expect(sink.files.get(1)?.bytes.equals(csv)).toBe(true);
    expect(record.attachments[1]).toMatchObject({ size: csv.length, sha256: sha256(csv), key: 'att/1' });
    expect(record.smime).toEqual([{ index: 0, unwrapped: true, signers: 1, certificates: 1, verified: false, detail: null }]);
  });

  it('opens at most two S/MIME layers, one inside the other; a third stays an unopened attachment (smime-signed-three-deep)', async () => {
    const record = await parse(fixture('smime-signed-three-deep.eml'));
    expect(listed(record)).toEqual([
      [0, 'smime.p7m', 'application/pkcs7-mime', null],
      [1, 'smime.p7m', 'application/pkcs7-mime', 0],
      [2, 'smime.p7m', 'application/pkcs7-mime', 1],
    ]);
    expect(record.smime.map((note) => [note.index, note.unwrapped, note.detail])).toEqual([
      [0, true, null],
      [1, true, null],
      [2, false, 'more than 2 S/MIME layers'],
    ]);
    expect(record.text).toBe('');
  });

  it('keeps the mail\'s own text first and the signed text after it, when both hold words', async () => {
    const p7mPart = fixture('opaque-smime-signed.eml').toString('latin1').split(/\r?\n(?=Content-Type)/)[1] ?? '';
    const raw = ['From: a@x.example', 'Subject: s', 'Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'Sent through the list.', '--b', p7mPart, '--b--', ''].join('\n');
    const record = await parse(Buffer.from(raw, 'latin1'));
    expect(record.text).toBe('Sent through the list.\nThe toner leaks onto the paper path. Grüße, Dan\n');
  });

  it('keeps encrypted S/MIME and bytes that are not CMS as attachments, saying why they were not opened', async () => {
    const encrypted = await parse(fixture('smime-encrypted.eml'));
    expect(encrypted.text).toBe('');
    expect(listed(encrypted)).toEqual([[0, 'smime.p7m', 'application/pkcs7-mime', null]]);
    expect(encrypted.smime).toEqual([]);
    const garbage = ['From: a@x.example', 'Subject: s', 'Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m', 'Content-Transfer-Encoding: base64', '', Buffer.from('not a signature').toString('base64'), ''].join('\n');
    const record = await parse(Buffer.from(garbage));
    expect(listed(record)).toEqual([[0, 'smime.p7m', 'application/pkcs7-mime', null]]);
    expect(record.smime).toEqual([{ index: 0, unwrapped: false, detail: expect.stringMatching(/^not BER|^not a CMS SignedData/) }]);
  });

  it('passes an error of the sink on, for the signed content\'s attachments too (a retry, not a lost file)', async () => {
    const failing: AttachmentSink = {
      async accept(attachment) {
        if (attachment.index === 1) throw new Error('S3 unavailable');
        for await (const _chunk of attachment.content);
        return { key: 'k', filename: attachment.filename, refused: null };
      },
    };
    await expect(parse(fixture('opaque-smime-signed-multipart.eml'), failing)).rejects.toThrow('S3 unavailable');
  });
});

describe('TNEF winmail.dat', () => {
  it('stores the files inside it as attachments of their own, after the .dat, which is kept (winmail-dat-with-pdf)', async () => {
    const sink = keepingSink('att/');
    const record = await parse(fixture('winmail-dat-with-pdf.eml'), sink);
    expect(record.text).toBe('Please find the quarterly report attached.\n');
    expect(listed(record)).toEqual([
      [0, 'winmail.dat', 'application/ms-tnef', null],
      [1, 'Quarterly report Köln.pdf', 'application/pdf', 0],
      [2, 'notes.txt', 'text/plain', 0],
    ]);
    const pdf = sink.files.get(1)?.bytes ?? Buffer.alloc(0);
    expect(pdf.subarray(0, 8).toString()).toBe('%PDF-1.4');
    expect(pdf.subarray(-6).toString()).toBe('%%EOF\n');
    expect(record.attachments[1]).toMatchObject({ size: pdf.length, sha256: sha256(pdf), key: 'att/1' });
    expect(sink.files.get(2)?.bytes.toString()).toBe('Tray 2 jams after 40 pages.\r\n');
    expect(record.tnef).toEqual([{ index: 0, files: 2, detail: null }]);
  });

  it('applies the attachment policy to each unpacked file as to any attachment', async () => {
    const stored = new Map<string, Buffer>();
    const store = {
      async putAttachment(key: string, content: Readable) {
        const chunks: Buffer[] = [];
        for await (const chunk of content) chunks.push(chunk as Buffer);
        stored.set(key, Buffer.concat(chunks));
      },
    } as Pick<RawMailStore, 'putAttachment'> as RawMailStore; // only putAttachment is called by the sink
    const policy: AttachmentPolicy = {
      maxCount: 10,
      maxBytes: 1024,
      maxTotalBytes: 10 * 1024,
      denyExtensions: new Set([...DEFAULT_DENIED_EXTENSIONS, 'txt']),
      allowExtensions: null,
      denyTypes: new Set(DEFAULT_DENIED_TYPES),
    };
    const record = await parse(fixture('winmail-dat-with-pdf.eml'), storingSink(store, 'mail/1/', policy));
    expect(record.attachments.map((a) => [a.filename, a.refused, a.key])).toEqual([
      ['winmail.dat', 'too-large', null],
      ['Quarterly report Köln.pdf', null, 'mail/1/1'],
      ['notes.txt', 'denied-extension', null],
    ]);
    expect(stored.get('mail/1/1')?.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it(`unpacks at most ${MAX_TNEF_FILES} files per mail, however many winmail.dat it holds`, async () => {
    const dat = (n: number) => tnefStream(Array.from({ length: 30 }, (_, i) => ({ title: `d${n}-${i}.txt`, data: Buffer.from(`file ${i}`) })));
    const raw = await composeMime({
      from: 'a@x.example',
      subject: 's',
      text: 't',
      attachments: [0, 1].map((n) => ({ filename: 'winmail.dat', contentType: 'application/ms-tnef', content: dat(n) })),
    });
    const record = await parse(raw);
    expect(record.attachments).toHaveLength(2 + MAX_TNEF_FILES);
    expect(record.attachments.filter((a) => a.unpackedFrom !== undefined)).toHaveLength(MAX_TNEF_FILES);
    expect(record.tnef).toEqual([
      { index: 0, files: 30, detail: null },
      { index: 31, files: 20, detail: `only ${MAX_TNEF_FILES} files unpacked per mail` },
    ]);
  });

  it('keeps a winmail.dat that is not TNEF, saying why nothing was unpacked; tells one by its name too', async () => {
    const raw = ['From: a@x.example', 'Subject: s', 'Content-Type: application/octet-stream; name=WINMAIL.DAT', 'Content-Disposition: attachment; filename=WINMAIL.DAT', 'Content-Transfer-Encoding: base64', '', Buffer.from('PK\x03\x04 a zip').toString('base64'), ''].join('\n');
    const record = await parse(Buffer.from(raw));
    expect(listed(record)).toEqual([[0, 'WINMAIL.DAT', 'application/octet-stream', null]]);
    expect(record.tnef).toEqual([{ index: 0, files: 0, detail: 'not unpacked: no TNEF signature' }]);
  });
});

describe('attached mails (message/rfc822)', () => {
  it('reads an attached mail\'s raw headers, subject, date and text, and keeps it as an attachment (forwarded-as-attachment)', async () => {
    const record = await parse(fixture('forwarded-as-attachment.eml'));
    expect(listed(record)).toEqual([[0, 'Toner leaks.eml', 'message/rfc822', null]]);
    expect(record.text).toBe('Please open a ticket for Dan.\n');
    expect(record.attachedMessages).toEqual([
      {
        raw: { from: ['Dan Customer <Dan@Customer.example>'], to: ['agent@helpdesk.example'], date: ['Mon, 02 Mar 2026 10:00:00 +0100'] },
        subject: 'Toner leaks',
        text: 'The replacement toner cartridge leaks onto the paper path.\nOrder 5531.\n',
        date: '2026-03-02T09:00:00.000Z',
      },
    ]);
  });

  it('reads a base64 attached mail with HTML only, and does not store its attachments again (forwarded-as-attachment-base64)', async () => {
    const sink = keepingSink('att/');
    const record = await parse(fixture('forwarded-as-attachment-base64.eml'), sink);
    expect([...sink.files.keys()]).toEqual([0]);
    expect(listed(record)).toEqual([[0, 'Drucker stoert.eml', 'message/rfc822', null]]);
    expect(sink.files.get(0)?.bytes.toString()).toContain('Content-Type: image/png; name="fehler.png"');
    expect(record.attachedMessages).toHaveLength(1);
    expect(record.attachedMessages[0]).toMatchObject({
      raw: { from: ['=?utf-8?q?J=C3=BCrgen_Kunde?= <juergen@kunde.example>'] },
      subject: 'Drucker stört',
      text: 'Der Drucker im 2. Stock stört seit Montag.',
    });
  });

  it(`reads the first ${MAX_ATTACHED_MESSAGES} attached mails, each up to ${MAX_ATTACHED_MESSAGE_BYTES} bytes; the others are only attachments, stored whole`, async () => {
    const mail = (n: number, filler = '') => `From: c${n}@customer.example\r\nSubject: Original ${n}\r\n\r\nWords ${n}.${filler}\r\n`;
    const big = mail(0, 'x'.repeat(MAX_ATTACHED_MESSAGE_BYTES));
    const raw = await composeMime({
      from: 'agent@helpdesk.example',
      to: 'new@helpdesk.example',
      subject: 'FW: several',
      text: 'See attached.',
      attachments: [big, mail(1), mail(2), mail(3), mail(4)].map((content, n) => ({ filename: `m${n}.eml`, contentType: 'message/rfc822', contentDisposition: 'attachment' as const, content })),
    });
    const sink = keepingSink('att/');
    const record = await parse(raw, sink);
    expect(listed(record).map(([index, filename]) => [index, filename])).toEqual([0, 1, 2, 3, 4].map((n) => [n, `m${n}.eml`]));
    expect(sink.files.get(0)?.bytes.length).toBe(Buffer.byteLength(big));
    expect(sink.files.get(0)?.bytes.equals(Buffer.from(big))).toBe(true);
    // The first (too large) counts among the three read.
    expect(record.attachedMessages.map((m) => [m.subject, m.text])).toEqual([
      ['Original 1', 'Words 1.\n'],
      ['Original 2', 'Words 2.\n'],
    ]);
  });

  it('leaves an inline attached mail where mailparser puts it: in the body, with its header block (not an attached message)', async () => {
    const inline = fixture('forwarded-as-attachment.eml').toString().replace('Content-Disposition: attachment; filename="Toner leaks.eml"', 'Content-Disposition: inline');
    const record = await parse(Buffer.from(inline));
    expect(record.attachments).toEqual([]);
    expect(record.attachedMessages).toEqual([]);
    expect(record.text).toContain('From: "Dan Customer" <Dan@Customer.example>\nSubject: Toner leaks\n');
    expect(record.text).toContain('The replacement toner cartridge leaks onto the paper path.');
  });
});
