/** Typed factories of final ledger entries, for the tests of what is built from them. */
import type { AppliedEntry, SkippedEntry } from '../../lib/ledger-entry.js';
import type { AttachmentInfo } from '../../lib/mail/record.js';

const base = {
  direction: 'inbound' as const,
  bucket: 'helpdesk-mail-local',
  key: 'inbound/0001-reply.eml',
  messageId: 'reply-1@customer.example',
  messageKey: 'reply-1@customer.example',
  from: 'ada@customer.example',
  subject: 'Re: [support-42] Printer on fire',
  receivedAt: '2026-11-28T09:00:00.000Z',
  recordedAt: '2026-11-28T09:00:01.000Z',
};

export function attachment(index: number, overrides: Partial<AttachmentInfo> = {}): AttachmentInfo {
  return {
    index,
    filename: `photo-${index}.jpg`,
    refused: null,
    contentType: 'image/jpeg',
    size: 12_345,
    sha256: 'a'.repeat(64),
    key: `attachments/42/0123456789abcdef01234567/${index}`,
    ...overrides,
  };
}

export function appliedEntry(overrides: Partial<AppliedEntry> = {}): AppliedEntry {
  return {
    ...base,
    state: 'applied',
    outcome: 'followup',
    ticketId: 42,
    followupId: '0123456789abcdef01234567',
    reopened: false,
    mergedFrom: [],
    body: 'Thanks, it works now.\n\nOn Mon, Agent wrote:\n> Try turning it off.',
    bodyKey: null,
    attachments: [],
    ...overrides,
  };
}

export function skippedEntry(overrides: Partial<SkippedEntry> = {}): SkippedEntry {
  return {
    ...base,
    state: 'skipped',
    reason: 'no-ticket-ref',
    detail: 'no subject tag, no known In-Reply-To/References',
    ticketId: null,
    ...overrides,
  };
}
