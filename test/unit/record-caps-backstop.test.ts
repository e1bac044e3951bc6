/**
 * The backstop of the record caps (`fitItem` in lib/record-caps.ts), on entries the field caps
 * cannot bound (uncapped attachment keys, a long reference-conflict note): it drops listed
 * attachments from the end only as far as needed, then cuts the inline body, and leaves an entry
 * within the budget exactly as it is.
 */
import { describe, expect, it } from 'vitest';
import type { AppliedEntry } from '../../lib/ledger-entry.js';
import type { AttachmentInfo } from '../../lib/mail/record.js';
import { capLedgerEntry, dynamoItemBytes, STORE_LIMITS } from '../../lib/record-caps.js';

/** What fitItem aims at: DynamoDB's item limit less 1 KB of slack. */
const BUDGET = STORE_LIMITS.dynamoItemBytes - 1024;
const size = (entry: object) => dynamoItemBytes(entry as Record<string, unknown>);

type Fitted = AppliedEntry & { attachmentsOmitted?: number };

function attachment(index: number, keyBytes: number): AttachmentInfo {
  return { index, filename: 'a.pdf', refused: null, contentType: 'application/pdf', size: 1, sha256: 'f'.repeat(64), key: `k/${'k'.repeat(keyBytes)}` };
}

function entry(attachments: AttachmentInfo[], overrides: Partial<AppliedEntry> = {}): AppliedEntry {
  return {
    messageKey: 'm@x', direction: 'inbound', bucket: 'mail', key: 'inbound/a', messageId: 'm@x', from: 'a@x', subject: 's',
    receivedAt: '2026-11-28T00:00:00.000Z', recordedAt: '2026-11-28T00:00:00.000Z',
    state: 'applied', outcome: 'followup', ticketId: 42, followupId: 'f', reopened: false, mergedFrom: [], body: 'body', bodyKey: null,
    attachments, ...overrides,
  };
}

describe('capLedgerEntry: the backstop', () => {
  it('drops only as many attachments from the end as it must, and counts them', () => {
    const attachments = Array.from({ length: 120 }, (_, i) => attachment(i, 3500));
    const fitted = capLedgerEntry(entry(attachments)) as Fitted;
    const kept = fitted.attachments.length;
    expect(size(fitted)).toBeLessThanOrEqual(BUDGET);
    expect(kept).toBeGreaterThan(0);
    expect(fitted.attachments).toEqual(attachments.slice(0, kept));
    expect(fitted.attachmentsOmitted).toBe(120 - kept);
    // One more would not have fitted.
    expect(size({ ...fitted, attachments: attachments.slice(0, kept + 1) })).toBeGreaterThan(BUDGET);
    expect(fitted.body).toBe('body');
  });

  it('drops every attachment and then cuts the body when the rest alone is over the budget', () => {
    const note = 'n'.repeat(BUDGET);
    const fitted = capLedgerEntry(entry([attachment(0, 10), attachment(1, 10), attachment(2, 10)], { referenceConflict: note, body: 'b'.repeat(1000) })) as Fitted;
    expect(fitted.attachments).toEqual([]);
    expect(fitted.attachmentsOmitted).toBe(3);
    // At least 16 bytes of body stay, marker included, even when nothing fits.
    expect(fitted.body).toBe(`${'b'.repeat(10)} […]`);
  });

  it('cuts the body to what is left of the budget when that is more than 16 bytes', () => {
    const note = 'n'.repeat(BUDGET - 2000);
    const fitted = capLedgerEntry(entry([attachment(0, 3000)], { referenceConflict: note, body: 'b'.repeat(60_000) })) as Fitted;
    expect(fitted.attachments).toEqual([]);
    expect(fitted.attachmentsOmitted).toBe(1);
    expect(size(fitted)).toBeLessThanOrEqual(BUDGET);
    expect(fitted.body?.endsWith(' […]')).toBe(true);
    expect(size({ ...fitted, body: `${fitted.body}b` })).toBeGreaterThan(BUDGET);
  });

  it('leaves an entry of exactly the budget as it is, without an omitted count', () => {
    const base = entry([], { referenceConflict: '' });
    const exact = { ...base, referenceConflict: 'n'.repeat(BUDGET - size(base)) };
    expect(size(exact)).toBe(BUDGET);
    expect(capLedgerEntry(exact)).toEqual(exact);
  });
});

describe('capLedgerEntry: the backstop at the budget exactly', () => {
  it('aims at 1 KB under DynamoDB item limit', () => {
    expect(BUDGET).toBe(400 * 1024 - 1024);
  });

  it('keeps the attachments that bring it to exactly the budget, dropping only the last', () => {
    const withFirst = entry([attachment(0, 8)], { referenceConflict: '' });
    const note = 'n'.repeat(BUDGET - size(withFirst));
    expect(size({ ...withFirst, referenceConflict: note })).toBe(BUDGET);
    const fitted = capLedgerEntry(entry([attachment(0, 8), attachment(1, 8)], { referenceConflict: note })) as Fitted;
    expect(fitted.attachments).toEqual([attachment(0, 8)]);
    expect(fitted.attachmentsOmitted).toBe(1);
    expect(fitted.body).toBe('body');
  });

  it('drops every attachment and keeps no body when it has none inline (the body is in S3)', () => {
    const note = 'n'.repeat(BUDGET);
    const fitted = capLedgerEntry(entry([attachment(0, 8), attachment(1, 8)], { referenceConflict: note, body: null, bodyKey: 'attachments/body.txt' })) as Fitted;
    expect(fitted.attachments).toEqual([]);
    expect(fitted.attachmentsOmitted).toBe(2);
    expect(fitted.body).toBeNull();
    expect(fitted.bodyKey).toBe('attachments/body.txt');
    expect(fitted.referenceConflict).toBe(note);
  });
});
