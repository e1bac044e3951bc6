import { randomBytes, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MalformedMailError, TransientError } from '../../lib/errors.js';
import { DRAIN_ATTACHMENTS, MAX_HTML_TO_TEXT_BYTES, parseMail, type AttachmentSink } from '../../lib/mail/parse.js';
import type { MailHeaders } from '../../lib/mail/record.js';
import { composeMime } from '../helpers/compose.js';
import { composeMail } from '../helpers/mail.js';

/** Feeds the raw mail in small chunks, as a network stream would. */
function streamOf(raw: string | Buffer, chunk = 1024): Readable {
  const bytes = Buffer.from(raw);
  return Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  })());
}

/** A sink that keeps attachment bytes in memory (fine for small test attachments). */
function collectingSink(): AttachmentSink & { files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  return {
    files,
    async accept(attachment) {
      const chunks: Buffer[] = [];
      for await (const chunk of attachment.content) chunks.push(chunk as Buffer);
      const key = `${attachment.index}:${attachment.filename}`;
      files.set(key, Buffer.concat(chunks));
      return { key, filename: attachment.filename, refused: null };
    },
  };
}

async function parse(raw: string | Buffer, sink: AttachmentSink = DRAIN_ATTACHMENTS) {
  let seen: MailHeaders | undefined;
  const record = await parseMail(streamOf(raw), {
    async onHeaders(headers) {
      seen = headers;
      return sink;
    },
  });
  return { record, seen };
}

