/**
 * The parser rules of issue 12 that only the parser can apply, through the real mailparser:
 * a named text part is an attachment, an undeclared charset is sniffed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { MailParser, type AttachmentStream, type MessageText } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { FidelityMailParser } from '../../lib/mail/fidelity-parser.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/fidelity', name));

/** Drives a parser as parse.ts does: the raw mail streamed in, every attachment read to its end. */
async function parseWith(parser: MailParser, raw: Buffer | string) {
  const attachments: { filename: string | undefined; contentType: string; content: string }[] = [];
  let text: MessageText | undefined;
  Readable.from([Buffer.from(raw)]).pipe(parser);
  for await (const item of parser as AsyncIterable<AttachmentStream | MessageText>) {
    if (item.type === 'text') {
      text = item;
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of item.content) chunks.push(chunk as Buffer);
    item.release?.();
    attachments.push({ filename: item.filename, contentType: item.contentType, content: Buffer.concat(chunks).toString('utf8') });
  }
  return { text: text?.text ?? '', html: text?.html || '', attachments };
}

const OPTIONS = { skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true } as const;

describe('FidelityMailParser', () => {
  it('makes an inline text part with a file name an attachment (inline-text-file-with-filename)', async () => {
    const before = await parseWith(new MailParser(OPTIONS), fixture('inline-text-file-with-filename.eml'));
    expect(before.text).toContain('PRINTER STATUS PAGE');
    const after = await parseWith(new FidelityMailParser(OPTIONS), fixture('inline-text-file-with-filename.eml'));
    expect(after.text.trim()).toBe('The status page is attached.');
    expect(after.attachments).toEqual([{ filename: 'printer-status.txt', contentType: 'text/plain', content: 'PRINTER STATUS PAGE\nTray 2: JAM (code 13.B2)\nFuser temp: 182C\n' }]);
  });

  it('makes a text part with Content-Disposition: attachment and no name an attachment, as before', async () => {
    const raw = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment\r\n\r\n<p>file</p>\r\n--b--\r\n';
    const parsed = await parseWith(new FidelityMailParser(OPTIONS), raw);
    expect(parsed.text.trim()).toBe('body');
    expect(parsed.attachments.map((a) => a.contentType)).toEqual(['text/html']);
  });

  it('decodes ISO-2022-JP that declares no charset (iso-2022-jp-without-charset)', async () => {
    const parsed = await parseWith(new FidelityMailParser(OPTIONS), fixture('iso-2022-jp-without-charset.eml'));
    expect(parsed.text).toContain('トレイ2で紙詰まりが再発しました（エラー13.B2）。');
    expect(parsed.text).not.toContain('\x1b');
  });

  it('decodes windows-1252 bytes that declare no charset, where plain mailparser writes U+FFFD', async () => {
    const raw = Buffer.concat([Buffer.from('Subject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'), iconv.encode('Grüße – 5 €\r\n', 'windows-1252')]);
    expect((await parseWith(new MailParser(OPTIONS), raw)).text).toContain('\uFFFD');
    expect((await parseWith(new FidelityMailParser(OPTIONS), raw)).text.trim()).toBe('Grüße – 5 €');
  });

  it('reads undeclared UTF-8, format=flowed, and undeclared HTML', async () => {
    const raw = 'Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus \r\nKöln\r\n--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<p>Grüße</p>\r\n--b--\r\n';
    const parsed = await parseWith(new FidelityMailParser(OPTIONS), raw);
    expect(parsed.text.trim()).toBe('Grüße aus Köln');
    expect(parsed.html).toContain('<p>Grüße</p>');
  });

  it('leaves a declared charset to mailparser', async () => {
    const raw = Buffer.concat([Buffer.from('Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'), iconv.encode('café', 'latin1')]);
    expect((await parseWith(new FidelityMailParser(OPTIONS), raw)).text.trim()).toBe('café');
  });

  it('keeps attachments that are not text as mailparser makes them', async () => {
    const raw = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n--b\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n';
    const parsed = await parseWith(new FidelityMailParser(OPTIONS), raw);
    expect(parsed.text.trim()).toBe('see file');
    expect(parsed.attachments).toMatchObject([{ filename: 'a.pdf', contentType: 'application/pdf', content: '%PDF-' }]);
  });
});
