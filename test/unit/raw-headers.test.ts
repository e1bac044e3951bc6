/**
 * Header fields as the sender's bytes wrote them (lib/mail/raw-headers.ts): which fields are kept
 * and how many of each, how a value is unfolded and trimmed, and how its bytes are read as UTF-8.
 */
import { describe, expect, it } from 'vitest';
import { decodeHeaderBytes, MAX_RAW_VALUES, rawHeaderValue, readRawHeaders, TRUST_HEADERS } from '../../lib/mail/raw-headers.js';

/** A header line as mailsplit hands it over: one character per byte. */
const binary = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('decodeHeaderBytes', () => {
  it('reads the bytes of a binary string as UTF-8', () => {
    expect(decodeHeaderBytes(binary('Jürgen <jürgen@example.com>'))).toBe('Jürgen <jürgen@example.com>');
  });

  it('puts U+FFFD for bytes that are not UTF-8', () => {
    expect(decodeHeaderBytes('caf\u00e9 x')).toBe('caf\ufffd x');
  });

  it('leaves ASCII, and a string that is already decoded, as they are', () => {
    expect(decodeHeaderBytes('plain ascii')).toBe('plain ascii');
    expect(decodeHeaderBytes('Jürgen → 日本')).toBe('Jürgen → 日本');
  });
});

describe('rawHeaderValue', () => {
  it('takes the text after the first colon, unfolded and trimmed', () => {
    expect(rawHeaderValue('Subject:  a: b\r\n\tc\r\n  d  ')).toBe('a: b\tc  d');
    expect(rawHeaderValue('To: a@x,\n b@y')).toBe('a@x, b@y');
  });

  it('keeps a line break not followed by white space (not a fold)', () => {
    expect(rawHeaderValue('X: a\r\nb')).toBe('a\r\nb');
  });

  it('reads a line without a colon as empty', () => {
    expect(rawHeaderValue('no colon here')).toBe('');
  });
});

describe('readRawHeaders', () => {
  const line = (key: string, value: string) => ({ key, line: `${key}: ${value}` });

  it('keeps the trust headers only, by lower-case name, topmost first', () => {
    const raw = readRawHeaders([line('From', 'a@x'), line('Subject', 'hi'), line(' RECEIVED ', 'one'), line('received', 'two'), line('List-Id', '<l.x>')]);
    expect(raw).toEqual({ from: ['a@x'], received: ['one', 'two'], 'list-id': ['<l.x>'] });
  });

  it('keeps at most the topmost values of each name', () => {
    const lines = Array.from({ length: MAX_RAW_VALUES + 5 }, (_, i) => line('received', `hop ${i}`));
    const raw = readRawHeaders(lines);
    expect(raw.received).toHaveLength(MAX_RAW_VALUES);
    expect(raw.received?.[MAX_RAW_VALUES - 1]).toBe(`hop ${MAX_RAW_VALUES - 1}`);
    expect(readRawHeaders(lines.slice(0, 3), ['Received'], 2)).toEqual({ received: ['hop 0', 'hop 1'] });
  });

  it('reads the names asked for, in any case', () => {
    expect(readRawHeaders([line('X-Custom', 'v'), line('From', 'a@x')], ['x-CUSTOM'])).toEqual({ 'x-custom': ['v'] });
  });

  it('reads every trust header by default', () => {
    const raw = readRawHeaders(TRUST_HEADERS.map((name) => line(name, `${name} value`)));
    expect(Object.keys(raw).sort()).toEqual([...TRUST_HEADERS].sort());
  });
});
