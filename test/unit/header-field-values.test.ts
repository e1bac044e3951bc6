/**
 * How readMailHeaders reads the values of address, structured and date fields in the shapes
 * mailparser may hand over, including the sparse ones: an address without a display name, a
 * structured value without a value, an empty header, dates with RFC 5322 comments.
 */
import type { AddressObject, EmailAddress, HeaderValue, Headers } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { readMailHeaders } from '../../lib/mail/headers.js';

const headers = (entries: Record<string, unknown>): Headers => new Map(Object.entries(entries)) as Headers;
const addressObject = (value: EmailAddress[], text: string): AddressObject => ({ value, text, html: text });

describe('address fields', () => {
  it('gives an address without a display name the empty name', () => {
    const to = addressObject([{ address: 'Alice@Example.com' } as EmailAddress], 'Alice@Example.com');
    expect(readMailHeaders(headers({ to }), []).to).toEqual([{ address: 'alice@example.com', name: '' }]);
  });

  it('reads a field mailparser left empty (null) as no addresses', () => {
    expect(readMailHeaders(headers({ to: null, cc: [null] }), [])).toMatchObject({ to: [], cc: [], from: null });
  });
});

describe('extra (screening) header values', () => {
  it('reads an address field as its text when any of its entries has an address, else as <>', () => {
    const returnPath = addressObject([{ address: '', name: 'undisclosed' }, { address: 'bounce@lists.example', name: '' }], 'undisclosed: bounce@lists.example');
    expect(readMailHeaders(headers({ 'return-path': returnPath }), ['return-path']).extra).toEqual({ 'return-path': ['undisclosed: bounce@lists.example'] });
  });

  it('cuts an address field text at 2,000 characters', () => {
    const text = `${'x'.repeat(2500)}@lists.example`;
    const returnPath = addressObject([{ address: text, name: '' }], text);
    expect(readMailHeaders(headers({ 'return-path': returnPath }), ['return-path']).extra['return-path']).toEqual(['x'.repeat(2000)]);
  });

  it('cuts a structured value at 2,000 characters, and reads one without a value as empty', () => {
    const long = { value: 'a'.repeat(3000), params: {} } as HeaderValue;
    const empty = { params: { charset: 'x' } } as unknown as HeaderValue;
    expect(readMailHeaders(headers({ 'auto-submitted': long, precedence: empty }), ['auto-submitted', 'precedence']).extra).toEqual({
      'auto-submitted': ['a'.repeat(2000)],
      precedence: [''],
    });
  });
});

describe('the Date field', () => {
  const date = new Date('2026-11-30T10:00:00Z');
  const read = (raw: string) => readMailHeaders(headers({ date }), [], { date: [raw] }).date;

  it('reads a date with a comment glued to the time (obs-second, RFC 5322 §4.3)', () => {
    expect(read('Mon, 30 Nov 2026 10:00:00(UTC) +0000')).toBe('2026-11-30T10:00:00.000Z');
  });

  it('reads a date with a comment between the year and the time as white space', () => {
    expect(read('Mon, 30 Nov 2026(Monday)10:00:00 +0000')).toBe('2026-11-30T10:00:00.000Z');
  });
});
