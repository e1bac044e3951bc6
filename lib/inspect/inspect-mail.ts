/**
 * A dry run of one stored mail (`npm run inspect`): what the pipeline would do with it and why,
 * check by check, with nothing written. It runs the pipeline's own stages — the read and the
 * streaming parse (`read.ts`), the plan up to its decision (`draftPlan` of `plan.ts`), the
 * attachment policy through the very sink that stores attachments (`attachment-sinks.ts`), the
 * body and reply a follow-up stores (`followup-content.ts`), a new ticket's opening
 * (`ticket-opening.ts`) — over ports whose writes throw (`read-only-ports.ts`). It only explains:
 * every verdict below is the pipeline's, none is decided here.
 */
import { reportCapturingSink, storingSink } from '../attachment-sinks.js';
import { describeReference, type Decision } from '../decide.js';
import { DistinctMailError, MalformedMailError, TransientError } from '../errors.js';
import type { Envelope } from '../envelope.js';
import type { LedgerEntry, MailLocation } from '../ledger-entry.js';
import { outcomeOfEntry, type PriorEntry } from '../ledger-outcomes.js';
import { STOP_READING, type HeaderAnswer } from '../mail/parse.js';
import type { MailHeaders, MailRecord } from '../mail/record.js';
import { assertSameMail } from '../pipeline/commit.js';
import { bounceDetails } from '../pipeline/apply.js';
import { fingerprintOf, stopsAtHeaders } from '../pipeline/fingerprint.js';
import type { PipelineContext } from '../pipeline/context.js';
import { MAX_INLINE_BODY_BYTES, replyOf } from '../pipeline/followup-content.js';
import { draftPlan, keyedApartAfter, type PlanTrace } from '../pipeline/plan.js';
import { readMail } from '../pipeline/read.js';
import { ticketOpening, type TicketOpening } from '../pipeline/ticket-opening.js';
import type { InboundMail, Plan } from '../pipeline/types.js';
import { sesAuthenticationResults } from '../screening/authentication-results.js';
import { isAgentAddress, senderStanding, type SenderStanding } from '../screening/sender-policy.js';
import type { MailVerdicts } from '../screening/verdicts.js';
import { discardingAttachmentStore } from './read-only-ports.js';

/** One `method=result` clause of SES's `Authentication-Results`. */
export interface AuthenticationClause {
  readonly method: string;
  readonly result: string;
  /** Its properties as written (`header.from=example.com`, …). */
  readonly properties: readonly string[];
}

/** One reference the mail carries, where it leads, and where the sender stands with that ticket. */
export interface InspectedReference {
  readonly source: 'reply-address' | 'thread' | 'subject-tag';
  readonly ticketId: number;
  /** The reference in words (`subject tag [support-42]`, …). */
  readonly description: string;
  /** `found`: the ticket it leads to (`via` merged tickets passed on the way); else why it leads nowhere. */
  readonly chain: { readonly kind: 'found'; readonly ticketId: number; readonly status: string; readonly via: readonly number[] } | { readonly kind: 'missing' | 'loop'; readonly via: readonly number[] };
  /**
   * The sender policy's verdict on the sender for this ticket (`senderStanding`); `null` where the
   * policy is not asked: a signed reply address (only the helpdesk can mint one) or a ticket not found.
   */
  readonly standing: SenderStanding | null;
}

/** One attachment, and what the attachment policy says of it. */
export interface InspectedAttachment {
  readonly index: number;
  /** The file name as it would be recorded (sanitized). */
  readonly filename: string | null;
  readonly contentType: string;
  readonly size: number;
  /** `stored`, or the policy's refusal (`denied-extension`, `too-large`, …); `not-read` for a bounce's parts. */
  readonly verdict: string;
  readonly inline: boolean;
}

