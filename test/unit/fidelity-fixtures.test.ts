/**
 * Every mail fixture of the repository through the real streaming parse (`parseMail`), and what
 * the pipeline stores of it (`apply.ts`): the full text, the reply (trimmed, cut to 16 KB), the
 * title (one line, 200 characters), and the subject and text of attached mails. What is stored must
 * be valid Unicode; the fidelity fixtures are all valid in the charset they declare (or sniff), so
 * their text holds no U+FFFD either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MalformedMailError } from '../../lib/errors.js';
import { DRAIN_ATTACHMENTS, parseMail } from '../../lib/mail/parse.js';
import { trimReply } from '../../lib/mail/reply-trim.js';
import { cutText, hasLoneSurrogate, oneLine } from '../../lib/mail/unicode-text.js';

const ROOT = join(import.meta.dirname, '../..');

function emlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return emlFiles(path);
    return entry.name.endsWith('.eml') ? [path] : [];
  });
}

/** What the pipeline stores of a mail's words, by name. */
async function stored(raw: Buffer): Promise<Record<string, string>> {
  const chunks = function* () {
    for (let at = 0; at < raw.length; at += 16 * 1024) yield raw.subarray(at, at + 16 * 1024);
  };
  const record = await parseMail(Readable.from(chunks()), { onHeaders: async () => DRAIN_ATTACHMENTS });
  const words: Record<string, string> = {
    text: record.text,
    reply: cutText(trimReply(record.text).reply, 16 * 1024, 'utf8-bytes', ' […]').text,
    title: oneLine(record.subject.trim() || '(no subject)', 200),
  };
  record.attachedMessages.forEach((message, i) => {
    words[`attached ${i} subject`] = message.subject;
    words[`attached ${i} text`] = message.text;
  });
  return words;
}

const FILES = [...emlFiles(join(ROOT, 'test/fixtures')), ...emlFiles(join(ROOT, 'samples'))];

describe('every fixture, through parseMail', () => {
  it('finds the fixtures', () => {
    expect(FILES.length).toBeGreaterThan(40);
  });

  it.each(FILES.map((file) => [relative(ROOT, file), file]))('%s: stores only valid Unicode', async (name, file) => {
    const result = await stored(readFileSync(file)).catch((error: unknown) => ({ error }));
    if ('error' in result) {
      // A mail the parser refuses is a recorded skip (malformed), not stored text.
      expect(result.error).toBeInstanceOf(MalformedMailError);
      return;
    }
    for (const [field, value] of Object.entries(result)) expect(hasLoneSurrogate(value), field).toBe(false);
    if (name.includes('fidelity')) for (const [field, value] of Object.entries(result)) expect(value, field).not.toContain('\uFFFD');
  });
});
