/**
 * Reply trimming of long text: the parser reads only the head (MAX_TRIM_INPUT_CHARS, cut at a
 * line end); history found there is trimmed, and a text whose head holds none is kept whole.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TRIM_INPUT_CHARS, trimReply } from '../../lib/mail/reply-trim.js';

const NEW_PART = 'New words.\n\n';
const REPORT_LINE = 'A long report line without any quote.\n';
const QUOTE = '> Please restart the printer.';

/** `NEW_PART`, report lines, then `QUOTE` as the last line (no line break after it), `length` characters in all. */
function replyOfLength(length: number): { readonly text: string; readonly above: string } {
  let room = length - NEW_PART.length - QUOTE.length;
  let report = '';
  while (room >= REPORT_LINE.length + 1) {
    report += REPORT_LINE;
    room -= REPORT_LINE.length;
  }
  report += `${'x'.repeat(room - 1)}\n`;
  const text = `${NEW_PART}${report}${QUOTE}`;
  expect(text.length).toBe(length);
  return { text, above: `${NEW_PART}${report}`.trim() };
}

describe('trimReply: the head limit', () => {
  it('reads a text of exactly the limit whole, so a quote on its last line is history', () => {
    const { text, above } = replyOfLength(MAX_TRIM_INPUT_CHARS);
    expect(trimReply(text)).toEqual({ full: text, reply: above, trimmed: true });
  });

  it('reads a quote only when its whole line is inside the head: one crossing the limit is not seen, and the text is kept', () => {
    const { text } = replyOfLength(MAX_TRIM_INPUT_CHARS + 1);
    expect(trimReply(text)).toEqual({ full: text, reply: text.trim(), trimmed: false });
  });

  it('trims a short text whose quote is its last line, with no line break after it', () => {
    expect(trimReply(`Done.\n\n${QUOTE}`)).toEqual({ full: `Done.\n\n${QUOTE}`, reply: 'Done.', trimmed: true });
  });

  it('trims at an Outlook block the parser does not know (no address in From) found in the head of a long text', () => {
    const text = `The jam is gone.\n\nFrom: Helpdesk Support\nSent: Tuesday, March 3, 2026 9:15 AM\nTo: Alice Example\nSubject: RE: Printer jams\n\n${'An old line of the helpdesk mail.\n'.repeat(1500)}`;
    expect(text.length).toBeGreaterThan(MAX_TRIM_INPUT_CHARS);
    expect(trimReply(text)).toEqual({ full: text, reply: 'The jam is gone.', trimmed: true });
  });

  it('keeps a long text whole when a first line longer than the limit hides the history below it', () => {
    const text = `${'word '.repeat(8000)}\n\n${QUOTE}\n`;
    expect(text.indexOf('\n')).toBeGreaterThan(MAX_TRIM_INPUT_CHARS);
    expect(trimReply(text)).toEqual({ full: text, reply: text.trim(), trimmed: false });
  });
});
