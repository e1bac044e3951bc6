/**
 * The apply stage: the writes of each outcome, in an order that makes every step safe to repeat.
 *
 * Write order, per outcome (each step is idempotent; the ledger write is the commit point):
 * - follow-up: store attachments (while the mail streams, before this stage runs) → reopen the
 *   ticket if closed → add its participants to the ticket's CC list → store a long body and the
 *   sanitized HTML → ledger entry → publish its event and mark the entry published → tag the raw
 *   mail.
 * - new ticket: reserve an id → claim the ledger key (`pending`, in the plan stage) → store
 *   attachments → store a long body and the HTML → write the ticket (with its CCs) → ledger entry
 *   over the claim → publish and mark → tag the raw mail.
 * - skip: ledger entry (with the intent of a sender notice) → publish and mark → send the notice
 *   and mark → tag the raw mail (a virus: move it to the quarantine prefix instead).
 *
 * Why a crash or a retry after any step neither duplicates a follow-up nor loses the mail:
 * - Nothing before the ledger entry is visible as a follow-up: a reopen is a no-op the second
 *   time, so is adding CCs already on the ticket (`ticket-participants.ts`), attachments and bodies are overwritten at keys derived from the ticket id and the follow-up
 *   id (a hash of the ledger key and the object), and a ticket write is conditional on its id (`already-created` when the same
 *   mail wrote it before).
 * - The ledger entry is a single conditional put: a redelivery of the same object finds it and only
 *   re-does the tagging (`redelivered`); another object with the same key is a duplicate.
 * - A new ticket's id is held by the `pending` claim, so a redelivery after a crash resumes with
 *   the same id instead of allocating another; a lost create race takes the winner's id.
 * - The event is published only after the commit, and the entry marked after it was: a redelivery
 *   publishes again only when the mark is missing (at least once, never before the commit).
 * - The raw mail is tagged last; until then lifecycle rules never expire it, and the sweep re-drives it.
 */
import type { Decision } from '../decide.js';
import { threadTicketOf, type AppliedEntry } from '../ledger-entry.js';
import { objectKeyOf, outcomeOfEntry } from '../ledger-outcomes.js';
import { ledgerKeyOfMessageId } from '../mail/message-id.js';
import { DRAIN_ATTACHMENTS, STOP_READING, type HeaderAnswer } from '../mail/parse.js';
import type { MailRecord } from '../mail/record.js';
import type { MailOutcome } from '../outcomes.js';
import { failedRecipientsFromHeaders, readBounceReport } from '../screening/bounce.js';
import { TransientError } from '../errors.js';
import { markInlineImages } from '../mail/inline-images.js';
import { reportCapturingSink, storingSink } from '../attachment-sinks.js';
import { publishAfterCommit } from '../events/publish.js';
import { sendNoticeAfterCommit } from '../notices/notice-outbox.js';
import { noticeOfSkip } from './notice.js';
import { fingerprintOf, stopsAtHeaders } from './fingerprint.js';
import { assertSameMail, baseEntry, commitEntry, keepRawMail, recordSkip } from './commit.js';
import { followupPrefix, quarantineKeyOf, type PipelineContext } from './context.js';
import { replyOf, storeBody, storeHtml } from './followup-content.js';
import { ticketOpening, type TicketOpening } from './ticket-opening.js';
import { addParticipants } from './ticket-participants.js';
import type { InboundMail, MailReport, Plan } from './types.js';

/** The decisions applySkip and applyToTicket take (lib/decide.ts). */
type SkipDecision = Extract<Decision, { kind: 'skip' }>;
type TicketDecision = Extract<Decision, { kind: 'followup' | 'create' }>;

/** Attempts at finding a free ticket id when the counter lags behind existing tickets. */
const MAX_ID_ATTEMPTS = 5;

/**
 * Where a planned mail's attachments go while it streams: stored, kept as a bounce's report, or
 * drained; or nowhere, the read stopping at the header block, when the header block decided.
 */
