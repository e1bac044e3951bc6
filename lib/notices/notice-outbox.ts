/**
 * Sending a skip's notice after the commit, the way the event outbox publishes (`events/publish.ts`):
 * the skip's ledger entry records the notice's intent; after that commit the notice is sent; then
 * the entry is marked `noticeDone`. A redelivered mail finds the mark and sends nothing; without
 * the mark (a crash between the commit and the send) it sends the notice then.
 *
 * At most one duplicate: a crash after SES accepted the notice and before the mark is written
 * leaves the entry unmarked, and the redelivery sends the notice a second time (its own earlier
 * claim on the sender does not stop it). Each later redelivery finds the mark.
 *
 * A notice never changes the mail's outcome: every failure here (SES, the notices table, the
 * mark) is caught, reported as `failed` for the log and the metric, and the mail goes on.
 */
import type { LedgerEntry } from '../ledger-entry.js';
import type { NoticeConfig } from './notice-config.js';
import type { NoticeDone, NoticeIntent } from './notice-decision.js';
import type { NoticeMarker, NoticeSender, NoticeThrottle, OutgoingNotice, SenderClaim } from './notice-ports.js';
import type { NoticeReason, NoticeSuppression } from './notice-reasons.js';
import { renderNotice, sizeInWords, type NoticeTemplate } from './notice-templates.js';

/** What sending notices needs. */
export interface NoticeDeps {
  readonly config: Pick<NoticeConfig, 'perHour'>;
  readonly templates: ReadonlyMap<NoticeReason, NoticeTemplate>;
  readonly sender: NoticeSender;
  readonly throttle: NoticeThrottle;
  readonly marker: NoticeMarker;
  readonly now: () => Date;
  /** The gateway's loop header (LOOP_HEADER): the notice carries it, so it never comes back as mail. */
  readonly loopHeader: string;
  /** A create-mode mailbox address to point senders at; `null` when the deployment has none. */
  readonly createAddress: string | null;
  readonly maxMailBytes: number;
}

/** What became of a skip's notice, for the log, the metrics and the local run. */
export type NoticeReport =
  | { readonly kind: 'sent'; readonly reason: NoticeReason; readonly to: string; readonly detail?: string }
  | { readonly kind: 'suppressed'; readonly reason: NoticeReason; readonly why: NoticeSuppression; readonly detail?: string };

/** The notice of an intent, composed: the template's text and the headers that keep it out of loops. */
export function composeNotice(deps: Pick<NoticeDeps, 'templates' | 'loopHeader' | 'createAddress' | 'maxMailBytes'>, intent: NoticeIntent): OutgoingNotice {
  const template = deps.templates.get(intent.reason);
  if (!template) throw new Error(`no template for ${intent.reason} (SENDER_NOTICE_REASONS changed since the skip was recorded)`);
  const rendered = renderNotice(template, {
    subject: intent.subject,
    mailbox: intent.from,
    sender: intent.to,
    createAddress: deps.createAddress,
    limit: sizeInWords(deps.maxMailBytes),
  });
  const headers = [
    // RFC 3834 §5: a response generated automatically; well-behaved responders answer none.
    { name: 'Auto-Submitted', value: 'auto-replied' },
    { name: deps.loopHeader, value: intent.from },
    ...(intent.inReplyTo ? [{ name: 'In-Reply-To', value: `<${intent.inReplyTo}>` }] : []),
    ...(intent.references.length > 0 ? [{ name: 'References', value: intent.references.map((id) => `<${id}>`).join(' ') }] : []),
  ];
  return { from: intent.from, to: intent.to, subject: rendered.subject, text: rendered.text, headers };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Marks the entry; a failed mark is reported in the detail, never thrown. */
async function mark(deps: NoticeDeps, entry: { messageKey: string; recordedAt: string }, result: NoticeDone['result']): Promise<string | undefined> {
  try {
    await deps.marker.markNoticed(entry, { at: deps.now().toISOString(), result });
    return undefined;
  } catch (error) {
    return `marking the ledger entry failed (a redelivery may send the notice again): ${describe(error)}`;
  }
}

/** Claims the storm limits, then sends; answers why not when a limit refused. Throws what SES or the table threw. */
async function claimAndSend(deps: NoticeDeps, intent: NoticeIntent, claim: SenderClaim): Promise<NoticeSuppression | null> {
  if (!(await deps.throttle.claimSender(claim))) return 'recently-noticed';
  if (!(await deps.throttle.takeHourlySlot(claim.at, deps.config.perHour))) {
    await deps.throttle.releaseSender(claim);
    return 'hourly-limit';
  }
  try {
    await deps.sender.send(composeNotice(deps, intent));
  } catch (error) {
    await deps.throttle.releaseSender(claim).catch(() => undefined);
    throw error;
  }
  return null;
}

/**
 * Sends the notice a committed skip entry records, unless it is marked; then marks it. Call it
 * with the entry **as stored** (just written, or read back for a redelivery). Answers `null` when
 * there is nothing to do now (no notice, or one dealt with before). Never throws.
 */
export async function sendNoticeAfterCommit(deps: NoticeDeps, entry: LedgerEntry): Promise<NoticeReport | null> {
  if (entry.direction !== 'inbound' || entry.state !== 'skipped' || !entry.notice || entry.noticeDone) return null;
  const intent = entry.notice;
  const claim: SenderClaim = { to: intent.to, reason: intent.reason, messageKey: entry.messageKey, at: deps.now() };
  let why: NoticeSuppression | null;
  try {
    why = await claimAndSend(deps, intent, claim);
  } catch (error) {
    // Not marked: a redelivery of the mail (for any other reason) tries again.
    return { kind: 'suppressed', reason: intent.reason, why: 'failed', detail: describe(error) };
  }
  const markFailure = await mark(deps, entry, why ?? 'sent');
  const detail = markFailure === undefined ? {} : { detail: markFailure };
  return why === null ? { kind: 'sent', reason: intent.reason, to: intent.to, ...detail } : { kind: 'suppressed', reason: intent.reason, why, ...detail };
}
