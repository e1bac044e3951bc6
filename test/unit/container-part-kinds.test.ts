/**
 * Which MIME parts the parse opens as containers (issue 12, points 1 and 6): opaque-signed S/MIME
 * (RFC 8551 §3.2.1), TNEF winmail.dat ([MS-OXTNEF]), and attached mails (RFC 2046 §5.2.1, RFC 6532).
 * Media types are case-insensitive (RFC 2045 §5.1) and header values may carry stray whitespace.
 */
import { describe, expect, it } from 'vitest';
import { containerKind, isAttachedMessage, isOpaqueSignedPart, isTnefPart } from '../../lib/mail/container-parts.js';

describe('containerKind', () => {
  it('tells opaque S/MIME, TNEF and attached mails from other parts, whatever the case and surrounding whitespace', () => {
    expect(containerKind(' Application/PKCS7-MIME ', { 'smime-type': 'signed-data' }, null)).toBe('smime-signed');
    expect(containerKind(' Application/VND.MS-TNEF\t', {}, null)).toBe('tnef');
    expect(containerKind('APPLICATION/MS-TNEF', {}, 'attachment.bin')).toBe('tnef');
    expect(containerKind(' Message/RFC822 ', {}, 'forwarded.eml')).toBe('attached-message');
    expect(containerKind('message/global', {}, null)).toBe('attached-message');
    expect(containerKind('application/pdf', {}, 'report.pdf')).toBeNull();
  });
});

describe('isOpaqueSignedPart', () => {
  it('falls back to the name only when it ends in .p7m', () => {
    expect(isOpaqueSignedPart('application/pkcs7-mime', {}, 'smime.p7m')).toBe(true);
    expect(isOpaqueSignedPart('application/pkcs7-mime', {}, 'smime.p7m.txt')).toBe(false);
    expect(isOpaqueSignedPart('application/pkcs7-mime', {}, 'smime.p7c')).toBe(false);
    expect(isOpaqueSignedPart('application/pkcs7-mime', {}, null)).toBe(false);
  });
});

describe('isTnefPart', () => {
  it('knows winmail.dat by its whole name, in any case, sent as octet-stream', () => {
    expect(isTnefPart('application/octet-stream', 'winmail.dat')).toBe(true);
    expect(isTnefPart('application/octet-stream', ' WINMAIL.DAT ')).toBe(true);
    expect(isTnefPart('application/octet-stream', 'old-winmail.dat')).toBe(false);
    expect(isTnefPart('application/octet-stream', 'winmail.dat.bak')).toBe(false);
    expect(isTnefPart('application/octet-stream', null)).toBe(false);
  });
});

describe('isAttachedMessage', () => {
  it('is an attached mail for message/rfc822 and message/global only', () => {
    expect(isAttachedMessage('message/rfc822')).toBe(true);
    expect(isAttachedMessage('Message/Global ')).toBe(true);
    expect(isAttachedMessage('message/partial')).toBe(false);
    expect(isAttachedMessage('message/delivery-status')).toBe(false);
    expect(isAttachedMessage('text/plain')).toBe(false);
  });
});
