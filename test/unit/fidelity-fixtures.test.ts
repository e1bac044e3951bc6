/**
 * The building blocks of issue 12 composed over every mail fixture of the repository, as the
 * pipeline will compose them: FidelityMailParser → selectBody → trimReply, and the title by
 * oneLine. What is stored must be valid Unicode; the fidelity fixtures are all valid in the
 * charset they declare (or sniff), so their text holds no U+FFFD either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import type { AttachmentStream, MessageText } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { selectBody } from '../../lib/mail/body-selection.js';
import { repairIso2022jp } from '../../lib/mail/charset-sniff.js';
import { FidelityMailParser } from '../../lib/mail/fidelity-parser.js';
import { trimReply } from '../../lib/mail/reply-trim.js';
import { hasLoneSurrogate, oneLine } from '../../lib/mail/unicode-text.js';

const ROOT = join(import.meta.dirname, '../..');

function emlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return emlFiles(path);
    return entry.name.endsWith('.eml') ? [path] : [];
  });
}

async function stored(raw: Buffer) {
  const parser = new FidelityMailParser({ skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, maxHeadSize: 1024 * 1024, maxChildNodes: 1000 });
  let text: MessageText | undefined;
  const done = new Promise<void>((resolve) => parser.once('end', resolve));
  Readable.from([raw]).pipe(parser);
  parser.on('error', () => undefined);
  for await (const item of parser as AsyncIterable<AttachmentStream | MessageText>) {
    if (item.type === 'text') text = item;
    else {
      item.content.resume();
      await new Promise((resolve) => item.content.once('end', resolve));
      item.release?.();
    }
  }
  await done;
  const body = selectBody({ text: repairIso2022jp(text?.text || ''), html: text?.html });
  const { full, reply } = trimReply(body.text);
  return { full, reply, title: oneLine(parser.subject ?? '', 200) };
}

const FILES = [...emlFiles(join(ROOT, 'test/fixtures')), ...emlFiles(join(ROOT, 'samples'))];

describe('every fixture, composed', () => {
  it('finds the fixtures', () => {
    expect(FILES.length).toBeGreaterThan(40);
  });

  it.each(FILES.map((file) => [relative(ROOT, file), file]))('%s: stores only valid Unicode', async (name, file) => {
    const result = await stored(readFileSync(file)).catch((error: unknown) => ({ error }));
    if ('error' in result) {
      // A mail the parser refuses is a recorded skip (malformed), not stored text.
      expect(result.error).toBeInstanceOf(Error);
      return;
    }
    for (const value of [result.full, result.reply, result.title]) expect(hasLoneSurrogate(value)).toBe(false);
    if (name.includes('fidelity')) expect(`${result.full}${result.title}`).not.toContain('\uFFFD');
  });
});
