/** Caps on stored fields, derived from the stores' limits. Pure. */
import { describe, expect, it } from 'vitest';
import type { AppliedEntry, SkippedEntry } from '../../lib/ledger-entry.js';
import type { AttachmentInfo } from '../../lib/mail/record.js';
import {
  RECORD_CAPS,
  STORE_LIMITS,
  capLedgerEntry,
  capList,
  capTicket,
  dynamoItemBytes,
  s3KeyUnder,
  s3MetadataValue,
  truncateUtf8,
  utf8Bytes,
  wellFormed,
} from '../../lib/record-caps.js';
import type { NewTicket } from '../../lib/ticket.js';

const base = {
  messageKey: 'm@x', direction: 'inbound' as const, bucket: 'mail', key: 'inbound/a', messageId: 'm@x', from: 'a@x', subject: 's',
  receivedAt: '2026-11-28T00:00:00.000Z', recordedAt: '2026-11-28T00:00:00.000Z',
};

function attachment(index: number, filename: string, contentType: string): AttachmentInfo {
  return { index, filename, refused: index >= 100 ? 'too-many' : null, contentType, size: 1, sha256: 'f'.repeat(64), key: index >= 100 ? null : `attachments/42/abc/${index}` };
}

describe('text cuts', () => {
  it('cuts UTF-8 between characters, never inside one', () => {
    expect(truncateUtf8('aé€😀', 1)).toBe('a');
    expect(truncateUtf8('aé€😀', 2)).toBe('a');
    expect(truncateUtf8('aé€😀', 3)).toBe('aé');
    expect(truncateUtf8('aé€😀', 6)).toBe('aé€');
    expect(truncateUtf8('aé€😀', 9)).toBe('aé€'); // the emoji takes 4 bytes
    expect(truncateUtf8('aé€😀', 10)).toBe('aé€😀');
  });

  it('replaces a lone surrogate (a UTF-16 cut inside a pair) so that stores get valid Unicode', () => {
    expect(wellFormed('ab\uD83D')).toBe('ab\uFFFD');
    expect(wellFormed('\uDE00ab')).toBe('\uFFFDab');
    expect(wellFormed('😀')).toBe('😀');
  });

  it('keeps the first items of a list and counts the rest', () => {
    expect(capList([1, 2, 3], 2)).toEqual({ kept: [1, 2], omitted: 1 });
    expect(capList([1], 2)).toEqual({ kept: [1], omitted: 0 });
  });
});

describe('S3 keys and metadata', () => {
  it('keeps a key under a prefix as it is, or hashes it when over 1,024 bytes', () => {
    expect(s3KeyUnder('quarantine/', 'inbound/abc')).toBe('quarantine/inbound/abc');
    const long = `inbound/${'k'.repeat(1016)}`;
    expect(utf8Bytes(long)).toBe(1024);
    const moved = s3KeyUnder('quarantine/', long);
    expect(moved).toMatch(/^quarantine\/sha256-[0-9a-f]{64}$/);
    expect(s3KeyUnder('quarantine/', long)).toBe(moved);
  });

  it('makes a metadata value printable US-ASCII, reversibly, within its cap', () => {
    expect(s3MetadataValue('application/pdf')).toBe('application/pdf');
    expect(s3MetadataValue('application/пдф')).toBe('application/%D0%BF%D0%B4%D1%84');
    expect(decodeURIComponent(s3MetadataValue('application/пдф; x="100%"'))).toBe('application/пдф; x="100%"');
    expect(s3MetadataValue('a\r\nb\u0000')).toBe('a%0D%0Ab%00');
    const long = s3MetadataValue('ж'.repeat(2000));
    expect(long.length).toBeLessThanOrEqual(RECORD_CAPS.s3MetadataValueBytes);
    expect(long).toMatch(/^(%D0%B6)+$/);
    expect(/^[\x20-\x7e]*$/.test(s3MetadataValue('😀\uD800'))).toBe(true);
  });
});