export function attachmentSinkFor(ctx: PipelineContext, plan: Plan): HeaderAnswer {
  const { decision, target } = plan;
  if (stopsAtHeaders(plan)) return STOP_READING;
  if (target && (decision.kind === 'followup' || decision.kind === 'create')) {
    return storingSink(ctx.rawMail, followupPrefix(ctx.config, target), ctx.config.attachments);
  }
  if (decision.kind === 'skip' && decision.reason === 'bounce') return reportCapturingSink(plan.reportParts);
  return DRAIN_ATTACHMENTS;
}

/** Applies a planned, fully read mail: the writes of its outcome, then the commit. */
export async function applyPlan(ctx: PipelineContext, plan: Plan, record: MailRecord, mail: InboundMail): Promise<MailReport> {
  const { decision, headers } = plan;
  switch (decision.kind) {
    case 'redelivered': {
      const outcome = plan.prior ? outcomeOfEntry(plan.prior) : { kind: 'retry' as const, error: 'redelivery of an unknown entry' };
      // An earlier attempt may have recorded the outcome and died before publishing, tagging or moving the mail.
      if (ctx.events && plan.prior) await publishAfterCommit(ctx.events, plan.prior, record.text);
      // …or before sending its notice (a crash between the commit and the send).
      const notice = ctx.notices && plan.prior ? await sendNoticeAfterCommit(ctx.notices, plan.prior) : null;
      await keepRawMail(ctx, mail.location, outcome);
      return { location: mail.location, messageId: headers.messageId, outcome, redelivered: true, notice };
    }
    case 'skip':
      return applySkip(ctx, plan, decision, record, mail);
    case 'followup':
    case 'create':
      return applyToTicket(ctx, plan, decision, record, mail);
  }
}

async function applySkip(ctx: PipelineContext, plan: Plan, decision: SkipDecision, record: MailRecord, mail: InboundMail): Promise<MailReport> {
  const { headers, messageKey } = plan;
  const { reason, detail } = decision;
  const fingerprint = fingerprintOf(plan, record);
  if (reason === 'duplicate') {
    // The same Message-ID is a duplicate only with the same content; another mail is keyed apart.
    if (plan.heldBy) assertSameMail(ctx, plan.heldBy, fingerprint, messageKey);
    return recordSkip(ctx, mail, headers, objectKeyOf(mail.location, 'duplicate'), { reason, detail, fingerprint });
  }
  if (reason === 'bounce') {
    const bounce = await bounceDetails(ctx, plan, record);
    return recordSkip(ctx, mail, headers, messageKey, { reason, detail: bounce.detail, ticketId: bounce.ticketId, extra: { bounce: bounce.bounce }, fingerprint });
  }
  if (reason === 'virus') return recordSkip(ctx, mail, headers, messageKey, { reason, detail, extra: { quarantineKey: quarantineKeyOf(ctx.config, mail.location) }, fingerprint });
  const notice = noticeOfSkip(ctx, mail, headers, plan.sender, reason);
  return recordSkip(ctx, mail, headers, messageKey, { reason, detail, ticketId: decision.ticketId ?? null, fingerprint, ...notice });
}

