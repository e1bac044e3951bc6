import { describe, expect, it } from 'vitest';
import type { AppliedEntry, PendingEntry, SkippedEntry } from '../../lib/ledger-entry.js';
import { RAW_MAIL_TAGS, objectKeyOf, outcomeOfEntry, priorOf, tagsOf } from '../../lib/ledger-outcomes.js';

const here = { bucket: 'mail', key: 'inbound/a' };
const base = { messageKey: 'm@x', direction: 'inbound' as const, ...here, messageId: 'm@x', from: null, subject: '', receivedAt: '', recordedAt: '2026-11-28T00:00:00.000Z' };
const skipped: SkippedEntry = { ...base, state: 'skipped', reason: 'no-ticket-ref', detail: 'd', ticketId: null };
const applied: AppliedEntry = { ...base, state: 'applied', outcome: 'followup', ticketId: 42, followupId: 'f', reopened: true, mergedFrom: [], body: '', bodyKey: null, attachments: [] };
const pending: PendingEntry = { ...base, state: 'pending', ticketId: 77, queue: 'billing' };

describe('priorOf', () => {
  it('tells a redelivery of this object from a second copy, and a pending claim from a finished one', () => {
    expect(priorOf(undefined, here, false)).toEqual({ kind: 'none' });
    expect(priorOf(applied, here, false)).toEqual({ kind: 'same-object', state: 'final' });
    expect(priorOf(applied, { ...here, key: 'inbound/b' }, false)).toEqual({ kind: 'other-object', key: 'inbound/a' });
    expect(priorOf(pending, here, false)).toEqual({ kind: 'same-object', state: 'pending', claim: { ticketId: 77, queue: 'billing' } });
  });

  it('lets a replay decide a skipped mail anew, but not an applied one', () => {
    expect(priorOf(skipped, here, true)).toEqual({ kind: 'none' });
    expect(priorOf(applied, here, true)).toEqual({ kind: 'same-object', state: 'final' });
  });

  it('treats a Message-ID the helpdesk sent itself as taken', () => {
    expect(priorOf({ messageKey: 'm@x', direction: 'outbound', messageId: 'm@x', ticketId: 1, recordedAt: '' }, here, false).kind).toBe('other-object');
  });
});

describe('outcomes and tags', () => {
  it('reports what a stored entry recorded', () => {
    expect(outcomeOfEntry(applied)).toEqual({ kind: 'followup', ticketId: 42, followupId: 'f', reopened: true });
    expect(outcomeOfEntry(skipped)).toEqual({ kind: 'skipped', reason: 'no-ticket-ref', detail: 'd' });
    expect(outcomeOfEntry(pending).kind).toBe('retry');
  });

  it('marks raw mail with its outcome, reason and ticket', () => {
    expect(tagsOf({ kind: 'skipped', reason: 'bounce', detail: '', ticketId: 42 })).toEqual({
      [RAW_MAIL_TAGS.outcome]: 'skipped',
      [RAW_MAIL_TAGS.reason]: 'bounce',
      [RAW_MAIL_TAGS.ticket]: '42',
    });
    expect(tagsOf({ kind: 'retry', error: 'x' })).toEqual({});
  });

  it('keys mail known only by its object, stably', () => {
    expect(objectKeyOf(here, 'object')).toMatch(/^object:[0-9a-f]{64}$/);
    expect(objectKeyOf(here, 'object')).toBe(objectKeyOf({ ...here }, 'object'));
    expect(objectKeyOf(here, 'duplicate')).toMatch(/^duplicate:/);
    expect(objectKeyOf({ ...here, key: 'inbound/b' }, 'object')).not.toBe(objectKeyOf(here, 'object'));
  });
});
