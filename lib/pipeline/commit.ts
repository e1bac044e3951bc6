/**
 * The commit stage: the final ledger entry (the commit point of every mail), then keeping the raw
 * mail — tagged with its outcome, or moved to the quarantine when infected. A lost race on the
 * ledger key turns into a redelivery or a duplicate.
 */
import { DistinctMailError, TransientError } from '../errors.js';
import { publishAfterCommit } from '../events/publish.js';
import { sendNoticeAfterCommit } from '../notices/notice-outbox.js';
import type { FinalEntry, LedgerEntry, SkippedEntry } from '../ledger-entry.js';
import { objectKeyOf, outcomeOfEntry, tagsOf } from '../ledger-outcomes.js';
import type { MailLocation } from '../ledger-entry.js';
import type { MailHeaders } from '../mail/record.js';
import type { MailOutcome, SkipReason } from '../outcomes.js';
import { quarantineKeyOf, type PipelineContext } from './context.js';
import type { MailFingerprint } from './fingerprint.js';
import type { HeldBy, InboundMail, MailReport, SkipNotice } from './types.js';

/** The most of a subject kept in a ledger entry. */
const MAX_LEDGER_SUBJECT_LENGTH = 1000;

/** The fields every inbound ledger entry of this mail carries, whatever its state. */
export function baseEntry(ctx: PipelineContext, { location, envelope }: InboundMail, headers: MailHeaders | null, messageKey: string, fingerprint?: MailFingerprint) {
  const at = ctx.now().toISOString();
  return {
    ...(envelope?.verdicts ? { sesVerdicts: envelope.verdicts } : {}),
    ...(fingerprint ? { fingerprint: fingerprint.fingerprint, ...(fingerprint.fingerprintScope ? { fingerprintScope: fingerprint.fingerprintScope } : {}) } : {}),
    messageKey,
    direction: 'inbound' as const,
    bucket: location.bucket,
    key: location.key,
    messageId: headers?.messageId ?? null,
    from: headers?.from?.address ?? null,
    subject: (headers?.subject ?? '').slice(0, MAX_LEDGER_SUBJECT_LENGTH),
    receivedAt: headers?.date ?? at,
    recordedAt: at,
  };
}

/**
 * Writes the final entry and keeps the raw mail. When another object already holds the key, this
 * mail is recorded as a duplicate under its object's key; when this same object was recorded by
 * an earlier attempt, that attempt's outcome is reported.
 */
export async function commitEntry(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders | null, entry: FinalEntry, outcome: MailOutcome, text?: string, fingerprint?: MailFingerprint): Promise<MailReport> {
  const { location } = mail;
  const messageId = headers?.messageId ?? null;
  const result = await ctx.ledger.record(entry, { replacingSkip: mail.replay });
  if (result === 'taken-by-other') {
    await throwIfDistinct(ctx, entry.messageKey, fingerprint);
    return recordSkip(ctx, mail, headers, objectKeyOf(location, 'duplicate'), {
      reason: 'duplicate',
      detail: 'another stored mail with this Message-ID and the same content was recorded first',
      ...(fingerprint ? { fingerprint } : {}),
    });
  }
  const redelivered = result === 'already-recorded';
  const stored = redelivered ? ((await ctx.ledger.lookup([entry.messageKey])).get(entry.messageKey) ?? entry) : entry;
  const final = redelivered ? outcomeOfEntry(stored) : outcome;
  // The outbox: the event goes out after the commit, and before the raw mail is tagged, so a mail
  // whose event was not published stays untagged and is re-driven (by redelivery or the sweep).
  if (ctx.events) await publishAfterCommit(ctx.events, stored, text);
  // The sender notice, the same way: after the commit, marked after the send; it never throws.
  const notice = ctx.notices ? await sendNoticeAfterCommit(ctx.notices, stored) : null;
  await keepRawMail(ctx, location, final);
  return { location, messageId, outcome: final, redelivered, notice };
}

/**
 * How long another object's `pending` claim on a Message-ID is waited for (a retry) before this
 * mail is taken as distinct from it: longer than one attempt at the mail that claimed it can take.
 */