/** What would be stored as the follow-up's or new ticket's text. */
export interface InspectedBody {
  readonly text: string;
  readonly bytes: number;
  /** `ledger`: kept in the ledger entry; `s3`: too long, stored as `body.txt` beside the attachments. */
  readonly storedIn: 'ledger' | 's3';
  /** The new part, without quoted history and signature (`replyOf`). */
  readonly reply: string;
  /** The mail has HTML (kept sanitized beside the attachments when any is left after sanitizing). */
  readonly hasHtml: boolean;
}

/** What the inspection found, check by check. `null` fields: the check was not reached. */
export interface Inspection {
  readonly mail: { readonly bucket: string; readonly key: string };
  readonly messageId: string | null;
  readonly subject: string | null;
  /** The key the mail is filed under in the ledger. */
  readonly messageKey: string | null;
  /** Checks in the order the pipeline makes them. */
  readonly screening: {
    readonly verdicts: MailVerdicts | null;
    /** Why the screening sets the mail aside, or `null`: it goes on. */
    readonly result: { readonly reason: string; readonly detail: string } | null;
  } | null;
  readonly authentication: {
    /** The topmost Authentication-Results, when SES wrote it; `null` otherwise (then nothing is authenticated). */
    readonly ses: readonly AuthenticationClause[] | null;
    /** The From as the sender policy compares it; `null`: none that can match anyone. */
    readonly sender: string | null;
    readonly authenticated: boolean;
    readonly detail: string;
  } | null;
  readonly routing: { readonly recipients: readonly string[]; readonly mailbox: { readonly address: string | null; readonly queue: string; readonly mode: string } | null } | null;
  /** What the ledger already held under the mail's key. */
  readonly ledger: PriorEntry | null;
  readonly references: {
    readonly replyToken: { readonly address: string; readonly ticketId: number; readonly valid: boolean } | null;
    readonly subjectTag: { readonly queue: string; readonly ticketId: number } | null;
    readonly threadIds: readonly string[];
    readonly found: readonly InspectedReference[];
    /** The reference the decision took, `null` when none. */
    readonly won: string | null;
  } | null;
  readonly senderPolicy: { readonly policy: string; readonly authentication: string; readonly sender: string | null; readonly agent: boolean } | null;
  readonly decision: {
    readonly outcome: 'followup' | 'create' | 'skip' | 'redelivered' | 'retry';
    readonly reason: string | null;
    readonly detail: string | null;
    readonly ticketId: number | null;
    readonly queue: string | null;
    readonly reopen: boolean;
    readonly mergedFrom: readonly number[];
    readonly conflict: string | null;
  };
  /** The mail's text as it would be stored (it is stored only when the mail is {@link applied}). */
  readonly body: InspectedBody | null;
  /** A new ticket's submitter, title and CCs. */
  readonly ticket: Omit<TicketOpening, 'description'> | null;
  readonly attachments: readonly InspectedAttachment[];
  /** The mail would be applied (a follow-up or a new ticket): only then are its body and attachments stored. */
  readonly applied: boolean;
}

/** The dry run's verdict on a decision (`ticketId` null for a new ticket: its id is not reserved). */
function decisionOf(decision: Decision): Inspection['decision'] {
  const none = { reason: null, detail: null, ticketId: null, queue: null, reopen: false, mergedFrom: [], conflict: null };
  switch (decision.kind) {
    case 'followup':
      return { ...none, outcome: 'followup', ticketId: decision.ticket.id, queue: decision.ticket.queue, reopen: decision.reopen, mergedFrom: decision.mergedFrom, conflict: decision.conflict };
    case 'create':
      return { ...none, outcome: 'create', queue: decision.queue, ticketId: decision.ticketId };
    case 'skip':
      return { ...none, outcome: 'skip', reason: decision.reason, detail: decision.detail, ticketId: decision.ticketId ?? null };
    case 'redelivered':
      return { ...none, outcome: 'redelivered', detail: 'this object was handled before: the ledger keeps its outcome, nothing new would be written' };
  }
}

