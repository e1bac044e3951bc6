/**
 * The exact edges of the record caps (lib/record-caps.ts): DynamoDB's size count per kind of
 * value, the S3 key limit at exactly 1,024 bytes, metadata values at their cap, the cut marker,
 * and the fields of each kind of ledger entry that are cut.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OutboundEntry, PendingEntry, SkippedEntry } from '../../lib/ledger-entry.js';
import { capLedgerEntry, capTicket, dynamoItemBytes, RECORD_CAPS, s3KeyUnder, s3MetadataValue, truncateUtf8 } from '../../lib/record-caps.js';

const base = {
  messageKey: 'm@x', direction: 'inbound' as const, bucket: 'mail', key: 'inbound/a', messageId: 'm@x', from: 'a@x', subject: 's',
  receivedAt: '2026-11-28T00:00:00.000Z', recordedAt: '2026-11-28T00:00:00.000Z',
};

describe('dynamoItemBytes', () => {
  it('counts names and values as DynamoDB does, per kind of value', () => {
    expect(dynamoItemBytes({})).toBe(0);
    expect(dynamoItemBytes({ ab: 'cdé' })).toBe(2 + 4);
    expect(dynamoItemBytes({ n: 12345 })).toBe(1 + 21);
    expect(dynamoItemBytes({ t: true, f: false, z: null })).toBe(3 * (1 + 1));
    expect(dynamoItemBytes({ l: ['ab', 1] })).toBe(1 + 3 + (1 + 2) + (1 + 21));
    expect(dynamoItemBytes({ b: new Uint8Array(7) })).toBe(1 + 7);
    expect(dynamoItemBytes({ s: new Set(['ab', 'c']) })).toBe(1 + 3 + 2 + 1);
    expect(dynamoItemBytes({ m: { ab: 'c', d: 1 } })).toBe(1 + 3 + (2 + 1) + (1 + 21) + 2);
  });

  it('leaves out undefined attributes, and counts what it cannot size as nothing', () => {
    expect(dynamoItemBytes({ u: undefined, a: 'b' })).toBe(2);
    expect(dynamoItemBytes({ f: () => 1 })).toBe(1);
  });
});

describe('truncateUtf8', () => {
  it('keeps a text that fits exactly, and cuts one byte more', () => {
    expect(truncateUtf8('abcd', 4)).toBe('abcd');
    expect(truncateUtf8('abcde', 4)).toBe('abcd');
    expect(truncateUtf8('ééé', 6)).toBe('ééé');
    expect(truncateUtf8('ééé', 5)).toBe('éé');
    expect(truncateUtf8('', 0)).toBe('');
    expect(truncateUtf8('é', 0)).toBe('');
  });
});

describe('s3KeyUnder', () => {
  it('keeps a key of exactly 1,024 bytes with its prefix, and hashes one byte more', () => {
    const fits = 'k'.repeat(1024 - 'p/'.length);
    expect(s3KeyUnder('p/', fits)).toBe(`p/${fits}`);
    const over = `${fits}k`;
    expect(s3KeyUnder('p/', over)).toBe(`p/sha256-${createHash('sha256').update(over).digest('hex')}`);
  });
});

describe('s3MetadataValue', () => {
  it('keeps a value of exactly its cap, cuts a longer one, and never leaves half an escape', () => {
    const exact = 'a'.repeat(RECORD_CAPS.s3MetadataValueBytes);
    expect(s3MetadataValue(exact)).toBe(exact);
    expect(s3MetadataValue(`${exact}b`)).toBe(exact);
    expect(s3MetadataValue(`${'a'.repeat(RECORD_CAPS.s3MetadataValueBytes - 2)}é`)).toBe('a'.repeat(RECORD_CAPS.s3MetadataValueBytes - 2));
    expect(s3MetadataValue(`${'a'.repeat(RECORD_CAPS.s3MetadataValueBytes - 1)}%`)).toBe('a'.repeat(RECORD_CAPS.s3MetadataValueBytes - 1));
  });

  it('escapes % and everything outside printable US-ASCII, and keeps the rest', () => {
    expect(s3MetadataValue(' ~%\x7f\x1f')).toBe(' ~%25%7F%1F');
  });
});

describe('capLedgerEntry', () => {
  it('cuts the Message-ID of an outbound entry, with the marker', () => {
    const outbound: OutboundEntry = { messageKey: 'k', direction: 'outbound', messageId: 'x'.repeat(2000), ticketId: 1, recordedAt: '' };
    const capped = capLedgerEntry(outbound);
    expect(capped).toEqual({ ...outbound, messageId: `${'x'.repeat(RECORD_CAPS.idBytes - 6)} […]` });
  });

  it('cuts the queue, Message-ID, From and subject of a pending claim, and each SES verdict to 64 bytes', () => {
    const pending: PendingEntry = {
      ...base,
      state: 'pending',
      ticketId: 1,
      queue: 'q'.repeat(1001),
      messageId: 'm'.repeat(1001),
      from: 'f'.repeat(1001),
      subject: 's'.repeat(4001),
      sesVerdicts: { spam: 'P'.repeat(65), virus: 'PASS' },
    };
    const capped = capLedgerEntry(pending) as PendingEntry;
    expect(capped.queue).toBe(`${'q'.repeat(994)} […]`);
    expect(capped.messageId).toBe(`${'m'.repeat(994)} […]`);
    expect(capped.from).toBe(`${'f'.repeat(994)} […]`);
    expect(capped.subject).toBe(`${'s'.repeat(3994)} […]`);
    expect(capped.sesVerdicts).toEqual({ spam: `${'P'.repeat(58)} […]`, virus: 'PASS' });
  });

  it('keeps fields exactly at their cap, and null Message-ID and From', () => {
    const pending: PendingEntry = { ...base, state: 'pending', ticketId: 1, queue: 'q'.repeat(1000), messageId: null, from: null, subject: 's'.repeat(4000) };
    expect(capLedgerEntry(pending)).toEqual(pending);
  });

  it('cuts the detail and the bounced Message-ID of a skip, keeps a null one, and counts no omitted recipients when none were', () => {
    const skipped: SkippedEntry = {
      ...base,
      state: 'skipped',
      reason: 'bounce',
      detail: 'd'.repeat(4001),
      ticketId: 7,
      bounce: { failedRecipients: ['a@x.example'], originalMessageId: 'o'.repeat(1001), ticketId: 7 },
    };
    const capped = capLedgerEntry(skipped) as SkippedEntry;
    expect(capped.detail).toBe(`${'d'.repeat(3994)} […]`);
    expect(capped.bounce).toEqual({ failedRecipients: ['a@x.example'], originalMessageId: `${'o'.repeat(994)} […]`, ticketId: 7 });
    const nullId = capLedgerEntry({ ...skipped, bounce: { failedRecipients: [], originalMessageId: null, ticketId: null } }) as SkippedEntry;
    expect(nullId.bounce).toEqual({ failedRecipients: [], originalMessageId: null, ticketId: null });
    expect(capLedgerEntry({ ...skipped, detail: 'short', bounce: undefined })).toEqual({ ...skipped, detail: 'short', bounce: undefined });
  });
});

describe('capTicket', () => {
  it('keeps a submitter of exactly 254 bytes, and drops a longer one', () => {
    const address = (bytes: number) => `${'a'.repeat(bytes - '@x.example'.length)}@x.example`;
    const ticket = { id: 1, queue: 'q', status: 'open' as const, title: 't', submitter: address(254), cc: [address(254), address(255)], createdAt: '', updatedAt: '', description: 'd', sourceMessageKey: 'k' };
    expect(capTicket(ticket)).toEqual({ ...ticket, cc: [address(254)], ccOmitted: 1 });
    expect(capTicket({ ...ticket, submitter: address(255), cc: [] }).submitter).toBe('');
    expect(capTicket({ ...ticket, cc: [] })).toEqual({ ...ticket, cc: [] });
  });
});
