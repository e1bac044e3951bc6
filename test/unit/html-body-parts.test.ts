/**
 * HTML body parts in the streaming parse: which parts count as the HTML body, what `record.html`
 * and the text made of it hold, and the per-mail budgets (MAX_HTML_TO_TEXT_BYTES of words,
 * MAX_HTML_RAW_BYTES read), measured at their exact bounds.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_HTML_RAW_BYTES, MAX_HTML_TO_TEXT_BYTES, parseMail, type AttachmentSink } from '../../lib/mail/parse.js';
import { keepingSink } from '../helpers/keeping-sink.js';

const HEAD = ['From: a@x.example', 'To: support@helpdesk.example', 'Subject: s', 'MIME-Version: 1.0'];


function parse(raw: string | Buffer, sink: AttachmentSink = keepingSink()) {
  const bytes = Buffer.from(raw);
  const chunks = (function* () {
    for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
  })();
  return parseMail(Readable.from(chunks), { onHeaders: async () => sink });
}

/** A multipart/mixed mail of the given parts (each its header lines, a blank line, its body), CRLF. */
function multipart(parts: readonly (readonly string[])[]): string {
  return [...HEAD, 'Content-Type: multipart/mixed; boundary=b', '', ...parts.flatMap((part) => ['--b', ...part]), '--b--', ''].join('\r\n');
}

