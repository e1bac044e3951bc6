import { describe, expect, it } from 'vitest';
import { canonicalizeMailbox, type CanonicalAddress } from '../../lib/mail/canonical-address.js';
import { contentFingerprint, type FingerprintInput } from '../../lib/mail/content-fingerprint.js';

function address(text: string): CanonicalAddress {
  const result = canonicalizeMailbox(text);
  if (!result.comparable) throw new Error(result.reason);
  return result.address;
}

/** reused-message-id-a.eml of ../shared/cases, as the parser reads it. */
const SHIPMENT_A: FingerprintInput = {
  from: address('Carrier Notices <notices@carrier.example>'),
  date: '2026-03-02T07:01:00.000Z',
  subject: 'Shipment 7731-A: delivery exception',
  text: 'Parcel 7731-A could not be delivered: recipient absent. Second attempt tomorrow.\n',
  attachmentSha256: [],
  authenticated: true,
};

describe('contentFingerprint', () => {
  it('is 64 hex digits, the same for the same content', () => {
    const fingerprint = contentFingerprint(SHIPMENT_A);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(contentFingerprint({ ...SHIPMENT_A })).toBe(fingerprint);
  });

  it('does not change with what a second delivery changes', () => {
    const fingerprint = contentFingerprint(SHIPMENT_A);
    expect(contentFingerprint({ ...SHIPMENT_A, from: address('"Notices" <NOTICES@Carrier.Example>') })).toBe(fingerprint);
    expect(contentFingerprint({ ...SHIPMENT_A, subject: 'Shipment 7731-A:\r\n delivery exception ' })).toBe(fingerprint);
    expect(contentFingerprint({ ...SHIPMENT_A, text: SHIPMENT_A.text.replace(/\n/g, '\r\n') })).toBe(fingerprint);
    expect(contentFingerprint({ ...SHIPMENT_A, text: `${SHIPMENT_A.text}\n\n` })).toBe(fingerprint);
    expect(contentFingerprint({ ...SHIPMENT_A, attachmentSha256: [] })).toBe(fingerprint);
  });

  it('tells apart two mails that reuse one Message-ID (the reused-message-id case)', () => {
    const shipmentB: FingerprintInput = {
      ...SHIPMENT_A,
      date: '2026-03-12T13:40:00.000Z',
      subject: 'Shipment 9904-C: customs hold',
      text: 'Parcel 9904-C is held at customs: the commercial invoice is missing.\n',
    };
    expect(contentFingerprint(shipmentB)).not.toBe(contentFingerprint(SHIPMENT_A));
  });

  it.each<[string, Partial<FingerprintInput>]>([
    ['another sender', { from: address('mallory@attacker.example') }],
    ['a sender that is not comparable', { from: null }],
    ['another date', { date: '2026-03-02T07:01:01.000Z' }],
    ['no date', { date: null }],
    ['another subject', { subject: 'Shipment 7731-A: delivered' }],
    ['another text', { text: 'Parcel 7731-A could not be delivered.' }],
    ['an attachment more', { attachmentSha256: ['a'.repeat(64)] }],
    ['an unauthenticated sender (a first copy must not swallow the original)', { authenticated: false }],
  ])('changes with %s', (_what, change) => {
    expect(contentFingerprint({ ...SHIPMENT_A, ...change })).not.toBe(contentFingerprint(SHIPMENT_A));
  });

  it('keeps the order of attachments and cannot be confused by moving text between fields', () => {
    const two = { ...SHIPMENT_A, attachmentSha256: ['a'.repeat(64), 'b'.repeat(64)] };
    expect(contentFingerprint(two)).not.toBe(contentFingerprint({ ...two, attachmentSha256: ['b'.repeat(64), 'a'.repeat(64)] }));
    expect(contentFingerprint({ ...SHIPMENT_A, subject: 'a","b' })).not.toBe(contentFingerprint({ ...SHIPMENT_A, subject: 'a', text: 'b' }));
    expect(contentFingerprint({ ...two, attachmentSha256: two.attachmentSha256.map((d) => d.toUpperCase()) })).toBe(contentFingerprint(two));
  });
});
