/**
 * Forwarded mail past the scan limit: only the head of the text (up to MAX_FORWARD_SCAN_CHARS,
 * cut at a line end) is read by the forward parser and normalized for it; what follows is the
 * original's body as written.
 */
import { describe, expect, it } from 'vitest';
import { findInlineForward, MAX_FORWARD_SCAN_CHARS, normalizeForScan, stripForwardPrefix } from '../../lib/mail/forwarded.js';

const BLOCK = '---------- Forwarded message ---------\nFrom: Dan Customer <dan@customer.example>\nDate: Mon, Mar 2, 2026 at 10:00 AM\nSubject: Toner leaks\nTo: <agent@helpdesk.example>\n\n\n';
const HEAD = `Please open a ticket for Dan.\n\n${BLOCK}The toner leaks.\n`;
/** The last line of the original: a run of 12 blanks, 3 trailing blanks. */
const LAST_LINE = `Totals:${' '.repeat(12)}42${' '.repeat(3)}`;
const FILLER_LINE = 'A line of the original mail.\n';

/** A forward of exactly `length` characters whose last line is {@link LAST_LINE}. */
function forwardOfLength(length: number): { readonly text: string; readonly filler: string } {
  let room = length - HEAD.length - LAST_LINE.length;
  let filler = '';
  while (room >= FILLER_LINE.length + 1) {
    filler += FILLER_LINE;
    room -= FILLER_LINE.length;
  }
  // One shorter line takes up the rest (at least its line end).
  filler += `${'x'.repeat(room - 1)}\n`;
  const text = `${HEAD}${filler}${LAST_LINE}`;
  expect(text.length).toBe(length);
  return { text, filler };
}

describe('findInlineForward: the scan limit', () => {
  it('reads a text of exactly the scan limit whole: its last line is normalized like the rest', () => {
    const { text, filler } = forwardOfLength(MAX_FORWARD_SCAN_CHARS);
    const result = findInlineForward('Fwd: Toner leaks', text);
    expect(result).toMatchObject({ forwarded: true, original: { from: 'dan@customer.example', note: 'Please open a ticket for Dan.' } });
    // The blank run is cut to 8, the trailing blanks go.
    expect(result.forwarded && result.original.body).toBe(`The toner leaks.\n${filler}Totals:${' '.repeat(8)}42`);
  });

  it('keeps the line that crosses the scan limit whole and as written, once, after the scanned body', () => {
    const { text, filler } = forwardOfLength(MAX_FORWARD_SCAN_CHARS + 1);
    const result = findInlineForward('Fwd: Toner leaks', text);
    expect(result).toMatchObject({ forwarded: true, original: { from: 'dan@customer.example', subject: 'Toner leaks' } });
    // Only the trailing blanks of the whole body are trimmed.
    expect(result.forwarded && result.original.body).toBe(`The toner leaks.\n${filler}Totals:${' '.repeat(12)}42`);
  });

  it('keeps blank runs and blank lines past the head as written, and trims only the end of the body', () => {
    const tail = `${FILLER_LINE.repeat(400)}Name${' '.repeat(10)}Qty\n\n\n\nTHE END\n\n  \n`;
    const text = `${HEAD}${tail}`;
    expect(text.length).toBeGreaterThan(MAX_FORWARD_SCAN_CHARS);
    const result = findInlineForward('Fwd: Toner leaks', text);
    expect(result.forwarded && result.original.body).toBe(`The toner leaks.\n${FILLER_LINE.repeat(400)}Name${' '.repeat(10)}Qty\n\n\n\nTHE END`);
  });

  it('does not look for a forwarded block that starts past the scan limit (a first line longer than the limit)', () => {
    const text = `${'x'.repeat(MAX_FORWARD_SCAN_CHARS + 800)}\n\n${BLOCK}The toner leaks.\n`;
    expect(findInlineForward('Fwd: Toner leaks', text)).toMatchObject({ forwarded: false });
  });
});

describe('findInlineForward: a head that is one long line', () => {
  it('still reads the head when the only line end before the limit is the first character', () => {
    // Everything on one line after a leading blank line, as some webmail composers send it.
    const text = `\nFrom: Dan <dan@customer.example> Sent: Monday Subject: Toner leaks ${'The toner leaks. '.repeat(600)}\nThanks.\n`;
    expect(text.indexOf('\n', 1)).toBeGreaterThan(MAX_FORWARD_SCAN_CHARS);
    expect(findInlineForward('FW: Toner leaks', text)).toMatchObject({ forwarded: true, original: { from: 'dan@customer.example', subject: 'Toner leaks' } });
  });
});

describe('stripForwardPrefix and normalizeForScan, the edges', () => {
  it('drops the blanks around the subject left after its prefixes', () => {
    expect(stripForwardPrefix('Fwd: Toner leaks  ')).toBe('Toner leaks');
    expect(stripForwardPrefix('  Toner leaks \t')).toBe('Toner leaks');
  });

  it('reads a lone carriage return (old Mac line end) as a line break', () => {
    expect(normalizeForScan('From: Dan\rDate: Mon\r\rbody')).toBe('From: Dan\nDate: Mon\n\nbody');
  });
});
