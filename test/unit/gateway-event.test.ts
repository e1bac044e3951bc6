import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_DIR, schemaFileOf, schemaFileText } from '../../lib/events/event-schemas.js';
import {
  DETAIL_TYPE_NAMES,
  EVENT_SOURCE,
  MAX_ENTRY_BYTES,
  MAX_SNIPPET_BYTES,
  entrySize,
  gatewayEvent,
  snippetOf,
  type FollowupAddedDetail,
  type MailSkippedDetail,
  type TicketCreatedDetail,
} from '../../lib/events/gateway-event.js';
import { cutToBytes } from '../../lib/events/text.js';
import { SKIP_REASON_NAMES } from '../../lib/outcomes.js';
import { schemaErrors } from '../helpers/event-schemas.js';
import { appliedEntry, attachment, skippedEntry } from '../helpers/ledger-entries.js';

const bus = { eventBusName: 'helpdesk-events-test' };
const detailOf = <T>(entry: { Detail: string }) => JSON.parse(entry.Detail) as T;

describe('the event of a final ledger entry', () => {
  it('announces a follow-up with its ids and pointers, keyed by the follow-up id', () => {
    const entry = appliedEntry({ reopened: true, mergedFrom: [7], attachments: [attachment(0), attachment(1, { key: null, refused: 'denied-extension', filename: 'run.exe' })] });
    const event = gatewayEvent(entry, bus);
    expect(event).toMatchObject({ Source: EVENT_SOURCE, DetailType: 'Followup Added', EventBusName: 'helpdesk-events-test' });
    const detail = detailOf<FollowupAddedDetail>(event);
    expect(detail).toMatchObject({
      version: 1,
      idempotencyKey: entry.followupId,
      messageKey: entry.messageKey,
      ticketId: 42,
      followupId: entry.followupId,
      reopened: true,
      mergedFrom: [7],
      rawMail: { bucket: entry.bucket, key: entry.key },
      bodyKey: null,
      htmlKey: null,
      attachmentsOmitted: 0,
    });
    expect(detail.attachments.map((a) => a.key)).toEqual([entry.attachments[0]?.key, null]);
    expect(schemaErrors(event)).toEqual([]);
  });

  it('announces a new ticket without the follow-up-only fields', () => {
    const event = gatewayEvent(appliedEntry({ outcome: 'created', ticketId: 43 }), bus);
    expect(event.DetailType).toBe('Ticket Created');
    const detail = detailOf<TicketCreatedDetail & { reopened?: unknown }>(event);
    expect(detail.ticketId).toBe(43);
    expect(detail.reopened).toBeUndefined();
    expect(schemaErrors(event)).toEqual([]);
  });

  it('announces a skip with its reason and detail, keyed by the ledger key', () => {
    for (const reason of SKIP_REASON_NAMES) {
      const entry = skippedEntry({ reason, messageKey: `object:${reason}`, ticketId: reason === 'ticket-not-found' ? 99 : null, ...(reason === 'virus' ? { quarantineKey: 'quarantine/inbound/x' } : {}) });
      const event = gatewayEvent(entry, bus);
      const detail = detailOf<MailSkippedDetail>(event);
      expect(event.DetailType).toBe('Mail Skipped');
      expect(detail).toMatchObject({ reason, idempotencyKey: `object:${reason}`, detail: entry.detail, ticketId: entry.ticketId });
      expect(detail.quarantineKey).toBe(reason === 'virus' ? 'quarantine/inbound/x' : null);
      expect(schemaErrors(event)).toEqual([]);
    }
  });

  it('is the same event every time the same entry is published', () => {
    const entry = appliedEntry();
    expect(gatewayEvent(entry, bus)).toEqual(gatewayEvent({ ...entry }, bus));
  });

  it('points at the S3 body and the stored HTML when the ledger entry has them', () => {
    const entry = { ...appliedEntry({ body: null, bodyKey: 'attachments/42/f/body.txt' }), htmlKey: 'attachments/42/f/body.html' };
    const detail = detailOf<FollowupAddedDetail>(gatewayEvent(entry, { ...bus, text: 'Long body, from the mail itself' }));
    expect(detail).toMatchObject({ bodyKey: 'attachments/42/f/body.txt', htmlKey: 'attachments/42/f/body.html', snippet: 'Long body, from the mail itself' });
  });
});

