/**
 * Attachment file names: the Windows device names that get a `_` prefix (and the look-alikes
 * that do not), the cut at 200 characters (which extensions survive it), and the extension
 * refuseAttachment decides by.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DENIED_EXTENSIONS, DEFAULT_DENIED_TYPES, refuseAttachment, sanitizeFilename, type AttachmentPolicy } from '../../lib/mail/attachment-policy.js';

const policy: AttachmentPolicy = {
  maxCount: 10,
  maxBytes: 1000,
  maxTotalBytes: 10_000,
  denyExtensions: new Set(DEFAULT_DENIED_EXTENSIONS),
  allowExtensions: null,
  denyTypes: new Set(DEFAULT_DENIED_TYPES),
};

describe('sanitizeFilename: Windows device names', () => {
  it.each([
    ['COM1.txt', '_COM1.txt'],
    ['lpt9', '_lpt9'],
    ['Aux.log.txt', '_Aux.log.txt'],
    ['prn', '_prn'],
  ])('prefixes the device name %j → %j', (name, expected) => {
    expect(sanitizeFilename(name)).toBe(expected);
  });

  it.each([
    ['falcon.txt', 'falcon.txt'],
    ['Falcon', 'Falcon'],
    ['coma.txt', 'coma.txt'],
    ['lptx', 'lptx'],
    ['console.log', 'console.log'],
    ['com10.txt', 'com10.txt'],
  ])('leaves a name that only looks like one alone: %j', (name, expected) => {
    expect(sanitizeFilename(name)).toBe(expected);
  });
});

describe('sanitizeFilename: the cut at 200 characters', () => {
  it('keeps a name of exactly 200 characters whole', () => {
    const name = `${'a'.repeat(196)}.pdf`;
    expect(sanitizeFilename(name)).toBe(name);
  });

  it('cuts a name without an extension to its first 200 characters', () => {
    expect(sanitizeFilename(`${'a'.repeat(300)}z`)).toBe('a'.repeat(200));
  });

  it('keeps an extension of up to 15 characters after the dot', () => {
    expect(sanitizeFilename(`${'x'.repeat(300)}.${'y'.repeat(15)}`)).toBe(`${'x'.repeat(184)}.${'y'.repeat(15)}`);
  });

  it('does not keep a longer extension: the name is cut like one without', () => {
    expect(sanitizeFilename(`${'x'.repeat(300)}.${'y'.repeat(16)}`)).toBe('x'.repeat(200));
    expect(sanitizeFilename(`${'x'.repeat(300)}.${'y'.repeat(20)}`)).toBe('x'.repeat(200));
  });
});

describe('refuseAttachment: the deciding extension', () => {
  it('takes a name without a dot as having no extension', () => {
    expect(refuseAttachment(policy, 0, 'exe', 'application/octet-stream')).toBeNull();
    expect(refuseAttachment(policy, 0, 'js', 'text/plain')).toBeNull();
  });

  it('takes a name that is all extension by that extension', () => {
    expect(refuseAttachment(policy, 0, '.exe', 'application/octet-stream')).toBe('denied-extension');
    expect(refuseAttachment(policy, 0, '.gitignore', 'text/plain')).toBeNull();
  });

  it('ignores white space around the extension, which Windows drops', () => {
    expect(refuseAttachment(policy, 0, 'invoice.exe ', 'application/octet-stream')).toBe('denied-extension');
    expect(refuseAttachment(policy, 0, 'invoice. SCR', 'application/octet-stream')).toBe('denied-extension');
  });

  it('allows by the same extension, and refuses a name ending in a dot under an allow list', () => {
    const strict: AttachmentPolicy = { ...policy, allowExtensions: new Set(['pdf']) };
    expect(refuseAttachment(strict, 0, 'Report.PDF ', 'application/pdf')).toBeNull();
    expect(refuseAttachment(strict, 0, 'report.', 'application/pdf')).toBe('extension-not-allowed');
  });
});