describe('parseMail', () => {
  it('reads the header fields into a plain record', async () => {
    const { record, seen } = await parse(
      composeMail({
        from: '"Doe, Jane" <Jane.Doe@Example.COM>',
        to: 'support@helpdesk.example, Other <other@example.com>',
        cc: 'team: a@example.com, b@example.com;',
        messageId: '<abc@host>',
        inReplyTo: '<parent@host>',
        references: '<root@host> <parent@host>',
        subject: 'Re: [support-1] hi',
        headers: ['Delivered-To: support@helpdesk.example', 'Received: from mx by inbound-smtp.eu-west-1.amazonaws.com with SMTP id x for new@helpdesk.example; Thu, 26 Nov 2026 09:12:01 +0000'],
      }),
    );
    expect(seen?.messageId).toBe('abc@host');
    expect(record).toMatchObject({
      messageId: 'abc@host',
      from: { address: 'jane.doe@example.com', name: 'Doe, Jane' },
      to: [{ address: 'support@helpdesk.example' }, { address: 'other@example.com', name: 'Other' }],
      cc: [{ address: 'a@example.com' }, { address: 'b@example.com' }],
      deliveredTo: ['support@helpdesk.example', 'new@helpdesk.example'],
      subject: 'Re: [support-1] hi',
      date: '2026-11-26T08:12:00.000Z',
      inReplyTo: ['parent@host'],
      references: ['root@host', 'parent@host'],
      text: 'Body text.\n',
    });
    expect(record.headerCount).toBeGreaterThan(5);
  });

  it('decodes an RFC 2047 subject and a non-UTF-8 body', async () => {
    const { record } = await parse(
      composeMail({
        subject: '=?iso-8859-1?q?Gr=FC=DFe_aus_K=F6ln?= =?utf-8?b?4oKs?=',
        contentType: 'text/plain; charset=iso-8859-1',
        headers: ['Content-Transfer-Encoding: quoted-printable'],
        body: 'Stra=DFe, M=FCnchen',
      }),
    );
    expect(record.subject).toBe('Grüße aus Köln€');
    expect(record.text.trim()).toBe('Straße, München');
  });

  it('converts an HTML-only body to text', async () => {
    const { record } = await parse(composeMail({ contentType: 'text/html; charset=utf-8', body: '<p>Hello <b>there</b></p><p>Second</p>' }));
    expect(record.text).toContain('Hello there');
    expect(record.text).toContain('Second');
    expect(record.text).not.toContain('<');
  });

  it('converts HTML in the charset it declares, and prefers text parts that hold text', async () => {
    const latin1 = Buffer.concat([Buffer.from('Content-Type: text/html; charset=iso-8859-1\nFrom: a@x.example\nSubject: s\n\n<p>'), Buffer.from('Grüße', 'latin1'), Buffer.from('</p>\n')]);
    expect((await parse(latin1)).record.text.trim()).toBe('Grüße');
    const alternative = await composeMime({ from: 'a@x.example', to: 'b@x.example', subject: 's', text: 'plain words', html: '<p>html words</p>' });
    expect((await parse(alternative)).record.text.trim()).toBe('plain words');
    const blankText = await composeMime({ from: 'a@x.example', to: 'b@x.example', subject: 's', text: '  \n', html: '<p>Tray 2 jammed</p>' });
    expect((await parse(blankText)).record.text.trim()).toBe('Tray 2 jammed');
  });

  it('converts HTML body parts within the per-mail budget and stores the parts beyond it, unconverted and counted', async () => {
    const part = (n: number) => `<div>part ${n} ${'<p>filler text in a paragraph</p>'.repeat(Math.ceil((MAX_HTML_TO_TEXT_BYTES * 0.4) / 34))}</div>`;
    // Three HTML parts of 40 % of the budget each: the third one does not fit.
    const raw = await composeMime({
      from: 'a@x.example', to: 'b@x.example', subject: 's',
      alternatives: [0, 1, 2].map((n) => ({ contentType: 'text/html; charset=utf-8', content: part(n) })),
      attachments: [{ filename: 'real.html', content: '<p>a file</p>', contentType: 'text/html' }],
    });
    const sink = collectingSink();
    const { record } = await parse(raw, sink);
    expect(record.text).toContain('part 0');
    expect(record.text).toContain('part 1');
    expect(record.text).not.toContain('part 2');
    expect(record.htmlNotConverted).toBe(1);
    const stored = record.attachments.filter((a) => a.unconvertedHtmlBody);
    expect(stored).toHaveLength(1);
    const bytes = sink.files.get(`${stored[0]?.index}:null`);
    expect(bytes?.toString()).toBe(part(2));
    // A file that happens to be HTML stays a file.
    expect(record.attachments.find((a) => a.filename === 'real.html')?.unconvertedHtmlBody).toBeUndefined();
  });

  it('reads CRLF and LF files alike', async () => {
    const fields = { messageId: '<same@host>', subject: 'Line ends', body: 'one\ntwo' };
    const lf = await parse(composeMail(fields));
    const crlf = await parse(composeMail({ ...fields, eol: '\r\n' }));
    expect(crlf.record.subject).toBe(lf.record.subject);
    expect(crlf.record.text.replace(/\r\n/g, '\n')).toBe(lf.record.text.replace(/\r\n/g, '\n'));
    expect(crlf.record.messageId).toBe('same@host');
  });

  it('streams attachments to the sink byte-exact and records their metadata', async () => {
    const binary = randomBytes(300_000);
    const raw = await composeMime({
      from: 'a@example.com',
      to: 'support@helpdesk.example',
      subject: 'files',
      text: 'see attached',
      attachments: [
        { filename: 'data.bin', content: binary },
        { filename: 'notes.txt', content: 'plain notes\r\n', contentType: 'text/plain' },
      ],
    });
    const sink = collectingSink();
    const { record } = await parse(raw, sink);
    expect(sink.files.get('0:data.bin')?.equals(binary)).toBe(true);
    expect(sink.files.get('1:notes.txt')?.toString()).toBe('plain notes\r\n');
    expect(record.attachments[0]).toMatchObject({
      index: 0,
      filename: 'data.bin',
      size: binary.length,
      sha256: createHash('sha256').update(binary).digest('hex'),
      key: '0:data.bin',
    });
    expect(record.text.trim()).toBe('see attached');
    expect(record.rawSize).toBe(raw.length);
  });

  it('reads the headers of a file that starts with blank lines', async () => {
    const { record } = await parse(`\r\n\n${composeMail({ messageId: '<late@host>', subject: 'after blank lines' })}`);
    expect(record).toMatchObject({ messageId: 'late@host', subject: 'after blank lines' });
  });

  it('reports a mail without Message-ID as such', async () => {
    const { record } = await parse(composeMail({ messageId: null }));
    expect(record.messageId).toBeNull();
  });

  it('calls onHeaders even for zero bytes, with no header fields', async () => {
    const { record, seen } = await parse('');
    expect(seen?.headerCount).toBe(0);
    expect(record.rawSize).toBe(0);
  });

  it('turns a failing source stream into a TransientError', async () => {
    const source = new Readable({ read() {} });
    source.push(composeMail().slice(0, 40));
    setTimeout(() => source.destroy(new Error('socket hang up')), 5);
    await expect(parseMail(source, { onHeaders: async () => DRAIN_ATTACHMENTS })).rejects.toBeInstanceOf(TransientError);
  });

  it('passes a failing sink error on unchanged', async () => {
    const raw = await composeMime({ from: 'a@example.com', subject: 's', text: 't', attachments: [{ filename: 'x.bin', content: randomBytes(10) }] });
    const broken = new TransientError('S3 is down');
    await expect(parseMail(streamOf(raw), { onHeaders: async () => ({ accept: async () => Promise.reject(broken) }) })).rejects.toBe(broken);
  });

  it('passes an onHeaders failure on unchanged', async () => {
    const broken = new TransientError('DynamoDB is down');
    await expect(parseMail(streamOf(composeMail()), { onHeaders: () => Promise.reject(broken) })).rejects.toBe(broken);
  });

  it('turns a parser failure (a header block over 1 MB) into a MalformedMailError', async () => {
    const raw = composeMail({ headers: [`X-Padding: ${'a'.repeat(1_200_000)}`] });
    await expect(parseMail(streamOf(raw, 64 * 1024), { onHeaders: async () => DRAIN_ATTACHMENTS })).rejects.toBeInstanceOf(MalformedMailError);
  });
});

