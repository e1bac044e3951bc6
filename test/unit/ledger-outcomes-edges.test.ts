/**
 * The edges of how a ledger entry relates to a delivery and an outcome (lib/ledger-outcomes.ts):
 * which object counts as "the same" (bucket and key both), what a replay may decide anew, every
 * outcome kind an entry reports and the tags it puts on the raw mail.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppliedEntry, OutboundEntry, PendingEntry, SkippedEntry } from '../../lib/ledger-entry.js';
import { objectKeyOf, outcomeOfEntry, priorOf, sameOutcome, tagsOf } from '../../lib/ledger-outcomes.js';

const here = { bucket: 'mail', key: 'inbound/a' };
const base = { messageKey: 'm@x', direction: 'inbound' as const, ...here, messageId: 'm@x', from: null, subject: '', receivedAt: '', recordedAt: '2026-11-28T00:00:00.000Z' };
const skipped: SkippedEntry = { ...base, state: 'skipped', reason: 'no-ticket-ref', detail: 'no ticket', ticketId: null };
const created: AppliedEntry = { ...base, state: 'applied', outcome: 'created', ticketId: 7, followupId: 'f7', reopened: false, mergedFrom: [], body: '', bodyKey: null, attachments: [] };
const pending: PendingEntry = { ...base, state: 'pending', ticketId: 77, queue: 'billing' };
const outbound: OutboundEntry = { messageKey: 'm@x', direction: 'outbound', messageId: 'm@x', ticketId: 1, recordedAt: '' };

describe('priorOf', () => {
  it('calls an entry of the same key in another bucket another object', () => {
    expect(priorOf(created, { ...here, bucket: 'other' }, false)).toEqual({ kind: 'other-object', key: 'inbound/a' });
  });

  it('lets a replay decide anew only a skip of this very object', () => {
    expect(priorOf(skipped, { ...here, key: 'inbound/b' }, true)).toEqual({ kind: 'other-object', key: 'inbound/a' });
    expect(priorOf(skipped, { ...here, bucket: 'other' }, true)).toEqual({ kind: 'other-object', key: 'inbound/a' });
    expect(priorOf(pending, here, true)).toEqual({ kind: 'same-object', state: 'pending', claim: { ticketId: 77, queue: 'billing' } });
    expect(priorOf(skipped, here, false)).toEqual({ kind: 'same-object', state: 'final' });
  });

  it('names an outbound Message-ID as the helpdesk’s own notification, also on replay', () => {
    const expected = { kind: 'other-object', key: 'an outbound notification of the helpdesk' };
    expect(priorOf(outbound, here, false)).toEqual(expected);
    expect(priorOf(outbound, here, true)).toEqual(expected);
  });
});

describe('outcomeOfEntry', () => {
  it('reports every kind an entry can record', () => {
    expect(outcomeOfEntry(created)).toEqual({ kind: 'created', ticketId: 7, followupId: 'f7' });
    expect(outcomeOfEntry({ ...skipped, ticketId: 42 })).toEqual({ kind: 'skipped', reason: 'no-ticket-ref', detail: 'no ticket', ticketId: 42 });
    expect(outcomeOfEntry(pending)).toEqual({ kind: 'retry', error: 'a new ticket from this mail is still being opened' });
    expect(outcomeOfEntry(outbound)).toEqual({ kind: 'skipped', reason: 'duplicate', detail: 'an outbound Message-ID' });
  });
});

describe('tagsOf', () => {
  it('tags an applied mail with its outcome and ticket', () => {
    expect(tagsOf({ kind: 'created', ticketId: 7, followupId: 'f' })).toEqual({ 'helpdesk-outcome': 'created', 'helpdesk-ticket': '7' });
    expect(tagsOf({ kind: 'followup', ticketId: 42, followupId: 'f', reopened: false })).toEqual({ 'helpdesk-outcome': 'followup', 'helpdesk-ticket': '42' });
  });

  it('tags a skip without a ticket with no ticket tag', () => {
    expect(tagsOf({ kind: 'skipped', reason: 'spam', detail: '' })).toEqual({ 'helpdesk-outcome': 'skipped', 'helpdesk-reason': 'spam' });
  });
});

describe('objectKeyOf', () => {
  it('is the kind and the SHA-256 of bucket/key', () => {
    const hex = createHash('sha256').update('mail/inbound/a').digest('hex');
    expect(objectKeyOf(here, 'object')).toBe(`object:${hex}`);
    expect(objectKeyOf(here, 'duplicate')).toBe(`duplicate:${hex}`);
  });
});

describe('sameOutcome', () => {
  it('tells outcomes of different kinds apart, even for one ticket', () => {
    expect(sameOutcome({ kind: 'created', ticketId: 1, followupId: 'f' }, { kind: 'followup', ticketId: 1, followupId: 'f', reopened: false })).toBe(false);
  });

  it('compares the tickets of applied outcomes', () => {
    expect(sameOutcome({ kind: 'created', ticketId: 1, followupId: 'f' }, { kind: 'created', ticketId: 1, followupId: 'g' })).toBe(true);
    expect(sameOutcome({ kind: 'created', ticketId: 1, followupId: 'f' }, { kind: 'created', ticketId: 2, followupId: 'f' })).toBe(false);
    expect(sameOutcome({ kind: 'followup', ticketId: 1, followupId: 'f', reopened: false }, { kind: 'followup', ticketId: 2, followupId: 'f', reopened: false })).toBe(false);
  });

  it('counts two retries as the same', () => {
    expect(sameOutcome({ kind: 'retry', error: 'a' }, { kind: 'retry', error: 'b' })).toBe(true);
  });
});