/** What the ledger recorded for an object handled before: the answer to "why was this mail skipped?". */
function recordedOutcome(entry: LedgerEntry): Pick<Inspection['decision'], 'reason' | 'detail' | 'ticketId'> {
  const outcome = outcomeOfEntry(entry);
  const recorded = `handled before, and the ledger recorded: ${outcome.kind}`;
  switch (outcome.kind) {
    case 'skipped':
      return { reason: outcome.reason, detail: `${recorded} (${outcome.reason}): ${outcome.detail}`, ticketId: outcome.ticketId ?? null };
    case 'followup':
    case 'created':
      return { reason: null, detail: `${recorded} to ticket ${outcome.ticketId}`, ticketId: outcome.ticketId };
    default:
      return { reason: null, detail: recorded, ticketId: null };
  }
}

function referencesOf(trace: PlanTrace, decision: Decision): NonNullable<Inspection['references']> {
  const found = trace.references.map(({ reference, chain }): InspectedReference => {
    const standing = reference.source !== 'reply-address' && chain.kind === 'found' ? senderStanding(trace.senders, chain.tickets) : null;
    const destination = chain.kind === 'found' ? chain.tickets[chain.tickets.length - 1] : undefined;
    const inspectedChain: InspectedReference['chain'] =
      chain.kind === 'found' && destination
        ? { kind: 'found', ticketId: destination.id, status: destination.status, via: chain.tickets.slice(0, -1).map((t) => t.id) }
        : { kind: chain.kind === 'loop' ? 'loop' : 'missing', via: chain.kind === 'found' ? [] : chain.via.map((t) => t.id) };
    return { source: reference.source, ticketId: reference.ticketId, description: describeReference(reference), chain: inspectedChain, standing };
  });
  return {
    replyToken: trace.replyToken,
    subjectTag: trace.subjectTag,
    threadIds: trace.threadIds,
    found,
    won: decision.kind === 'followup' ? describeReference(decision.reference) : null,
  };
}

function authenticationOf(plan: Plan): NonNullable<Inspection['authentication']> {
  const results = sesAuthenticationResults(plan.headers.raw['authentication-results']);
  const ses = results
    ? results.clauses.flatMap((clause) =>
        clause.kind === 'result' ? [{ method: clause.method, result: clause.result, properties: clause.properties.map((p) => `${p.ptype ? `${p.ptype}.` : ''}${p.property}=${p.value}`) }] : [],
      )
    : null;
  return { ses, sender: plan.sender.address, authenticated: plan.sender.authenticated, detail: plan.sender.detail };
}

function bodyOf(record: MailRecord): InspectedBody {
  const bytes = Buffer.byteLength(record.text);
  return { text: record.text, bytes, storedIn: bytes <= MAX_INLINE_BODY_BYTES ? 'ledger' : 's3', reply: replyOf(record.text), hasHtml: record.html !== null };
}

function attachmentsOf(record: MailRecord, bounce: boolean): InspectedAttachment[] {
  return record.attachments.map((a) => ({
    index: a.index,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    verdict: bounce ? 'not-read' : (a.refused ?? 'stored'),
    inline: a.inline === true,
  }));
}

/**
 * Where the attachments go in a dry run: a bounce's report parts are read as the pipeline reads
 * them; everything else meets the attachment policy and is discarded. A mail whose header block
 * decided is read no further, as the pipeline reads it (its body could otherwise turn the
 * explanation into a `malformed` the pipeline never records).
 */
function dryRunSink(ctx: PipelineContext, plan: Plan): HeaderAnswer {
  if (stopsAtHeaders(plan)) return STOP_READING;
  if (plan.decision.kind === 'skip' && plan.decision.reason === 'bounce') return reportCapturingSink(plan.reportParts);
  return storingSink(discardingAttachmentStore(), 'dry-run/', ctx.config.attachments);
}

const unreached = { screening: null, authentication: null, routing: null, ledger: null, references: null, senderPolicy: null, body: null, ticket: null, attachments: [], applied: false } as const;

/**
 * Inspects the mail stored at `location`, with `ctx` built over read-only ports. Throws
 * `ObjectMissingError` when it is not there, and what a read throws (`TransientError`, …); a mail
 * that cannot be parsed is reported as the skip the pipeline would record.
 */
