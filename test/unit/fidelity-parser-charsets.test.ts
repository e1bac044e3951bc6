/**
 * FidelityMailParser (issue 12) through the real mailparser: which parts are sniffed for their
 * charset (text parts that declare none, the top-level part without a usable Content-Type
 * included) and which keep what they declare.
 */
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { type AttachmentStream, type MessageText } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { FidelityMailParser } from '../../lib/mail/fidelity-parser.js';

/** Parses a raw mail, reading every attachment to its end (as parse.ts does); its text. */
async function parse(raw: Buffer | string) {
  const parser = new FidelityMailParser({ skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  let text = '';
  Readable.from([Buffer.from(raw)]).pipe(parser);
  for await (const item of parser as AsyncIterable<AttachmentStream | MessageText>) {
    if (item.type === 'text') {
      text = item.text ?? '';
      continue;
    }
    for await (const chunk of item.content) void chunk;
    item.release?.();
  }
  return text;
}

const cp1252 = (text: string) => iconv.encode(text, 'windows-1252');

describe('FidelityMailParser: charsets', () => {
  it('sniffs a top-level part whose Content-Type has no media type (read as text/plain)', async () => {
    const raw = Buffer.concat([Buffer.from('Subject: x\r\nContent-Type: ; format=fixed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'), cp1252('Grüße – 5 €\r\n')]);
    expect((await parse(raw)).trim()).toBe('Grüße – 5 €');
  });

  it('decodes a declared charset as declared, even one whose bytes would sniff as windows-1252 (KOI8-R)', async () => {
    const raw = Buffer.concat([Buffer.from('Subject: x\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'), iconv.encode('Принтер снова замял бумагу\r\n', 'koi8-r')]);
    expect((await parse(raw)).trim()).toBe('Принтер снова замял бумагу');
  });
});