describe('parseMail, read twice', () => {
  const FIXTURES = new URL('../fixtures/', import.meta.url);
  const inChunks = (raw: Buffer, size: number) =>
    Readable.from((function* () {
      for (let i = 0; i < raw.length; i += size) yield raw.subarray(i, i + size);
    })());

  it('gives the same record whatever the chunks, and reads an unreadable Date as absent (mailparser answers "now")', async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const files = [...(await readdir(new URL('hostile/', FIXTURES))).map((f) => `hostile/${f}`), ...(await readdir(new URL('hygiene/', FIXTURES))).map((f) => `hygiene/${f}`)];
    for (const file of files) {
      const raw = await readFile(new URL(file, FIXTURES));
      const reads = new Set<string>();
      // One-byte chunks only for files up to 32 KB: two million one-byte reads prove no more than 61-byte ones.
      for (const size of raw.length <= 32 * 1024 ? [1, 61, 4096, 1 << 20] : [61, 4096, 1 << 20]) {
        const record = await parseMail(inChunks(raw, size), { onHeaders: async () => DRAIN_ATTACHMENTS }).catch((error: unknown) => ({ failed: String(error) }));
        reads.add(JSON.stringify(record));
      }
      expect(reads.size, file).toBe(1);
    }
    const bad = await parseMail(Readable.from([Buffer.from(composeMail({ date: 'yesterday at noon-ish' }))]), { onHeaders: async () => DRAIN_ATTACHMENTS });
    expect(bad.date).toBeNull();
    // Every fixture in one-byte chunks is CPU-bound: on the shared 2-core machine it ran past 60 s.
  }, 180_000);
});
