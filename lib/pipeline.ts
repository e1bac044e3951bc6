/**
 * The imperative shell around the decision: reads one raw mail from S3, parses it as a stream,
 * looks up what the decision needs, decides, and applies the decision with single-item
 * conditional writes ordered so that a crash or a retry after any step neither duplicates a
 * follow-up nor loses the mail.
 *
 * Write order, per outcome (each step is idempotent, the ledger write is the commit point):
 * - follow-up: reopen the ticket if closed → store attachments → ledger entry → tag the raw mail.
 * - new ticket: reserve an id → claim the ledger key (pending) → store attachments → write the
 *   ticket → ledger entry over the claim → tag the raw mail.
 * - skip: ledger entry → tag the raw mail (a virus: then move it to the quarantine prefix).
 */
import type { GatewayConfig } from './config.js';
import { decideOutcome, type Decision } from './decide.js';
import { MalformedMailError, ObjectMissingError, TransientError, UnstorableError } from './errors.js';
import {
  threadTicketOf,
  type AppliedEntry,
  type FinalEntry,
  type LedgerEntry,
  type MailLocation,
  type SkippedEntry,
} from './ledger-entry.js';
import { reportCapturingSink, storingSink } from './attachment-sinks.js';
import { routeMail } from './mailbox.js';
import { ledgerKeyOfMessageId, sha256Hex } from './mail/message-id.js';
import { DRAIN_ATTACHMENTS, parseMail, type AttachmentSink } from './mail/parse.js';
import { SCREENING_HEADERS } from './mail/headers.js';
import { failedRecipientsFromHeaders, readBounceReport } from './screening/bounce.js';
import { findReplyToken, verifyReplyToken, type ReplyTokenKeys } from './screening/reply-token.js';
import { screenMail } from './screening/screen.js';
import { readVerdicts } from './screening/verdicts.js';
import type { MailHeaders, MailRecord } from './mail/record.js';
import type { MailOutcome, SkipReason } from './outcomes.js';
import type { MessageLedger, Prefetched, Prefetcher, RawMailStore, TicketStore } from './ports.js';
import { findTicketReference, threadMessageIds } from './reference/find-ticket-reference.js';
import { subjectTagFinder } from './reference/subject-tag.js';
import { loadTicketChain } from './ticket-chain.js';
import { objectKeyOf, outcomeOfEntry, priorOf, tagsOf } from './ledger-outcomes.js';
import { s3KeyUnder } from './record-caps.js';

/** What one mail came to. */
export interface MailReport {
  readonly location: MailLocation;
  /** The Message-ID header (without brackets), when the mail was read far enough to have one. */
  readonly messageId: string | null;
  readonly outcome: MailOutcome;
  /** The ledger already held this object's outcome: nothing new was written or counted. */
  readonly redelivered: boolean;
  /** For `retry`: the error, to be logged in full. */
  readonly error?: unknown;
}

/** What SES's receipt says about a mail (`PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`, …). */
export interface SesVerdicts {
  readonly spam?: string;
  readonly virus?: string;
  readonly spf?: string;
  readonly dkim?: string;
  readonly dmarc?: string;
  /** The sender domain's DMARC policy as SES found it (`none`, `quarantine`, `reject`). */
  readonly dmarcPolicy?: string;
}

/** What is known about a mail from outside it (the SES receipt): most trustworthy of all. */
export interface Envelope {
  readonly recipients: readonly string[];
  readonly verdicts?: SesVerdicts;
}

export interface PipelineDeps {
  readonly config: GatewayConfig;
  readonly rawMail: RawMailStore;
  readonly tickets: TicketStore;
  readonly ledger: MessageLedger;
  readonly prefetcher: Prefetcher;
  /** The secrets of signed reply addresses; `null` when the feature is off. */
  readonly replyTokenKeys?: ReplyTokenKeys | null;
  readonly now?: () => Date;
}

/** How to process a mail. */
export interface ProcessOptions {
  /**
   * Replay a mail that was skipped: decide anew instead of reporting the recorded skip, and let
   * the new outcome replace the skip entry (see `lib/replay.ts`).
   */
  readonly replay?: boolean;
}

/** Processes one stored mail to its outcome. Never throws: failures become `retry` or a skip. */
export type MailProcessor = (location: MailLocation, envelope?: Envelope, options?: ProcessOptions) => Promise<MailReport>;

