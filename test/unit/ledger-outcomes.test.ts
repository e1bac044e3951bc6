import { describe, expect, it } from 'vitest';
import type { AppliedEntry, PendingEntry, SkippedEntry } from '../../lib/ledger-entry.js';
import { RAW_MAIL_TAGS, objectKeyOf, outcomeOfEntry, priorOf, replaceableSkipReasons, sameOutcome, tagsOf } from '../../lib/ledger-outcomes.js';
import { SKIP_REASON_NAMES } from '../../lib/outcomes.js';

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

describe('what a replay may replace', () => {
  const skip = (reason: SkippedEntry['reason']): SkippedEntry => ({ ...skipped, reason });

  it('lets an applied mail or a claim replace any skip', () => {
    expect(replaceableSkipReasons(applied)).toEqual(SKIP_REASON_NAMES);
    expect(replaceableSkipReasons(pending)).toEqual(SKIP_REASON_NAMES);
  });

  it('lets a skip replace only skips that got less far with the mail', () => {
    expect(replaceableSkipReasons(skip('no-ticket-ref')).sort()).toEqual(['empty', 'malformed', 'object-missing', 'too-large', 'unstorable']);
    expect(replaceableSkipReasons(skip('malformed')).sort()).toEqual(['object-missing', 'too-large']);
    expect(replaceableSkipReasons(skip('object-missing'))).toEqual([]);
    expect(replaceableSkipReasons(skip('too-large'))).toEqual([]);
    expect(replaceableSkipReasons(skip('no-ticket-ref'))).not.toContain('virus');
    expect(replaceableSkipReasons(skip('no-ticket-ref'))).not.toContain('no-ticket-ref');
  });

  it('tells the same outcome from another', () => {
    expect(sameOutcome({ kind: 'skipped', reason: 'virus', detail: 'a' }, { kind: 'skipped', reason: 'virus', detail: 'b' })).toBe(true);
    expect(sameOutcome({ kind: 'skipped', reason: 'virus', detail: 'a' }, { kind: 'skipped', reason: 'object-missing', detail: 'a' })).toBe(false);
    expect(sameOutcome({ kind: 'followup', ticketId: 1, followupId: 'f', reopened: false }, { kind: 'skipped', reason: 'virus', detail: '' })).toBe(false);
    expect(sameOutcome({ kind: 'followup', ticketId: 1, followupId: 'f', reopened: false }, { kind: 'followup', ticketId: 1, followupId: 'g', reopened: true })).toBe(true);
  });
});