export const PENDING_CLAIM_WAIT_MS = 15 * 60 * 1000;

/**
 * Returns when a mail with `fingerprint` is the same mail as the holder of its key (a duplicate).
 * Throws {@link DistinctMailError} when it is another mail (other content, or a holder whose
 * content is not known: it never swallows a mail), and {@link TransientError} while the holder is a
 * fresh `pending` claim whose content is still being read.
 */
export function assertSameMail(ctx: PipelineContext, held: HeldBy, mail: MailFingerprint, messageKey: string): void {
  const { fingerprint } = mail;
  // Fingerprints of the header block and of the content never match each other (a mail skipped at
  // its header block and another read to the end are kept apart, at worst one skip too many).
  if (held.fingerprint === fingerprint && held.headersOnly === (mail.fingerprintScope === 'headers')) return;
  if (held.pendingSince !== null && ctx.now().getTime() - Date.parse(held.pendingSince) < PENDING_CLAIM_WAIT_MS) {
    throw new TransientError(`another stored mail with this Message-ID is being opened as a ticket (claimed ${held.pendingSince}): waiting to compare contents`);
  }
  throw new DistinctMailError(mail.headerBlock, messageKey);
}

/** What a holder of the key says about its content (see {@link HeldBy}). */
export function heldBy(holder: LedgerEntry): HeldBy {
  if (holder.direction === 'outbound') return { fingerprint: null, headersOnly: false, pendingSince: null };
  return { fingerprint: holder.fingerprint ?? null, headersOnly: holder.fingerprintScope === 'headers', pendingSince: holder.state === 'pending' ? holder.recordedAt : null };
}

/** A concurrent mail won this key: returns when it is the same mail, else throws (see {@link assertSameMail}). */
async function throwIfDistinct(ctx: PipelineContext, messageKey: string, fingerprint: MailFingerprint | undefined): Promise<void> {
  if (!fingerprint) return;
  const holder = (await ctx.ledger.lookup([messageKey])).get(messageKey);
  if (!holder) throw new TransientError(`ledger entry ${messageKey} was taken and is gone`);
  assertSameMail(ctx, heldBy(holder), fingerprint, messageKey);
}

/** Marks the raw mail with its outcome, or moves an infected one to the quarantine. */
export async function keepRawMail(ctx: PipelineContext, location: MailLocation, outcome: MailOutcome): Promise<void> {
  if (outcome.kind === 'retry') return;
  if (outcome.kind === 'skipped' && outcome.reason === 'virus') await ctx.rawMail.quarantine(location, quarantineKeyOf(ctx.config, location));
  else await ctx.rawMail.markOutcome(location, tagsOf(outcome));
}

/**
 * Why a mail is skipped; `extra` adds what the reason knows (a bounce's details, the quarantine
 * key); `notice` the sender notice to send after the commit, or why none is sent.
 */
export interface SkipRecord extends SkipNotice {
  readonly reason: SkipReason;
  readonly detail: string;
  readonly ticketId?: number | null;
  readonly extra?: Pick<SkippedEntry, 'bounce' | 'quarantineKey'>;
  /** The mail's fingerprint (see `fingerprint.ts`), for mail that was planned. */
  readonly fingerprint?: MailFingerprint;
}

/** Records a skip under `messageKey` and keeps the raw mail. */
export async function recordSkip(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders | null, messageKey: string, why: SkipRecord): Promise<MailReport> {
  const { reason, detail, extra } = why;
  const ticketId = why.ticketId ?? null;
  const notice = why.notice ? { notice: why.notice } : {};
  const entry: SkippedEntry = { ...baseEntry(ctx, mail, headers, messageKey, why.fingerprint), ...extra, ...notice, state: 'skipped', reason, detail, ticketId };
  const outcome: MailOutcome = { kind: 'skipped', reason, detail, ...(ticketId === null ? {} : { ticketId }) };
  const report = await commitEntry(ctx, mail, headers, entry, outcome, undefined, why.fingerprint);
  return why.noticeReport && !report.redelivered && !report.notice ? { ...report, notice: why.noticeReport } : report;
}