/** A single-part HTML mail whose decoded body is exactly `html` (base64, so no line end is added). */
function htmlMail(html: string): string {
  const body = (Buffer.from(html).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  return [...HEAD, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', body, ''].join('\r\n');
}

/** ASCII HTML of exactly `bytes` bytes: a few words, a pasted picture as a data: URI, and filler words. */
function htmlOfSize(bytes: number, blob: string): string {
  const head = `<p>Tray 2 jams</p><img src="data:image/png;base64,${blob}"><p>`;
  const tail = '</p>';
  return `${head}${'w'.repeat(bytes - head.length - tail.length)}${tail}`;
}

describe('which parts are the HTML body', () => {
  it('converts a nameless HTML part marked inline, as one without a Content-Disposition', async () => {
    const raw = [...HEAD, 'Content-Type: text/html; charset=utf-8', 'Content-Disposition: inline', '', '<p>Tray 2 jammed</p>', ''].join('\r\n');
    const record = await parse(raw);
    expect(record.text).toBe('Tray 2 jammed');
    expect(record.html).toBe('<p>Tray 2 jammed</p>\n');
    expect(record.attachments).toEqual([]);
  });

  it('stores a nameless HTML part marked as an attachment as a file, not as the body', async () => {
    const raw = [...HEAD, 'Content-Type: text/html; charset=utf-8', 'Content-Disposition: attachment', '', '<p>a saved page</p>', ''].join('\r\n');
    const sink = keepingSink();
    const record = await parse(raw, sink);
    expect(record.text).toBe('');
    expect(record.html).toBeNull();
    expect(record.htmlNotConverted).toBe(0);
    expect(record.attachments).toHaveLength(1);
    expect(record.attachments[0]).toMatchObject({ index: 0, contentType: 'text/html', key: 'k/0' });
    expect(record.attachments[0]?.unconvertedHtmlBody).toBeUndefined();
    expect(sink.files.get(0)?.bytes.toString()).toBe('<p>a saved page</p>\r\n');
  });

  it('stores a nameless part of another type as a file, never as HTML text', async () => {
    const raw = multipart([
      ['Content-Type: text/plain', '', 'see the scan'],
      ['Content-Type: application/pdf', '', '%PDF-1.4 <p>not html</p>'],
    ]);
    const sink = keepingSink();
    const record = await parse(raw, sink);
    expect(record.text).toBe('see the scan');
    expect(record.html).toBeNull();
    expect(record.attachments.map((a) => [a.index, a.filename, a.contentType])).toEqual([[0, null, 'application/pdf']]);
    expect(sink.files.get(0)?.bytes.toString()).toBe('%PDF-1.4 <p>not html</p>');
  });

  it('records the Content-ID of a part that has one', async () => {
    const raw = multipart([
      ['Content-Type: text/plain', '', 'see the picture'],
      ['Content-Type: image/png; name=shot.png', 'Content-ID: <shot-1@x.example>', 'Content-Transfer-Encoding: base64', '', Buffer.from('PNG bytes').toString('base64')],
    ]);
    const record = await parse(raw);
    expect(record.attachments).toHaveLength(1);
    expect(record.attachments[0]).toMatchObject({ filename: 'shot.png', contentType: 'image/png', contentId: 'shot-1@x.example' });
  });
});

describe('record.html and the text made of HTML parts', () => {
  it('holds the HTML body parts as written, joined by a newline, with LF line ends', async () => {
    const raw = multipart([
      ['Content-Type: text/html; charset=utf-8', '', '<p>first</p>\r\n<p>line two</p>'],
      ['Content-Type: text/html; charset=utf-8', '', '<p>second part</p>'],
    ]);
    const record = await parse(raw);
    expect(record.html).toBe('<p>first</p>\n<p>line two</p>\n<p>second part</p>');
  });

  it('is null for a mail without HTML, whose blank text part is kept as written', async () => {
    const raw = [...HEAD, 'Content-Type: text/plain; charset=utf-8', '', '   ', '', ''].join('\r\n');
    const record = await parse(raw);
    expect(record.html).toBeNull();
    expect(record.text).toBe('   \n\n');
  });

  it('joins the text of HTML parts by a newline, leaving out the parts without words', async () => {
    const raw = multipart([
      ['Content-Type: text/html; charset=utf-8', '', '<p>first</p>'],
      ['Content-Type: text/html; charset=utf-8', '', '<img src="cid:logo@x.example">'],
      ['Content-Type: text/html; charset=utf-8', '', '<p>&nbsp;</p>'],
      ['Content-Type: text/html; charset=utf-8', '', '<p>third</p>'],
    ]);
    const record = await parse(raw);
    expect(record.text).toBe('first\nthird');
  });

  it('decodes an HTML part that declares no charset as UTF-8', async () => {
    const raw = Buffer.concat([Buffer.from([...HEAD, 'Content-Type: text/html', '', ''].join('\r\n')), Buffer.from('<p>Grüße aus Köln</p>', 'utf8')]);
    const record = await parse(raw);
    expect(record.text).toBe('Grüße aus Köln');
    expect(record.html).toBe('<p>Grüße aus Köln</p>');
  });
});

describe('the HTML budgets at their bounds', () => {
  const blob = 'QUJD'.repeat(1000);

  it(`keeps an HTML part of exactly ${MAX_HTML_TO_TEXT_BYTES} bytes as written, its pasted picture included`, async () => {
    const html = htmlOfSize(MAX_HTML_TO_TEXT_BYTES, blob);
    expect(Buffer.byteLength(html)).toBe(MAX_HTML_TO_TEXT_BYTES);
    const record = await parse(htmlMail(html));
    expect(record.htmlNotConverted).toBe(0);
    expect(record.attachments).toEqual([]);
    expect(record.html).toBe(html);
    expect(record.text.startsWith('Tray 2 jams')).toBe(true);
  });

  it('cuts the pasted picture out of an HTML part one byte longer, and keeps the words', async () => {
    const html = htmlOfSize(MAX_HTML_TO_TEXT_BYTES + 1, blob);
    const record = await parse(htmlMail(html));
    expect(record.htmlNotConverted).toBe(0);
    expect(record.attachments).toEqual([]);
    expect(record.html).toBe(html.replace(`data:image/png;base64,${blob}`, 'data:,'));
    expect(record.text.startsWith('Tray 2 jams')).toBe(true);
  });

  it(`stores the HTML part that would take the mail past ${MAX_HTML_RAW_BYTES} bytes read, whole, unconverted`, async () => {
    // Two parts of 7 MiB each, nearly all of it a pasted picture: the words fit, the bytes read do not.
    const picture = `${'QUJD'.repeat(19)}\r\n`.repeat(Math.floor((6.9 * 1024 * 1024) / 78));
    const big = (n: number) => htmlOfSize(7 * 1024 * 1024, picture).replace('Tray 2 jams', `part ${n}`);
    const parts = [big(0), big(1)];
    const raw = multipart(parts.map((html) => ['Content-Type: text/html; charset=utf-8', '', html]));
    const sink = keepingSink();
    const record = await parse(raw, sink);
    expect(record.text).toContain('part 0');
    expect(record.text).not.toContain('part 1');
    expect(record.htmlNotConverted).toBe(1);
    expect(record.attachments).toHaveLength(1);
    expect(record.attachments[0]).toMatchObject({ index: 0, contentType: 'text/html', unconvertedHtmlBody: true });
    expect(sink.files.get(0)?.bytes.equals(Buffer.from(parts[1] ?? ''))).toBe(true);
  }, 60_000);
});