describe('ledger entries', () => {
  it('cuts free text with a marker and lists at most 200 attachments, counting the rest', () => {
    const entry: AppliedEntry = {
      ...base,
      messageId: 'y'.repeat(450_000),
      subject: '😀'.repeat(300_000),
      state: 'applied', outcome: 'followup', ticketId: 42, followupId: 'f', reopened: false, mergedFrom: [], body: 'b', bodyKey: null,
      attachments: Array.from({ length: 600 }, (_, i) => attachment(i, '文'.repeat(200), `application/x-${'a'.repeat(1000)}`)),
    };
    const capped = capLedgerEntry(entry) as AppliedEntry & { attachmentsOmitted?: number };
    expect(utf8Bytes(capped.messageId ?? '')).toBeLessThanOrEqual(RECORD_CAPS.idBytes);
    expect(capped.messageId).toMatch(/^y+ \[…\]$/);
    expect(utf8Bytes(capped.subject)).toBeLessThanOrEqual(RECORD_CAPS.subjectBytes);
    expect(capped.attachments).toHaveLength(RECORD_CAPS.listedAttachments);
    expect(capped.attachmentsOmitted).toBe(400);
    for (const a of capped.attachments) {
      expect(utf8Bytes(a.filename ?? '')).toBeLessThanOrEqual(RECORD_CAPS.filenameBytes);
      expect(utf8Bytes(a.contentType)).toBeLessThanOrEqual(RECORD_CAPS.contentTypeBytes);
    }
    expect(dynamoItemBytes(capped as unknown as Record<string, unknown>)).toBeLessThan(STORE_LIMITS.dynamoItemBytes);
    // Identities are never cut.
    expect(capped).toMatchObject({ messageKey: 'm@x', bucket: 'mail', key: 'inbound/a' });
  });

  it('leaves an entry within its caps exactly as it is', () => {
    const entry: AppliedEntry = {
      ...base, state: 'applied', outcome: 'followup', ticketId: 42, followupId: 'f', reopened: false, mergedFrom: [44], body: 'hello', bodyKey: null,
      attachments: [attachment(0, 'a.pdf', 'application/pdf')],
    };
    expect(capLedgerEntry(entry)).toEqual(entry);
  });

  it('caps a bounce: its detail, and its failed recipients with a count of the rest', () => {
    const failedRecipients = Array.from({ length: 300 }, (_, i) => `user${i}@example.org`);
    const entry: SkippedEntry = {
      ...base, state: 'skipped', reason: 'bounce', detail: `undeliverable to ${failedRecipients.join(', ')}`, ticketId: null,
      bounce: { failedRecipients: [...failedRecipients, `${'x'.repeat(300)}@example.org`], originalMessageId: 'o@x', ticketId: null },
    };
    const capped = capLedgerEntry(entry) as SkippedEntry & { bounce: { failedRecipientsOmitted?: number } };
    expect(utf8Bytes(capped.detail)).toBeLessThanOrEqual(RECORD_CAPS.detailBytes);
    expect(capped.detail.endsWith(' […]')).toBe(true);
    expect(capped.bounce.failedRecipients).toHaveLength(RECORD_CAPS.listedAddresses);
    expect(capped.bounce.failedRecipientsOmitted).toBe(201);
  });

  it('makes even an entry the caps cannot bound fit, as a backstop, by listing fewer attachments', () => {
    const entry: AppliedEntry = {
      ...base, state: 'applied', outcome: 'followup', ticketId: 42, followupId: 'f', reopened: false, mergedFrom: [], body: 'b', bodyKey: null,
      attachments: Array.from({ length: 200 }, (_, i) => ({ ...attachment(i, 'a', 'b'), key: `attachments/${'k'.repeat(3000)}/${i}` })),
    };
    const capped = capLedgerEntry(entry) as AppliedEntry & { attachmentsOmitted?: number };
    expect(dynamoItemBytes(capped as unknown as Record<string, unknown>)).toBeLessThan(STORE_LIMITS.dynamoItemBytes);
    expect(capped.attachments.length + (capped.attachmentsOmitted ?? 0)).toBe(200);
    expect(capped.attachments.length).toBeLessThan(200);
  });
});

describe('tickets', () => {
  it('keeps at most 100 CCs that can be addresses, counting what it left out, and cuts title and description', () => {
    const ticket: NewTicket = {
      id: 61, queue: 'support', status: 'open', title: 't'.repeat(10_000), description: 'd'.repeat(200_000), submitter: 'grace@example.org',
      cc: [...Array.from({ length: 150 }, (_, i) => `${'c'.repeat(230)}${i}@example.org`), `${'x'.repeat(3000)}@example.org`],
      createdAt: '', updatedAt: '', sourceMessageKey: 'm@x',
    };
    const capped = capTicket(ticket);
    expect(capped.cc).toHaveLength(100);
    expect(capped.ccOmitted).toBe(51);
    expect(utf8Bytes(capped.title)).toBeLessThanOrEqual(RECORD_CAPS.subjectBytes);
    expect(utf8Bytes(capped.description)).toBeLessThanOrEqual(RECORD_CAPS.descriptionBytes);
    expect(capped.sourceMessageKey).toBe('m@x');
    expect(dynamoItemBytes(capped as unknown as Record<string, unknown>)).toBeLessThan(STORE_LIMITS.dynamoItemBytes);
  });

  it('drops a submitter that cannot be an address rather than storing a cut one', () => {
    const ticket: NewTicket = { id: 1, queue: 'q', status: 'open', title: 't', description: '', submitter: `${'s'.repeat(300)}@x.org`, cc: [], createdAt: '', updatedAt: '', sourceMessageKey: 'k' };
    expect(capTicket(ticket).submitter).toBe('');
    expect(capTicket({ ...ticket, submitter: 'ok@x.org' })).toEqual({ ...ticket, submitter: 'ok@x.org' });
  });
});

