/** Reply trimming (issue 12, point 2): the table of real client formats, and the guarantees. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TRIM_INPUT_CHARS, trimReply } from '../../lib/mail/reply-trim.js';
import { REPLY_CASES } from '../helpers/reply-cases.js';

describe('trimReply: real client formats', () => {
  it('has at least 20 cases, covering every client and language the issue names', () => {
    expect(REPLY_CASES.length).toBeGreaterThanOrEqual(20);
    const clients = REPLY_CASES.map((c) => c.client).join('\n');
    for (const name of ['Gmail', 'Outlook desktop', 'Outlook on the web', 'Apple Mail', 'Thunderbird', 'Sent from my', 'German', 'French', 'Spanish', 'Dutch', 'Japanese']) {
      expect(clients).toContain(name);
    }
  });

  it.each(REPLY_CASES.map((c) => [c.client, c] as const))('%s', (_client, { text, reply }) => {
    const result = trimReply(text);
    expect(result.reply).toBe(reply);
    expect(result.full).toBe(text);
    expect(result.trimmed).toBe(reply !== text.trim());
  });

  it('reads CRLF line ends as the parser gives them', () => {
    const [gmail] = REPLY_CASES;
    const result = trimReply((gmail?.text ?? '').replace(/\n/g, '\r\n'));
    expect(result.reply).toBe(gmail?.reply);
    expect(result.full).toBe(gmail?.text);
  });
});

describe('trimReply: never loses the words', () => {
  it('answers the full text when all of it is quoted history', () => {
    const text = 'On Tue, Mar 3, 2026 at 9:15 AM Support <support@helpdesk.example> wrote:\n\n> Please restart the printer.\n';
    expect(trimReply(text)).toEqual({ full: text, reply: text.trim(), trimmed: false });
  });

  it('answers the full text when all of it is a signature', () => {
    const text = '-- \nAlice Example\nExample Corp\n';
    expect(trimReply(text).reply).toBe(text.trim());
  });

  it('answers the full text when the text starts with an Outlook header block (a bare forward)', () => {
    const text = 'From: Vendor <sales@vendor.example>\nSent: Tuesday, March 3, 2026 9:15 AM\nSubject: Quote\n\nThe price is 40 EUR.\n';
    expect(trimReply(text).reply).toBe(text.trim());
  });

  it('is empty only for a text without words', () => {
    expect(trimReply('')).toEqual({ full: '', reply: '', trimmed: false });
    expect(trimReply(' \n\n').reply).toBe('');
  });

  it('for any text with words: the reply has words, all of them from the text', () => {
    const line = fc.oneof(
      fc.constantFrom('> quoted line', 'On Tue, Mar 3, 2026 at 9:15 AM Support <support@helpdesk.example> wrote:', '-- ', 'Sent from my iPhone', '', 'From: Support <s@h.example>', 'Sent: Tuesday', '________________'),
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\n') && !s.includes('\r')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const text = lines.join('\n');
        const { full, reply } = trimReply(text);
        expect(full).toBe(text);
        if (/\S/u.test(text)) expect(reply).toMatch(/\S/u);
        // The parser may join a header it finds broken over lines, so words are compared, not lines.
        for (const word of reply.split(/\s+/u)) expect(full).toContain(word);
      }),
    );
  });
});

describe('trimReply: long text', () => {
  it('reads only the head of a long text, and trims history found there', () => {
    const tail = `${'> old quoted line\n'.repeat(5000)}`;
    const text = `New words.\n\nOn Tue, Mar 3, 2026 at 9:15 AM Support <support@helpdesk.example> wrote:\n${tail}`;
    expect(text.length).toBeGreaterThan(MAX_TRIM_INPUT_CHARS);
    expect(trimReply(text).reply).toBe('New words.');
  });

  it('keeps the whole text as the reply when its head holds no history', () => {
    const text = `${'A long report line without any quote.\n'.repeat(2000)}\nOn Tue, Mar 3, 2026 at 9:15 AM Support <support@helpdesk.example> wrote:\n> old\n`;
    expect(text.length).toBeGreaterThan(MAX_TRIM_INPUT_CHARS);
    expect(trimReply(text)).toEqual({ full: text, reply: text.trim(), trimmed: false });
  });

  it('finishes on text made to be slow for the parser\'s patterns (no timing asserted)', () => {
    const text = 'Op x\n'.repeat(200_000);
    expect(trimReply(text).full.length).toBe(text.length);
  });
});