/** One mail being processed: where it is stored, and what its delivery says about it. */
interface InboundMail {
  readonly location: MailLocation;
  readonly envelope: Envelope | undefined;
  readonly replay: boolean;
}

/** Text bodies up to this many bytes are kept in the ledger entry; longer ones go to S3. */
const MAX_INLINE_BODY_BYTES = 64 * 1024;
/** django-helpdesk's ticket title length. */
const MAX_TITLE_LENGTH = 200;
/** The most of a subject kept in a ledger entry. */
const MAX_LEDGER_SUBJECT_LENGTH = 1000;
/** Attempts at finding a free ticket id when the counter lags behind existing tickets. */
const MAX_ID_ATTEMPTS = 5;

const NOTHING_FETCHED: Prefetched = { entries: new Map(), tickets: new Map() };

/** Everything decided once the header block was read. */
interface Plan {
  readonly headers: MailHeaders;
  readonly messageKey: string;
  readonly decision: Decision;
  /** Ticket and follow-up the mail is being applied to (follow-up or new ticket). */
  readonly target: { ticketId: number; followupId: string } | null;
  /** The ledger entry of a redelivered object. */
  readonly prior: LedgerEntry | null;
  /** A bounce's machine-readable parts, filled while the mail streams. */
  readonly reportParts: { contentType: string; text: string }[];
}

