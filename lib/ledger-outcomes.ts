/**
 * How ledger entries and outcomes relate: what an entry already in the ledger means for a
 * delivery, what outcome it reports, and how a raw mail is marked with its outcome. Pure.
 */
import type { FinalEntry, LedgerEntry, MailLocation, PendingEntry } from './ledger-entry.js';
import { sha256Hex } from './mail/message-id.js';
import { SKIP_REASONS, SKIP_REASON_NAMES, type MailOutcome, type ReadDepth, type SkipReason } from './outcomes.js';

/** What the ledger already holds under this mail's key. */
export type PriorEntry =
  | { readonly kind: 'none' }
  /** This very S3 object was handled before: a redelivery. */
  | { readonly kind: 'same-object'; readonly state: 'final' }
  /** This very S3 object was claimed for a new ticket, and the attempt did not finish. */
  | { readonly kind: 'same-object'; readonly state: 'pending'; readonly claim: { readonly ticketId: number; readonly queue: string } }
  /** Another S3 object carried the same Message-ID. */
  | { readonly kind: 'other-object'; readonly key: string };

/** S3 tags on the raw mail, read by lifecycle rules and operators. */
export const RAW_MAIL_TAGS = { outcome: 'helpdesk-outcome', reason: 'helpdesk-reason', ticket: 'helpdesk-ticket' } as const;

/** The ledger key of a mail known only by its stored object (unreadable, or a second copy). */
export function objectKeyOf(location: MailLocation, kind: 'object' | 'duplicate'): string {
  return `${kind}:${sha256Hex(`${location.bucket}/${location.key}`)}`;
}

/** What the ledger entry under a mail's key means for this delivery of it. */
export function priorOf(entry: LedgerEntry | undefined, location: MailLocation, replay: boolean): PriorEntry {
  if (!entry) return { kind: 'none' };
  if (replay && entry.direction === 'inbound' && entry.state === 'skipped' && entry.bucket === location.bucket && entry.key === location.key) {
    return { kind: 'none' };
  }
  if (entry.direction === 'outbound') return { kind: 'other-object', key: 'an outbound notification of the helpdesk' };
  if (entry.bucket !== location.bucket || entry.key !== location.key) return { kind: 'other-object', key: entry.key };
  if (entry.state === 'pending') return { kind: 'same-object', state: 'pending', claim: { ticketId: entry.ticketId, queue: entry.queue } };
  return { kind: 'same-object', state: 'final' };
}

/** What a stored ledger entry reports as the outcome of its mail. */
export function outcomeOfEntry(entry: LedgerEntry): MailOutcome {
  if (entry.direction === 'outbound') return { kind: 'skipped', reason: 'duplicate', detail: 'an outbound Message-ID' };
  switch (entry.state) {
    case 'applied':
      return entry.outcome === 'created'
        ? { kind: 'created', ticketId: entry.ticketId, followupId: entry.followupId }
        : { kind: 'followup', ticketId: entry.ticketId, followupId: entry.followupId, reopened: entry.reopened };
    case 'skipped':
      return { kind: 'skipped', reason: entry.reason, detail: entry.detail, ...(entry.ticketId === null ? {} : { ticketId: entry.ticketId }) };
    case 'pending':
      return { kind: 'retry', error: 'a new ticket from this mail is still being opened' };
  }
}

/** The S3 tags that mark a raw mail with its outcome. */
export function tagsOf(outcome: MailOutcome): Record<string, string> {
  switch (outcome.kind) {
    case 'followup':
    case 'created':
      return { [RAW_MAIL_TAGS.outcome]: outcome.kind, [RAW_MAIL_TAGS.ticket]: String(outcome.ticketId) };
    case 'skipped':
      return {
        [RAW_MAIL_TAGS.outcome]: 'skipped',
        [RAW_MAIL_TAGS.reason]: outcome.reason,
        ...(outcome.ticketId === undefined ? {} : { [RAW_MAIL_TAGS.ticket]: String(outcome.ticketId) }),
      };
    case 'retry':
      return {};
  }
}


const DEPTH: Record<ReadDepth, number> = { no: 0, failed: 1, yes: 2 };

/**
 * The skip reasons whose entries (of the same object) a replay's write may replace: an applied mail
 * or a claim for a new ticket replaces any skip; a skip replaces only skips that got less far with
 * the mail (`read` in the skip-reason table): a mail now read and decided replaces `too-large` or
 * `malformed`, but `object-missing` never replaces what a `virus` entry knows (its quarantine key,
 * sender and Message-ID), and a skip never replaces one of its own reason or depth: the original
 * entry, with its time and detail, stays.
 */
export function replaceableSkipReasons(entry: FinalEntry | PendingEntry): SkipReason[] {
  if (entry.state !== 'skipped') return [...SKIP_REASON_NAMES];
  const depth = DEPTH[SKIP_REASONS[entry.reason].read];
  return SKIP_REASON_NAMES.filter((reason) => DEPTH[SKIP_REASONS[reason].read] < depth);
}

/** Whether two outcomes say the same (same kind, and the same reason or ticket). */
export function sameOutcome(a: MailOutcome, b: MailOutcome): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'skipped' && b.kind === 'skipped') return a.reason === b.reason;
  if ((a.kind === 'followup' || a.kind === 'created') && (b.kind === 'followup' || b.kind === 'created')) return a.ticketId === b.ticketId;
  return true;
}