async function applyToTicket(ctx: PipelineContext, plan: Plan, decision: TicketDecision, record: MailRecord, mail: InboundMail): Promise<MailReport> {
  const { headers, messageKey, target } = plan;
  if (!target) throw new Error('a follow-up or new ticket without a target');
  let ticketId = target.ticketId;
  let reopened = false;
  let ccAdded: readonly string[] = [];
  let forwardedBy: string | undefined;
  if (decision.kind === 'followup') {
    if (decision.reopen) reopened = await ctx.tickets.reopen(ticketId, ctx.now().toISOString());
    ccAdded = await addParticipants(ctx, plan, decision.ticket);
  }
  const body = await storeBody(ctx, record, target);
  const { cids, ...html } = await storeHtml(ctx, record, target);
  if (decision.kind === 'create') {
    const opening = ticketOpening(ctx, plan, record);
    ticketId = await createTicket(ctx, plan, opening, ticketId, decision.queue);
    ccAdded = opening.cc;
    forwardedBy = opening.forwardedBy;
  }
  const fingerprint = fingerprintOf(plan, record);
  const entry: AppliedEntry = {
    ...baseEntry(ctx, mail, headers, messageKey, fingerprint),
    state: 'applied',
    outcome: decision.kind === 'create' ? 'created' : 'followup',
    ticketId,
    followupId: target.followupId,
    reopened,
    mergedFrom: decision.kind === 'followup' ? decision.mergedFrom : [],
    ...(decision.kind === 'followup' && decision.conflict ? { referenceConflict: decision.conflict } : {}),
    ...body,
    ...html,
    reply: replyOf(record.text),
    ...(ccAdded.length > 0 ? { ccAdded } : {}),
    ...(forwardedBy ? { forwardedBy } : {}),
    attachments: markInlineImages(record.attachments, cids),
  };
  const outcome: MailOutcome =
    decision.kind === 'create'
      ? { kind: 'created', ticketId, followupId: target.followupId }
      : { kind: 'followup', ticketId, followupId: target.followupId, reopened };
  return commitEntry(ctx, mail, headers, entry, outcome, record.text, fingerprint);
}

/**
 * Writes the new ticket under its reserved id. When another ticket holds that id (the counter
 * lagged behind the table), allocates the next one and points the ledger claim at it.
 */
async function createTicket(ctx: PipelineContext, plan: Plan, opening: TicketOpening, ticketId: number, queue: string): Promise<number> {
  const at = ctx.now().toISOString();
  for (let attempt = 1, id = ticketId; ; attempt++) {
    const result = await ctx.tickets.create({
      id,
      queue,
      status: 'open',
      title: opening.title,
      description: opening.description,
      submitter: opening.submitter,
      cc: opening.cc,
      ...(opening.forwardedBy ? { forwardedBy: opening.forwardedBy } : {}),
      createdAt: at,
      updatedAt: at,
      sourceMessageKey: plan.messageKey,
    });
    if (result !== 'id-taken') return id;
    if (attempt === MAX_ID_ATTEMPTS) throw new TransientError(`no free ticket id after ${MAX_ID_ATTEMPTS} attempts: the ticket counter lags behind the tickets table`);
    // The next id is claimed before it is tried, so that a crash resumes with it.
    id = await ctx.tickets.allocateId();
    await ctx.ledger.reclaim(plan.messageKey, id);
  }
}

/**
 * A bounce, read: the failed recipients and the bounced Message-ID, and the ticket when the
 * ledger knows that Message-ID (a notification the helpdesk registered, or an applied mail).
 */
export async function bounceDetails(ctx: PipelineContext, plan: Plan, record: MailRecord) {
  const fromParts = readBounceReport(plan.reportParts, record.text);
  const report = { ...fromParts, failedRecipients: [...new Set([...fromParts.failedRecipients, ...failedRecipientsFromHeaders(plan.headers)])] };
  const original = report.originalMessageId;
  const originalKey = original ? ledgerKeyOfMessageId(original) : null;
  const entry = originalKey ? (await ctx.ledger.lookup([originalKey])).get(originalKey) : undefined;
  const ticketId = entry ? threadTicketOf(entry) : null;
  const detail = [
    report.failedRecipients.length > 0 ? `undeliverable to ${report.failedRecipients.join(', ')}` : 'a delivery report',
    original ? `for <${original}>` : null,
    ticketId !== null ? `(ticket ${ticketId})` : null,
  ]
    .filter(Boolean)
    .join(' ');
  return { bounce: { ...report, ticketId }, detail, ticketId };
}
