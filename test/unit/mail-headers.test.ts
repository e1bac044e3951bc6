/**
 * Reading mailparser's header map into the plain record (lib/mail/headers.ts), from hand-built
 * maps in the shapes mailparser hands over: address objects (with groups), structured values,
 * repeated fields. Checks the caps (addresses, extra values, thread ids), what is lower-cased,
 * and where each field comes from.
 */
import type { AddressObject, EmailAddress, HeaderValue, Headers } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { readMailHeaders } from '../../lib/mail/headers.js';

const addressObject = (value: EmailAddress[], text = value.map((a) => a.address ?? '').join(', ')): AddressObject => ({ value, text, html: text });
const headers = (entries: Record<string, HeaderValue>): Headers => new Map(Object.entries(entries)) as Headers;

describe('readMailHeaders: addresses', () => {
  it('lower-cases and trims addresses, trims names, flattens groups, and drops entries without an @', () => {
    const to = addressObject([
      { address: ' Alice@Example.COM ', name: ' Alice ' },
      { name: 'Team', group: [{ address: 'b@x.example', name: '' }, { address: 'not-an-address', name: 'n' }] },
      { address: '', name: 'empty' },
    ]);
    expect(readMailHeaders(headers({ to })).to).toEqual([
      { address: 'alice@example.com', name: 'Alice' },
      { address: 'b@x.example', name: '' },
    ]);
  });

  it('keeps at most 100 addresses of a header, across repeated fields and groups', () => {
    const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ address: `${prefix}${i}@x.example`, name: '' }));
    const cc = [addressObject(many(60, 'a')), addressObject([{ name: 'g', group: many(60, 'b') }])];
    const read = readMailHeaders(headers({ cc })).cc;
    expect(read).toHaveLength(100);
    expect(read[59]?.address).toBe('a59@x.example');
    expect(read[60]?.address).toBe('b0@x.example');
    expect(read[99]?.address).toBe('b39@x.example');
  });

  it('takes the first From address, or none', () => {
    expect(readMailHeaders(headers({ from: addressObject([{ address: 'a@x.example', name: 'A' }, { address: 'b@x.example', name: '' }]) })).from).toEqual({ address: 'a@x.example', name: 'A' });
    expect(readMailHeaders(headers({})).from).toBeNull();
    expect(readMailHeaders(headers({ from: 'not parsed' })).from).toBeNull();
  });
});

describe('readMailHeaders: envelope recipients', () => {
  it('reads Delivered-To, X-Original-To (comma lists) and the for clause of the first ten Received, lower-cased, once each', () => {
    const received = [
      'from a by mx for <Support@Helpdesk.example>; Mon',
      'from b by mx for other@helpdesk.example ; Mon',
      'from c by mx with SMTP; Mon',
      ...Array.from({ length: 8 }, (_, i) => `from d by mx for r${i}@x.example; Mon`),
    ];
    const read = readMailHeaders(
      headers({ 'delivered-to': addressObject([{ address: 'D@helpdesk.example', name: '' }]), 'x-original-to': ' X@helpdesk.example, y@helpdesk.example ,', received }),
    ).deliveredTo;
    expect(read).toEqual([
      'd@helpdesk.example',
      'x@helpdesk.example',
      'y@helpdesk.example',
      'support@helpdesk.example',
      'other@helpdesk.example',
      ...Array.from({ length: 7 }, (_, i) => `r${i}@x.example`),
    ]);
  });
});

describe('readMailHeaders: extra headers', () => {
  it('keeps up to 20 values of each, each cut at 2,000 characters, under lower-case names', () => {
    const precedence = Array.from({ length: 25 }, (_, i) => `${i}`);
    const read = readMailHeaders(headers({ precedence, 'x-loop': 'l'.repeat(3000) }), ['Precedence', 'X-Loop', 'X-Absent']).extra;
    expect(read).toEqual({ precedence: precedence.slice(0, 20), 'x-loop': ['l'.repeat(2000)] });
  });

  it('reads an address value as its text, an empty address as <>, and a structured value by its value', () => {
    const read = readMailHeaders(
      headers({ 'return-path': addressObject([{ address: '', name: '' }], ''), 'x-loop': addressObject([{ address: 'a@x', name: '' }], 'A <a@x>'), 'auto-submitted': { value: 'auto-replied', params: {} } as HeaderValue }),
    ).extra;
    expect(read).toMatchObject({ 'return-path': ['<>'], 'x-loop': ['A <a@x>'], 'auto-submitted': ['auto-replied'] });
  });
});

describe('readMailHeaders: the rest', () => {
  it('lower-cases the content type and its string parameters; text/plain without one', () => {
    const read = readMailHeaders(headers({ 'content-type': { value: 'Multipart/Report', params: { 'Report-Type': 'Delivery-Status', n: 1 as unknown as string } } as HeaderValue }));
    expect(read.contentType).toEqual({ value: 'multipart/report', params: { 'report-type': 'delivery-status' } });
    expect(readMailHeaders(headers({})).contentType).toEqual({ value: 'text/plain', params: {} });
  });

  it('keeps the first 50 In-Reply-To ids and the last 50 References', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `<m${i}@x>`).join(' ');
    const read = readMailHeaders(headers({ 'in-reply-to': ids, references: ids }));
    expect(read.inReplyTo).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}@x`));
    expect(read.references).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 10}@x`));
  });

  it('takes a usable Message-ID only, and the subject only when it is text', () => {
    expect(readMailHeaders(headers({ 'message-id': '<id@x.example>', subject: 'Hello' }))).toMatchObject({ messageId: 'id@x.example', subject: 'Hello' });
    expect(readMailHeaders(headers({ 'message-id': '<no-at>', subject: 42 as unknown as string }))).toMatchObject({ messageId: null, subject: '' });
  });

  it('takes the date only when the raw header parses (comments ignored)', () => {
    const date = new Date('2026-11-30T10:00:00Z');
    expect(readMailHeaders(headers({ date }), [], { date: ['Mon, 30 Nov 2026 10:00:00 +0000 (UTC)'] }).date).toBe('2026-11-30T10:00:00.000Z');
    expect(readMailHeaders(headers({ date }), [], { date: ['yesterday'] }).date).toBeNull();
    expect(readMailHeaders(headers({ date }), [], {}).date).toBeNull();
    expect(readMailHeaders(headers({ date: new Date(Number.NaN) }), [], { date: ['Mon, 30 Nov 2026 10:00:00 +0000'] }).date).toBeNull();
  });

  it('counts the header fields and passes the raw values on', () => {
    const raw = { from: ['a@x'] };
    expect(readMailHeaders(headers({ a: 'x', b: 'y', c: 'z' }), [], raw)).toMatchObject({ headerCount: 3, raw });
  });
});