export async function inspectMail(ctx: PipelineContext, location: MailLocation, envelope?: Envelope): Promise<Inspection> {
  return inspectOnce(ctx, { location, envelope, replay: false });
}

async function inspectOnce(ctx: PipelineContext, mail: InboundMail): Promise<Inspection> {
  const { location } = mail;
  let explained: Promise<{ draft: Plan; trace: PlanTrace }> | undefined;
  let read: Awaited<ReturnType<typeof readMail>>;
  try {
    read = await readMail(ctx, mail, async (headers: MailHeaders) => {
      explained = draftPlan(ctx, mail, headers);
      return dryRunSink(ctx, (await explained).draft);
    });
  } catch (error) {
    if (!(error instanceof MalformedMailError)) throw error;
    const known = explained ? await explained.catch(() => undefined) : undefined;
    return {
      mail: location, messageId: known?.draft.headers.messageId ?? null, subject: known?.draft.headers.subject ?? null, messageKey: null, ...unreached,
      decision: { ...decisionOf({ kind: 'skip', reason: 'malformed', detail: error.message }) },
    };
  }
  if (read.kind === 'too-large') {
    return {
      mail: location, messageId: null, subject: null, messageKey: null, ...unreached,
      decision: decisionOf({ kind: 'skip', reason: 'too-large', detail: `${read.size} bytes, more than MAX_MAIL_BYTES=${ctx.config.maxMailBytes}` }),
    };
  }
  if (!explained) throw new Error('the parser finished without reading a header block');
  const { record } = read;
  const { draft, trace } = await explained;
  let decision = decisionOf(draft.decision);
  if (draft.decision.kind === 'redelivered' && draft.prior) decision = { ...decision, ...recordedOutcome(draft.prior) };
  if (draft.decision.kind === 'skip' && draft.decision.reason === 'duplicate' && draft.heldBy) {
    // As the pipeline does: the same Message-ID with other content is a mail of its own, keyed apart.
    try {
      assertSameMail(ctx, draft.heldBy, fingerprintOf(draft, record), draft.messageKey);
    } catch (error) {
      const apart = error instanceof DistinctMailError ? keyedApartAfter(mail, error.fingerprint) : null;
      if (apart) return inspectOnce(ctx, { ...mail, keyedApart: apart });
      if (!(error instanceof TransientError)) throw error;
      decision = { ...decision, outcome: 'retry', reason: null, detail: error.message };
    }
  }
  const bounce = draft.decision.kind === 'skip' && draft.decision.reason === 'bounce';
  if (bounce) {
    const details = await bounceDetails(ctx, draft, record);
    decision = { ...decision, detail: details.detail, ticketId: details.ticketId };
  }
  const applied = draft.decision.kind === 'followup' || draft.decision.kind === 'create';
  const opening = draft.decision.kind === 'create' ? ticketOpening(ctx, draft, record) : null;
  const sender = draft.sender.address;
  return {
    mail: location,
    messageId: draft.headers.messageId,
    subject: draft.headers.subject,
    messageKey: draft.messageKey,
    screening: trace.empty ? null : { verdicts: trace.verdicts, result: trace.screening },
    authentication: authenticationOf(draft),
    routing: { recipients: trace.recipients, mailbox: trace.mailbox },
    ledger: trace.prior,
    references: referencesOf(trace, draft.decision),
    senderPolicy: { policy: trace.senders.policy, authentication: trace.senders.authentication, sender, agent: sender !== null && isAgentAddress(ctx.config.agents, sender) },
    decision,
    body: record.bodyRead ? bodyOf(record) : null,
    ticket: opening ? { submitter: opening.submitter, title: opening.title, cc: opening.cc, ...(opening.forwardedBy ? { forwardedBy: opening.forwardedBy } : {}) } : null,
    attachments: attachmentsOf(record, bounce),
    applied,
  };
}
