/**
 * The two duplicate-detection fingerprints are stored with each mail: a later deployment must
 * compute the same value for the same mail, so each recipe is pinned to a value computed by hand
 * from its documented serialization (SHA-256 over a JSON array, the text by its own SHA-256).
 */
import { describe, expect, it } from 'vitest';
import { canonicalizeMailbox, type CanonicalAddress } from '../../lib/mail/canonical-address.js';
import { contentFingerprint, headersFingerprint, type FingerprintInput, type HeadersFingerprintInput } from '../../lib/mail/content-fingerprint.js';

function address(text: string): CanonicalAddress {
  const result = canonicalizeMailbox(text);
  if (!result.comparable) throw new Error(result.reason);
  return result.address;
}

const CONTENT: FingerprintInput = {
  from: address('Carrier Notices <notices@carrier.example>'),
  date: '2026-03-02T07:01:00.000Z',
  subject: 'Shipment 7731-A: delivery exception',
  text: 'Parcel 7731-A could not be delivered.\r\nSecond attempt tomorrow.\r\n',
  // SHA-256 of "test", as a mailer might print it: upper case.
  attachmentSha256: ['9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08'],
  authenticated: true,
};

const HEADERS: HeadersFingerprintInput = {
  from: address('notices@carrier.example'),
  date: '2026-03-02T07:01:00.000Z',
  subject: 'Re: Shipment 7731-A:\r\n  delivery exception',
  authenticated: true,
  inReplyTo: ['<a1@carrier.example>'],
  references: ['<a0@carrier.example>', '<a1@carrier.example>'],
  to: ['Support@Helpdesk.example'],
  cc: ['OPS@helpdesk.example'],
};

describe('contentFingerprint: the stored recipe', () => {
  it('is SHA-256 over version, sender, date, subject, text digest (LF line ends), lower-case attachment digests and authentication', () => {
    expect(contentFingerprint(CONTENT)).toBe('a14e2604e85e7813420a70aeb62e970dcdb3da4247eec65ab9123598669e219c');
  });

  it('reads bare CR line ends (old Mac mailers) as LF, and keeps the line break', () => {
    const lf = contentFingerprint({ ...CONTENT, text: 'Parcel 7731-A could not be delivered.\nSecond attempt tomorrow.' });
    expect(contentFingerprint({ ...CONTENT, text: 'Parcel 7731-A could not be delivered.\rSecond attempt tomorrow.\r' })).toBe(lf);
    expect(contentFingerprint({ ...CONTENT, text: 'Parcel 7731-A could not be delivered.Second attempt tomorrow.' })).not.toBe(lf);
  });

  it('collapses the subject\'s white space to one space, not to nothing', () => {
    const spaced = contentFingerprint({ ...CONTENT, subject: 'Shipment\t 7731-A:  delivery exception' });
    expect(spaced).toBe(contentFingerprint(CONTENT));
    expect(contentFingerprint({ ...CONTENT, subject: 'Shipment7731-A:deliveryexception' })).not.toBe(spaced);
  });
});

describe('headersFingerprint', () => {
  it('is SHA-256 over version, sender, date, collapsed subject, references, lower-case recipients and authentication', () => {
    expect(headersFingerprint(HEADERS)).toBe('ca3ac7647b901b4a1d95f0f91375262134ef1d92195ed60d625720a062f64d96');
  });

  it('does not change with the case of a recipient, and changes with another recipient', () => {
    const fingerprint = headersFingerprint(HEADERS);
    expect(headersFingerprint({ ...HEADERS, to: ['support@helpdesk.example'], cc: ['ops@HELPDESK.EXAMPLE'] })).toBe(fingerprint);
    expect(headersFingerprint({ ...HEADERS, cc: ['billing@helpdesk.example'] })).not.toBe(fingerprint);
    expect(headersFingerprint({ ...HEADERS, to: [] })).not.toBe(fingerprint);
  });
});
