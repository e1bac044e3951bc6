import { describe, expect, it } from 'vitest';
import { DEFAULT_DENIED_EXTENSIONS, DEFAULT_DENIED_TYPES, refuseAttachment, sanitizeFilename, type AttachmentPolicy } from '../../lib/mail/attachment-policy.js';
import { isSenderAllowed } from '../../lib/screening/sender-policy.js';
import type { Ticket } from '../../lib/ticket.js';

const policy: AttachmentPolicy = {
  maxCount: 3,
  maxBytes: 100,
  maxTotalBytes: 200,
  denyExtensions: new Set(DEFAULT_DENIED_EXTENSIONS),
  allowExtensions: null,
  denyTypes: new Set(DEFAULT_DENIED_TYPES),
};

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\report.pdf', 'report.pdf'],
    ['in\u0000voice\u202e.pdf', 'invoice.pdf'],
    ['a<b>c:d"e|f?g*.txt', 'a_b_c_d_e_f_g_.txt'],
    ['CON.txt', '_CON.txt'],
    ['nul', '_nul'],
    ['...hidden', 'hidden'],
    ['trailing. . .', 'trailing'],
    ['', null],
    ['////', null],
    [null, null],
  ])('%j → %j', (name, expected) => {
    expect(sanitizeFilename(name)).toBe(expected);
  });

  it('bounds the length and keeps the extension', () => {
    const long = sanitizeFilename(`${'x'.repeat(500)}.pdf`);
    expect(long?.length).toBe(200);
    expect(long?.endsWith('.pdf')).toBe(true);
  });
});

describe('refuseAttachment', () => {
  it('refuses by count, content type and the decisive (last) extension', () => {
    expect(refuseAttachment(policy, 3, 'a.pdf', 'application/pdf')).toBe('too-many');
    expect(refuseAttachment(policy, 0, 'setup', 'application/x-msdownload')).toBe('denied-type');
    expect(refuseAttachment(policy, 0, 'invoice.pdf.exe', 'application/pdf')).toBe('denied-extension');
    expect(refuseAttachment(policy, 0, 'SCRIPT.JS', 'text/plain')).toBe('denied-extension');
    expect(refuseAttachment(policy, 0, 'support.example.com.pdf', 'application/pdf')).toBeNull();
    expect(refuseAttachment(policy, 0, null, 'image/png')).toBeNull();
  });

  it('stores only allowed extensions when an allow list is set', () => {
    const strict = { ...policy, allowExtensions: new Set(['pdf', 'png']) };
    expect(refuseAttachment(strict, 0, 'a.pdf', 'application/pdf')).toBeNull();
    expect(refuseAttachment(strict, 0, 'a.docx', 'application/octet-stream')).toBe('extension-not-allowed');
    expect(refuseAttachment(strict, 0, null, 'image/png')).toBe('extension-not-allowed');
  });
});

describe('isSenderAllowed', () => {
  const ticket = (submitter: string, cc: string[] = []): Ticket => ({ id: 1, queue: 'q', status: 'open', title: '', submitter, cc, createdAt: '', updatedAt: '' });
  const agents = { addresses: new Set(['lead@example.com']), domains: new Set(['staff.example.com']) };

  it('allows the submitter, a CC and agents, case-insensitively', () => {
    expect(isSenderAllowed('Alice@Example.COM', [ticket('alice@example.com')], agents)).toBe(true);
    expect(isSenderAllowed('bob@example.com', [ticket('alice@example.com', ['Bob@example.com'])], agents)).toBe(true);
    expect(isSenderAllowed('lead@example.com', [ticket('alice@example.com')], agents)).toBe(true);
    expect(isSenderAllowed('anyone@staff.example.com', [ticket('alice@example.com')], agents)).toBe(true);
  });

  it('allows the participants of a merged ticket on the way', () => {
    expect(isSenderAllowed('dave@example.com', [ticket('dave@example.com'), ticket('alice@example.com')], agents)).toBe(true);
  });

  it('refuses anyone else, and a mail without sender', () => {
    expect(isSenderAllowed('mallory@example.com', [ticket('alice@example.com')], agents)).toBe(false);
    expect(isSenderAllowed('x@notstaff.example.com', [ticket('alice@example.com')], agents)).toBe(false);
    expect(isSenderAllowed(null, [ticket('alice@example.com')], agents)).toBe(false);
  });
});