/** Builds the mail processor over the given ports. */
export function createMailProcessor(deps: PipelineDeps): MailProcessor {
  const { config, rawMail, tickets, ledger, prefetcher } = deps;
  const now = deps.now ?? (() => new Date());
  const findSubjectTag = subjectTagFinder(config.queueSlugs);
  const ownAddresses = config.screening.ownAddresses;
  const replyTokenKeys = deps.replyTokenKeys ?? null;
  const extraHeaders = [...SCREENING_HEADERS, config.screening.loopHeader];

  function baseEntry({ location, envelope }: InboundMail, headers: MailHeaders | null, messageKey: string) {
    const at = now().toISOString();
    return {
      ...(envelope?.verdicts ? { sesVerdicts: envelope.verdicts } : {}),
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

  async function plan(mail: InboundMail, headers: MailHeaders): Promise<Plan> {
    const { location, envelope } = mail;
    const empty = headers.headerCount === 0;
    const screening = empty ? null : screenMail(headers, readVerdicts(envelope?.verdicts, headers), config.screening);
    // Mail set aside by the screening needs no ticket, so nothing is read for it: a redelivery or a
    // second copy is caught by the ledger write's condition instead.
    const settled = empty || screening !== null;
    // Infected mail is filed under its object, not its Message-ID: the object is moved to the
    // quarantine, and a redelivered notification must still find this entry.
    const messageKey =
      empty || screening?.reason === 'virus'
        ? objectKeyOf(location, 'object')
        : headers.messageId
          ? ledgerKeyOfMessageId(headers.messageId)
          : `sha256:${await rawMail.hash(location)}`;

    const recipients = [...(envelope?.recipients ?? []), ...headers.deliveredTo, ...headers.to.map((a) => a.address), ...headers.cc.map((a) => a.address)];
    const token = replyTokenKeys && !settled ? findReplyToken(recipients, (address) => ownAddresses.has(address)) : null;
    const tokenValid = token !== null && replyTokenKeys !== null && verifyReplyToken(token, replyTokenKeys);
    const subjectTag = settled ? null : findSubjectTag(headers.subject);
    const threadIds = settled ? [] : threadMessageIds(headers);
    // One round trip: this mail's ledger entry, its thread's entries, and the tickets it names.
    const fetched = settled
      ? NOTHING_FETCHED
      : await prefetcher.prefetch({
          messageKeys: [messageKey, ...threadIds.map(ledgerKeyOfMessageId)],
          ticketIds: [subjectTag?.ticketId, token && tokenValid ? token.ticketId : undefined].filter((id): id is number => id !== undefined),
        });
    const priorEntry = fetched.entries.get(messageKey);
    const prior = priorOf(priorEntry, location, mail.replay);

    const ticketsByMessageId = new Map<string, number>();
    for (const id of threadIds) {
      const entry = fetched.entries.get(ledgerKeyOfMessageId(id));
      const ticketId = entry ? threadTicketOf(entry) : null;
      if (ticketId !== null) ticketsByMessageId.set(id, ticketId);
    }
    const reference = settled
      ? null
      : findTicketReference({ verifiedReplyToken: token && tokenValid ? { ticketId: token.ticketId, address: token.address } : null, threadIds, ticketsByMessageId, subjectTag });
    const mailbox = routeMail(recipients, config);
    const prefetchedTickets = { get: async (id: number) => (fetched.tickets.has(id) ? (fetched.tickets.get(id) ?? null) : tickets.get(id)) };
    const chain = reference && prior.kind === 'none' ? await loadTicketChain(prefetchedTickets, reference.ticketId) : null;
    let decision = decideOutcome({
      prior,
      empty,
      screening,
      badReplyToken: token && !tokenValid ? { address: token.address, ticketId: token.ticketId } : null,
      mailbox,
      reference,
      chain,
      senders: { policy: config.senderPolicy, sender: headers.from?.address ?? null, agents: config.agents },
    });

    const followupId = sha256Hex(`${messageKey}\n${location.bucket}/${location.key}`).slice(0, 24);
    if (decision.kind === 'create' && decision.ticketId === null) {
      const reservation = await reserveTicketId(mail, headers, messageKey, decision.queue);
      if (reservation.kind === 'redelivered') return { headers, messageKey, decision: { kind: 'redelivered' }, target: null, prior: reservation.holder, reportParts: [] };
      decision = reservation.kind === 'reserved' ? { ...decision, ticketId: reservation.ticketId } : { kind: 'skip', reason: 'duplicate', detail: reservation.detail };
    }
    const targetTicket = decision.kind === 'followup' ? decision.ticket.id : decision.kind === 'create' ? decision.ticketId : null;
    return {
      headers,
      messageKey,
      decision,
      target: targetTicket === null ? null : { ticketId: targetTicket, followupId },
      prior: decision.kind === 'redelivered' ? (priorEntry ?? null) : null,
      reportParts: [],
    };
  }

  /**
   * Reserves a ticket id for a new ticket and claims the mail's ledger key for it, so that a crash
   * before the ticket is written resumes with the same id. A concurrent attempt may have claimed the
   * key first: then its id is used, or the mail turns out to be a redelivery or a duplicate.
   */
  async function reserveTicketId(mail: InboundMail, headers: MailHeaders, messageKey: string, queue: string) {
    const reserved = await tickets.allocateId();
    const holder = await ledger.claim({ ...baseEntry(mail, headers, messageKey), state: 'pending', ticketId: reserved, queue }, { replacingSkip: mail.replay });
    const held = priorOf(holder, mail.location, false);
    if (held.kind === 'same-object' && held.state === 'pending') return { kind: 'reserved' as const, ticketId: held.claim.ticketId };
    if (held.kind === 'same-object') return { kind: 'redelivered' as const, holder };
    return { kind: 'duplicate' as const, detail: `this Message-ID was just claimed by ${held.kind === 'other-object' ? held.key : 'another mail'}` };
  }

  /** The S3 key prefix of what a follow-up stores besides its ledger entry (attachments, a long body). */
  function followupPrefix(target: { ticketId: number; followupId: string }): string {
    return `${config.attachmentsPrefix}${target.ticketId}/${target.followupId}/`;
  }

  /** Where an infected raw mail is moved to (a hash of its key when prefix and key exceed S3's 1,024 bytes). */
  function quarantineKeyOf(location: MailLocation): string {
    return s3KeyUnder(config.quarantinePrefix, location.key);
  }

  /** Where a planned mail's attachments go. */
  function sinkFor(plan: Plan): AttachmentSink {
    const { decision, target } = plan;
    if (target && (decision.kind === 'followup' || decision.kind === 'create')) {
      return storingSink(rawMail, followupPrefix(target), config.attachments);
    }
    if (decision.kind === 'skip' && decision.reason === 'bounce') return reportCapturingSink(plan.reportParts);
    return DRAIN_ATTACHMENTS;
  }

  /**
   * A bounce, read: the failed recipients and the bounced Message-ID, and the ticket when the
   * ledger knows that Message-ID (a notification the helpdesk registered, or an applied mail).
   */
  async function bounceDetails(plan: Plan, record: MailRecord) {
    const fromParts = readBounceReport(plan.reportParts, record.text);
    const report = { ...fromParts, failedRecipients: [...new Set([...fromParts.failedRecipients, ...failedRecipientsFromHeaders(plan.headers)])] };
    const original = report.originalMessageId;
    const originalKey = original ? ledgerKeyOfMessageId(original) : null;
    const entry = originalKey ? (await ledger.lookup([originalKey])).get(originalKey) : undefined;
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

  async function storeBody(record: MailRecord, target: { ticketId: number; followupId: string }) {
    if (Buffer.byteLength(record.text) <= MAX_INLINE_BODY_BYTES) return { body: record.text, bodyKey: null };
    const bodyKey = `${followupPrefix(target)}body.txt`;
    await rawMail.putText(bodyKey, record.text);
    return { body: null, bodyKey };
  }

  /**
   * Writes the final entry and tags the mail (an infected mail is moved instead of tagged); a lost
   * race turns into a redelivery or a duplicate.
   */
  async function commit(mail: InboundMail, entry: FinalEntry, outcome: MailOutcome, messageId: string | null): Promise<MailReport> {
    const { location } = mail;
    const result = await ledger.record(entry, { replacingSkip: mail.replay });
    if (result === 'taken-by-other') {
      return skip(mail, null, objectKeyOf(location, 'duplicate'), { reason: 'duplicate', detail: 'another stored mail with this Message-ID was recorded first' });
    }
    const redelivered = result === 'already-recorded';
    const final = redelivered ? outcomeOfEntry((await ledger.lookup([entry.messageKey])).get(entry.messageKey) ?? entry) : outcome;
    await keepRawMail(location, final);
    return { location, messageId, outcome: final, redelivered };
  }

  /** Marks the raw mail with its outcome, or moves an infected one to the quarantine. */
  async function keepRawMail(location: MailLocation, outcome: MailOutcome): Promise<void> {
    if (outcome.kind === 'retry') return;
    if (outcome.kind === 'skipped' && outcome.reason === 'virus') await rawMail.quarantine(location, quarantineKeyOf(location));
    else await rawMail.markOutcome(location, tagsOf(outcome));
  }

  /** Records a skip; `extra` adds what the reason knows (a bounce's details, the quarantine key). */
  async function skip(
    mail: InboundMail,
    headers: MailHeaders | null,
    messageKey: string,
    why: { reason: SkipReason; detail: string; ticketId?: number | null; extra?: Pick<SkippedEntry, 'bounce' | 'quarantineKey'> },
  ): Promise<MailReport> {
    const { reason, detail, extra } = why;
    const ticketId = why.ticketId ?? null;
    const entry: SkippedEntry = { ...baseEntry(mail, headers, messageKey), ...extra, state: 'skipped', reason, detail, ticketId };
    const outcome: MailOutcome = { kind: 'skipped', reason, detail, ...(ticketId === null ? {} : { ticketId }) };
    return commit(mail, entry, outcome, headers?.messageId ?? null);
  }

  async function createTicket(plan: Plan, record: MailRecord, ticketId: number, queue: string): Promise<number> {
    const at = now().toISOString();
    const submitter = record.from?.address ?? '';
    const cc = [...new Set([...record.to, ...record.cc].map((a) => a.address))].filter((a) => a !== submitter && !ownAddresses.has(a));
    for (let attempt = 0, id = ticketId; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const result = await tickets.create({
        id,
        queue,
        status: 'open',
        title: (record.subject.trim() || '(no subject)').slice(0, MAX_TITLE_LENGTH),
        description: record.text.slice(0, MAX_INLINE_BODY_BYTES / 2),
        submitter,
        cc,
        createdAt: at,
        updatedAt: at,
        sourceMessageKey: plan.messageKey,
      });
      if (result !== 'id-taken') return id;
      id = await tickets.allocateId();
      await ledger.reclaim(plan.messageKey, id);
    }
    throw new TransientError(`no free ticket id after ${MAX_ID_ATTEMPTS} attempts: the ticket counter lags behind the tickets table`);
  }

  async function apply(plan: Plan, record: MailRecord, mail: InboundMail): Promise<MailReport> {
    const { location } = mail;
    const { decision, headers, messageKey, target } = plan;
    switch (decision.kind) {
      case 'redelivered': {
        const outcome = plan.prior ? outcomeOfEntry(plan.prior) : { kind: 'retry' as const, error: 'redelivery of an unknown entry' };
        // An earlier attempt may have recorded the outcome and died before tagging or moving the mail.
        await keepRawMail(location, outcome);
        return { location, messageId: headers.messageId, outcome, redelivered: true };
      }
      case 'skip': {
        const { reason, detail } = decision;
        if (reason === 'duplicate') return skip(mail, headers, objectKeyOf(location, 'duplicate'), { reason, detail });
        if (reason === 'bounce') {
          const bounce = await bounceDetails(plan, record);
          return skip(mail, headers, messageKey, { reason, detail: bounce.detail, ticketId: bounce.ticketId, extra: { bounce: bounce.bounce } });
        }
        if (reason === 'virus') return skip(mail, headers, messageKey, { reason, detail, extra: { quarantineKey: quarantineKeyOf(location) } });
        return skip(mail, headers, messageKey, { reason, detail, ticketId: decision.ticketId ?? null });
      }
      case 'followup':
      case 'create': {
        if (!target) throw new Error('a follow-up or new ticket without a target');
        let ticketId = target.ticketId;
        let reopened = false;
        if (decision.kind === 'followup' && decision.reopen) reopened = await tickets.reopen(ticketId, now().toISOString());
        const body = await storeBody(record, target);
        if (decision.kind === 'create') ticketId = await createTicket(plan, record, ticketId, decision.queue);
        const entry: AppliedEntry = {
          ...baseEntry(mail, headers, messageKey),
          state: 'applied',
          outcome: decision.kind === 'create' ? 'created' : 'followup',
          ticketId,
          followupId: target.followupId,
          reopened,
          mergedFrom: decision.kind === 'followup' ? decision.mergedFrom : [],
          ...body,
          attachments: record.attachments,
        };
        const outcome: MailOutcome =
          decision.kind === 'create'
            ? { kind: 'created', ticketId, followupId: target.followupId }
            : { kind: 'followup', ticketId, followupId: target.followupId, reopened };
        return commit(mail, entry, outcome, headers.messageId);
      }
    }
  }

  return async function processMail(location, envelope, options = {}) {
    const mail: InboundMail = { location, envelope, replay: options.replay ?? false };
    let planned: Promise<Plan> | undefined;
    try {
      const { body, size } = await rawMail.open(location);
      if (size !== null && size > config.maxMailBytes) {
        body.destroy();
        return await skip(mail, null, objectKeyOf(location, 'object'), { reason: 'too-large', detail: `${size} bytes, more than MAX_MAIL_BYTES=${config.maxMailBytes}` });
      }
      const record = await parseMail(
        body,
        {
          async onHeaders(headers) {
            planned = plan(mail, headers);
            return sinkFor(await planned);
          },
        },
        extraHeaders,
      );
      if (!planned) throw new Error('the parser finished without reading a header block');
      return await apply(await planned, record, mail);
    } catch (error) {
      try {
        if (error instanceof ObjectMissingError) {
          return await skip(mail, null, objectKeyOf(location, 'object'), { reason: 'object-missing', detail: error.message });
        }
        if (error instanceof MalformedMailError || error instanceof UnstorableError) {
          // Retrying cannot help: a recorded skip, over this mail's pending claim if it made one.
          const reason: SkipReason = error instanceof UnstorableError ? 'unstorable' : 'malformed';
          const known = planned ? await planned.catch(() => undefined) : undefined;
          try {
            return await skip(mail, known?.headers ?? null, known?.messageKey ?? objectKeyOf(location, 'object'), { reason, detail: error.message });
          } catch (refused) {
            if (!(refused instanceof UnstorableError) || !known) throw refused;
            // Even the skip with the mail's headers was refused: record it by its object alone.
            return await skip(mail, null, objectKeyOf(location, 'object'), { reason, detail: `${error.message}; recording it: ${refused.message}` });
          }
        }
      } catch (inner) {
        return { location, messageId: null, outcome: { kind: 'retry', error: String(inner) }, redelivered: false, error: inner };
      }
      const messageId = planned ? ((await planned.catch(() => undefined))?.headers.messageId ?? null) : null;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { location, messageId, outcome: { kind: 'retry', error: message }, redelivered: false, error };
    }
  };
}
