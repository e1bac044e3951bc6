import { describe, expect, it } from 'vitest';
import { DEFAULT_DENIED_EXTENSIONS, DEFAULT_DENIED_TYPES, refuseAttachment, sanitizeFilename, type AttachmentPolicy } from '../../lib/mail/attachment-policy.js';
import { canonicalSender, canonicalizeMailbox } from '../../lib/mail/canonical-address.js';
import { isParticipant } from '../../lib/screening/sender-policy.js';
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

describe('isParticipant', () => {
  const ticket = (submitter: string, cc: string[] = []): Ticket => ({ id: 1, queue: 'q', status: 'open', title: '', submitter, cc, createdAt: '', updatedAt: '' });
  const agents = { addresses: new Set(['lead@example.com']), domains: new Set(['staff.example.com']) };
  const canonicalParticipant = (address: string) => {
    const result = canonicalizeMailbox(address);
    return result.comparable ? result.address : null;
  };
  /** The sender as the pipeline gives it: the canonical form of the raw From. */
  const from = (raw: string) => {
    const result = canonicalSender([raw]);
    return result.comparable ? result.address : null;
  };
  const allowed = (raw: string, tickets: Ticket[]) => isParticipant({ sender: from(raw), agents, canonicalParticipant }, tickets);

  it('allows the submitter, a CC and agents, whatever the case of the stored or sent address', () => {
    expect(allowed('Alice <Alice@Example.COM>', [ticket('alice@example.com')])).toBe(true);
    expect(allowed('bob@example.com', [ticket('alice@example.com', ['Bob@example.com'])])).toBe(true);
    expect(allowed('lead@example.com', [ticket('alice@example.com')])).toBe(true);
    expect(allowed('anyone@staff.example.com', [ticket('alice@example.com')])).toBe(true);
  });

  it('allows the participants of a merged ticket on the way', () => {
    expect(allowed('dave@example.com', [ticket('dave@example.com'), ticket('alice@example.com')])).toBe(true);
  });

  it('compares IDN domains as A-labels on both sides', () => {
    expect(allowed('jo@xn--bcher-kva.example', [ticket('jo@bücher.example')])).toBe(true);
    expect(allowed('alice@xn--example-.com', [ticket('alice@example.com')])).toBe(false);
  });

  it('refuses anyone else, a display name that shows a participant, and a mail without sender', () => {
    expect(allowed('mallory@example.com', [ticket('alice@example.com')])).toBe(false);
    expect(allowed('"alice@example.com" <mallory@attacker.example>', [ticket('alice@example.com')])).toBe(false);
    expect(allowed('x@notstaff.example.com', [ticket('alice@example.com')])).toBe(false);
    expect(allowed('=?utf-8?q?alice?=@example.com', [ticket('alice@example.com')])).toBe(false);
    expect(isParticipant({ sender: null, agents, canonicalParticipant }, [ticket('alice@example.com')])).toBe(false);
  });
});
