/**
 * How an inbound ledger entry over DynamoDB's item budget is brought under it (the backstop of
 * lib/record-caps.ts): listed attachments go from the end only while the entry is over the budget,
 * an entry of exactly the budget loses nothing more, and an entry without an inline body keeps none.
 */
import { describe, expect, it } from 'vitest';
import type { AppliedEntry } from '../../lib/ledger-entry.js';
import type { AttachmentInfo } from '../../lib/mail/record.js';
import { capLedgerEntry, dynamoItemBytes, STORE_LIMITS } from '../../lib/record-caps.js';

/** DynamoDB's 400 KB item limit less the 1 KB of slack the backstop keeps. */
const BUDGET = 400 * 1024 - 1024;
const size = (entry: object) => dynamoItemBytes(entry as Record<string, unknown>);

type Fitted = AppliedEntry & { attachmentsOmitted?: number };

function attachment(index: number): AttachmentInfo {
  return { index, filename: `file-${index}.pdf`, refused: null, contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64), key: `attachments/${index}` };
}

function entry(attachments: AttachmentInfo[], overrides: Partial<AppliedEntry> = {}): AppliedEntry {
  return {
    messageKey: 'm@x', direction: 'inbound', bucket: 'mail', key: 'inbound/a', messageId: 'm@x', from: 'a@x', subject: 's',
    receivedAt: '2026-11-28T00:00:00.000Z', recordedAt: '2026-11-28T00:00:00.000Z',
    state: 'applied', outcome: 'followup', ticketId: 42, followupId: 'f', reopened: false, mergedFrom: [], body: 'body', bodyKey: null,
    attachments, ...overrides,
  };
}

describe('an inbound entry over the item budget', () => {
  it('aims at 1 KB under DynamoDB item limit', () => {
    expect(STORE_LIMITS.dynamoItemBytes - 1024).toBe(BUDGET);
  });

  it('keeps the attachments that bring it to exactly the budget, dropping only the last', () => {
    const withFirst = entry([attachment(0)], { referenceConflict: '' });
    const note = 'n'.repeat(BUDGET - size(withFirst));
    expect(size({ ...withFirst, referenceConflict: note })).toBe(BUDGET);
    const fitted = capLedgerEntry(entry([attachment(0), attachment(1)], { referenceConflict: note })) as Fitted;
    expect(fitted.attachments).toEqual([attachment(0)]);
    expect(fitted.attachmentsOmitted).toBe(1);
    expect(fitted.body).toBe('body');
  });

  it('drops every attachment and keeps no body when it has none inline (the body is in S3)', () => {
    const note = 'n'.repeat(BUDGET);
    const fitted = capLedgerEntry(entry([attachment(0), attachment(1)], { referenceConflict: note, body: null, bodyKey: 'attachments/body.txt' })) as Fitted;
    expect(fitted.attachments).toEqual([]);
    expect(fitted.attachmentsOmitted).toBe(2);
    expect(fitted.body).toBeNull();
    expect(fitted.bodyKey).toBe('attachments/body.txt');
    expect(fitted.referenceConflict).toBe(note);
  });
});