/**
 * Every capped field, one row each: an oversized value comes back within its cap, cut with the
 * ` […]` marker on a character boundary (README: "Every record fits its store").
 */
describe('every field cap', () => {
  const huge = (n: number) => 'ß'.repeat(n);
  const applied = (overrides: Partial<AppliedEntry>): AppliedEntry => ({
    ...base, state: 'applied', outcome: 'followup', ticketId: 42, followupId: 'f', reopened: false, mergedFrom: [], body: 'b', bodyKey: null, attachments: [], ...overrides,
  });
  const skipped = (overrides: Partial<SkippedEntry>): SkippedEntry => ({ ...base, state: 'skipped', reason: 'bounce', detail: 'd', ticketId: null, ...overrides });
  const ticketBase: NewTicket = { id: 1, queue: 'q', status: 'open', title: 't', description: '', submitter: 'ok@x.org', cc: [], createdAt: '', updatedAt: '', sourceMessageKey: 'k' };
  type Row = [field: string, capped: () => string, cap: number];
  const rows: Row[] = [
    ['Message-ID', () => (capLedgerEntry(applied({ messageId: huge(5_000) })) as AppliedEntry).messageId ?? '', RECORD_CAPS.idBytes],
    ['From', () => (capLedgerEntry(applied({ from: huge(5_000) })) as AppliedEntry).from ?? '', RECORD_CAPS.idBytes],
    ['subject', () => (capLedgerEntry(applied({ subject: huge(50_000) })) as AppliedEntry).subject, RECORD_CAPS.subjectBytes],
    ['inline body', () => (capLedgerEntry(applied({ body: huge(200_000) })) as AppliedEntry).body ?? '', RECORD_CAPS.inlineBodyBytes],
    ['attachment file name', () => (capLedgerEntry(applied({ attachments: [attachment(0, huge(1_000), 'a/b')] })) as AppliedEntry).attachments[0]?.filename ?? '', RECORD_CAPS.filenameBytes],
    ['attachment content type', () => (capLedgerEntry(applied({ attachments: [attachment(0, 'a', `a/${huge(1_000)}`)] })) as AppliedEntry).attachments[0]?.contentType ?? '', RECORD_CAPS.contentTypeBytes],
    ['skip detail', () => (capLedgerEntry(skipped({ detail: huge(50_000) })) as SkippedEntry).detail, RECORD_CAPS.detailBytes],
    [
      'bounced Message-ID',
      () => (capLedgerEntry(skipped({ bounce: { failedRecipients: [], originalMessageId: huge(5_000), ticketId: null } })) as SkippedEntry).bounce?.originalMessageId ?? '',
      RECORD_CAPS.idBytes,
    ],
    ['pending claim\'s queue', () => (capLedgerEntry({ ...base, state: 'pending', ticketId: 1, queue: huge(5_000) }) as { queue: string }).queue, RECORD_CAPS.idBytes],
    [
      'outbound Message-ID',
      () => capLedgerEntry({ messageKey: 'k', direction: 'outbound', messageId: huge(5_000), ticketId: 1, recordedAt: base.recordedAt }).messageId ?? '',
      RECORD_CAPS.idBytes,
    ],
    ['SES verdict', () => (capLedgerEntry(applied({ sesVerdicts: { spam: huge(1_000) } })) as AppliedEntry).sesVerdicts?.spam ?? '', 64],
    ['ticket title', () => capTicket({ ...ticketBase, title: huge(50_000) }).title, RECORD_CAPS.subjectBytes],
    ['ticket description', () => capTicket({ ...ticketBase, description: huge(200_000) }).description, RECORD_CAPS.descriptionBytes],
  ];

  it.each(rows)('cuts the %s to its cap, with the marker', (_field, cut, cap) => {
    const value = cut();
    expect(utf8Bytes(value)).toBeLessThanOrEqual(cap);
    expect(utf8Bytes(value)).toBeGreaterThan(cap - 8);
    expect(value.endsWith(' […]')).toBe(true);
    expect(value).toBe(wellFormed(value));
  });

  it('drops addresses no mailbox can have (over 254 bytes) from CCs and failed recipients, and keeps at most 100 of each', () => {
    const long = `${'x'.repeat(250)}@example.org`;
    const many = Array.from({ length: 120 }, (_, i) => `u${i}@example.org`);
    expect(capTicket({ ...ticketBase, cc: [long, ...many] })).toMatchObject({ cc: many.slice(0, 100), ccOmitted: 21 });
    const bounce = (capLedgerEntry(skipped({ bounce: { failedRecipients: [long, ...many], originalMessageId: null, ticketId: null } })) as SkippedEntry).bounce;
    expect(bounce).toMatchObject({ failedRecipients: many.slice(0, 100), failedRecipientsOmitted: 21 });
  });
});