describe('the reply snippet', () => {
  it('is the trimmed reply when the entry has one, else the body, whitespace collapsed', () => {
    expect(detailOf<FollowupAddedDetail>(gatewayEvent({ ...appliedEntry(), reply: 'Thanks,\n\n  it works.' }, bus)).snippet).toBe('Thanks, it works.');
    expect(detailOf<FollowupAddedDetail>(gatewayEvent(appliedEntry({ body: ' Hello\r\n\tworld ' }), bus)).snippet).toBe('Hello world');
    expect(detailOf<FollowupAddedDetail>(gatewayEvent(appliedEntry({ body: null, bodyKey: 'k' }), bus))).toMatchObject({ snippet: '', snippetTruncated: false });
  });

  it(`is at most ${MAX_SNIPPET_BYTES} bytes, cut between characters, never inside an emoji`, () => {
    const family = '👩‍👩‍👧‍👦'; // 25 bytes, one grapheme
    const { snippet, snippetTruncated } = snippetOf(`${'x'.repeat(1010)}${family}${'y'.repeat(50)}`);
    expect(snippetTruncated).toBe(true);
    expect(snippet).toBe('x'.repeat(1010));
    const many = snippetOf('é'.repeat(2000)).snippet;
    expect(Buffer.byteLength(many)).toBe(MAX_SNIPPET_BYTES);
    expect(cutToBytes('ab\uD800cd', 10).text).toBe('ab\uFFFDcd');
  });
});

describe('the size of an event', () => {
  const hostileText = fc.string({ unit: 'binary', maxLength: 3000 }).map((s) => s.repeat(40));

  it(`stays under EventBridge's ${MAX_ENTRY_BYTES} bytes and valid against its schema, whatever the mail`, () => {
    fc.assert(
      fc.property(hostileText, hostileText, fc.integer({ min: 0, max: 5000 }), hostileText, (subject, body, count, name) => {
        const attachments = Array.from({ length: count }, (_, i) => attachment(i, { filename: name.slice(0, 2000), contentType: name.slice(0, 500), key: `attachments/42/f/${name.slice(0, 900)}${i}` }));
        const applied = gatewayEvent(appliedEntry({ subject, body, from: name, messageId: name.slice(0, 250), attachments }), bus);
        const skipped = gatewayEvent(skippedEntry({ subject, detail: body, from: name }), bus);
        for (const event of [applied, skipped]) {
          expect(entrySize(event)).toBeLessThan(MAX_ENTRY_BYTES);
          expect(schemaErrors(event)).toEqual([]);
        }
        const detail = detailOf<FollowupAddedDetail>(applied);
        expect(detail.attachments.length + detail.attachmentsOmitted).toBe(count);
        expect(Buffer.byteLength(detail.snippet)).toBeLessThanOrEqual(MAX_SNIPPET_BYTES);
      }),
      { numRuns: 40, seed: 13 },
    );
  });

  it('keeps as many attachments as fit, in order, and counts the rest', () => {
    const attachments = Array.from({ length: 3000 }, (_, i) => attachment(i, { filename: 'f'.repeat(400), key: `attachments/42/f/${'k'.repeat(900)}${i}` }));
    const detail = detailOf<FollowupAddedDetail>(gatewayEvent(appliedEntry({ attachments }), bus));
    expect(detail.attachmentsOmitted).toBeGreaterThan(0);
    expect(detail.attachments.map((a) => a.index)).toEqual([...Array(detail.attachments.length).keys()]);
  });
});

describe('the JSON Schemas in schemas/events/', () => {
  it('are what lib/events/event-schemas.ts generates (run `npm run generate`)', async () => {
    for (const type of DETAIL_TYPE_NAMES) {
      expect(await readFile(new URL(`../../${EVENT_SCHEMA_DIR}/${schemaFileOf(type)}`, import.meta.url), 'utf8')).toBe(schemaFileText(type));
    }
  });

  it('refuse a detail with a field missing, a field unknown, or a reason not in the table', () => {
    const event = gatewayEvent(skippedEntry(), bus);
    const detail = detailOf<Record<string, unknown>>(event);
    const variant = (change: Record<string, unknown>, drop?: string) => {
      const copy: Record<string, unknown> = { ...detail, ...change };
      if (drop) delete copy[drop];
      return { DetailType: event.DetailType, Detail: JSON.stringify(copy) };
    };
    expect(schemaErrors(variant({}, 'messageKey'))).not.toEqual([]);
    expect(schemaErrors(variant({ body: 'the whole text' }))).not.toEqual([]);
    expect(schemaErrors(variant({ reason: 'bored' }))).not.toEqual([]);
    expect(schemaErrors(variant({ recordedAt: 'yesterday' }))).not.toEqual([]);
  });
});
