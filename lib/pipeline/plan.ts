/**
 * The plan stage: from the header block alone, everything about a mail that decides its fate —
 * who sent it (as SES vouches), its ledger key, the screening, the ticket references, one
 * prefetch of what the decision needs, and the decision. For a new ticket it also reserves the
 * ticket id (see {@link reserveTicketId}); {@link draftPlan} stops before that and writes nothing
 * (`npm run inspect`).
 */
import { decideOutcome, type Decision, type ReferencedTicket } from '../decide.js';
import { threadTicketOf, type LedgerEntry } from '../ledger-entry.js';
import { objectKeyOf, priorOf, type PriorEntry } from '../ledger-outcomes.js';
import { canonicalDomain, canonicalizeMailbox, canonicalSender } from '../mail/canonical-address.js';
import { ledgerKeyOfMessageId, sha256Hex } from '../mail/message-id.js';
import type { MailHeaders } from '../mail/record.js';
import { routingRecipients } from '../mail/routing-recipients.js';
import { selectSubmitter } from '../mail/submitter.js';
import { routeMail } from '../mailbox.js';
import type { Prefetched } from '../ports.js';
import { findTicketReferences, threadMessageIds } from '../reference/find-ticket-reference.js';
import type { SubjectTag } from '../reference/subject-tag.js';
import { sesAuthenticationResults } from '../screening/authentication-results.js';
import { findReplyToken, verifyReplyToken, type ReplyToken } from '../screening/reply-token.js';
import { authenticateSender } from '../screening/sender-authentication.js';
import { screenMail, type ScreeningResult } from '../screening/screen.js';
import type { SenderCheck } from '../screening/sender-policy.js';
import { readVerdicts } from '../screening/verdicts.js';
import { loadTicketChain } from '../ticket-chain.js';
import { baseEntry, heldBy } from './commit.js';
import type { PipelineContext } from './context.js';
import type { Mailbox } from '../mailbox.js';
import type { MailVerdicts } from '../screening/verdicts.js';
import type { HeldBy, InboundMail, KeyedApart, Plan, SenderIdentity } from './types.js';

const NOTHING_FETCHED: Prefetched = { entries: new Map(), tickets: new Map() };

/** The screening's verdict; `settled` when the mail is set aside before any ticket is looked at. */
interface Screened {
  readonly empty: boolean;
  readonly verdicts: MailVerdicts | null;
  readonly screening: ScreeningResult | null;
  readonly settled: boolean;
}

/** What the mail says about its ticket: a reply token, the thread's Message-IDs, a subject tag. */
interface Clues {
  /** The recipients the mail is routed by: what SES received it for, else what the sender wrote. */
  readonly recipients: readonly string[];
  readonly token: ReplyToken | null;
  readonly tokenValid: boolean;
  readonly subjectTag: SubjectTag | null;
  readonly threadIds: readonly string[];
}

function screen(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders): Screened {
  const empty = headers.headerCount === 0;
  const verdicts = empty ? null : readVerdicts(mail.envelope?.verdicts, headers);
  const screening = verdicts === null ? null : screenMail(headers, verdicts, ctx.config.screening);
  // Mail set aside by the screening needs no ticket, so nothing is read for it: a redelivery or a
  // second copy is caught by the ledger write's condition instead.
  return { empty, verdicts, screening, settled: empty || screening !== null };
}

/** The sender from the raw From, and whether SES authenticated its domain. */
export function identifySender(mail: InboundMail, headers: MailHeaders): SenderIdentity {
  const from = canonicalSender(headers.raw.from);
  const verdict = authenticateSender({
    results: sesAuthenticationResults(headers.raw['authentication-results']),
    fromDomain: from.comparable ? from.domain : null,
    ...(headers.raw.received?.[0] ? { sesReceived: headers.raw.received[0] } : {}),
    ...(mail.envelope?.verdicts ? { receipt: mail.envelope.verdicts } : {}),
  });
  return { address: from.comparable ? from.address : null, authenticated: verdict.authenticated, detail: from.comparable ? verdict.detail : from.reason };
}

/**
 * The next way to key apart a mail found distinct from its key's holder (see {@link KeyedApart}),
 * `null` when it is already filed under its own object.
 */
export function keyedApartAfter(mail: InboundMail, headerBlock: string): KeyedApart | null {
  if (!mail.keyedApart) return { by: 'header-block', fingerprint: headerBlock };
  return mail.keyedApart.by === 'header-block' ? { by: 'object' } : null;
}

/**
 * The key the mail is filed under in the ledger: its Message-ID (keyed apart from another mail
 * holding it: {@link KeyedApart}), else a hash of the raw mail. Infected and header-less mail is
 * filed under its object (an infected object is moved to the quarantine, and a redelivered
 * notification must still find this entry), and so is mail that claims a Message-ID in the
 * helpdesk's own domains: those name the helpdesk's notifications, which must stay free for it to
 * register.
 */
async function messageKeyOf(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders, screened: Screened): Promise<string> {
  if (screened.empty || screened.screening?.reason === 'virus' || mail.keyedApart?.by === 'object') return objectKeyOf(mail.location, 'object');
  const id = headers.messageId;
  if (!id) return `sha256:${await ctx.rawMail.hash(mail.location)}`;
  const domain = canonicalDomain(id.slice(id.lastIndexOf('@') + 1));
  if (domain !== null && ctx.config.ownDomains.has(domain)) return objectKeyOf(mail.location, 'object');
  const key = ledgerKeyOfMessageId(id);
  return mail.keyedApart?.by === 'header-block' ? `${key}#${mail.keyedApart.fingerprint}` : key;
}

function findClues(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders, settled: boolean): Clues {
  const { recipients } = routingRecipients({ receiptRecipients: mail.envelope?.recipients ?? [], raw: headers.raw });
  const keys = ctx.replyTokenKeys;
  const ownAddresses = ctx.config.screening.ownAddresses;
  const token = keys && !settled ? findReplyToken(recipients, (address) => ownAddresses.has(address)) : null;
  const tokenValid = token !== null && keys !== null && verifyReplyToken(token, keys);
  const subjectTag = settled ? null : ctx.findSubjectTag(headers.subject);
  const threadIds = settled ? [] : threadMessageIds(headers);
  return { recipients, token, tokenValid, subjectTag, threadIds };
}

/** One round trip: this mail's ledger entry, its thread's entries, and the tickets it names. */
function prefetch(ctx: PipelineContext, messageKey: string, clues: Clues, settled: boolean): Promise<Prefetched> {
  if (settled) return Promise.resolve(NOTHING_FETCHED);
  const { token, tokenValid, subjectTag, threadIds } = clues;
  return ctx.prefetcher.prefetch({
    messageKeys: [messageKey, ...threadIds.map(ledgerKeyOfMessageId)],
    ticketIds: [subjectTag?.ticketId, token && tokenValid ? token.ticketId : undefined].filter((id): id is number => id !== undefined),
  });
}

/** Every reference the mail carries, each with the chain of tickets it leads to. */
async function referencedTickets(ctx: PipelineContext, clues: Clues, fetched: Prefetched): Promise<ReferencedTicket[]> {
  const { token, tokenValid, threadIds, subjectTag } = clues;
  const ticketsByMessageId = new Map<string, number>();
  for (const id of threadIds) {
    const entry = fetched.entries.get(ledgerKeyOfMessageId(id));
    const ticketId = entry ? threadTicketOf(entry) : null;
    if (ticketId !== null) ticketsByMessageId.set(id, ticketId);
  }
  const verifiedReplyToken = token && tokenValid ? { ticketId: token.ticketId, address: token.address } : null;
  const references = findTicketReferences({ verifiedReplyToken, threadIds, ticketsByMessageId, subjectTag });
  const tickets = { get: async (id: number) => (fetched.tickets.has(id) ? (fetched.tickets.get(id) ?? null) : ctx.tickets.get(id)) };
  const referenced: ReferencedTicket[] = [];
  for (const reference of references) referenced.push({ reference, chain: await loadTicketChain(tickets, reference.ticketId) });
  return referenced;
}

/** What the sender policy knows of the sender of a mail, under this deployment's configuration. */
export function senderCheck(ctx: PipelineContext, sender: SenderIdentity): SenderCheck {
  const { config } = ctx;
  return {
    policy: config.senderPolicy,
    authentication: config.senderAuthentication,
    sender: sender.address,
    authenticated: sender.authenticated,
    authenticationDetail: sender.detail,
    agents: config.agents,
    canonicalParticipant: (address) => {
      const canonical = canonicalizeMailbox(address);
      return canonical.comparable ? canonical.address : null;
    },
  };
}

/**
 * Another object holds this mail's Message-ID key: remembered, so that once the content is read
 * the mail is a duplicate only if it is the same mail (see `Plan.heldBy`). Also on a pass keyed
 * apart by the header block, which leaves the body out (see {@link KeyedApart}); not for keys that
 * are themselves content (a raw-mail hash).
 */
function heldByOf(messageKey: string, prior: PriorEntry, holder: LedgerEntry | undefined): HeldBy | null {
  if (prior.kind !== 'other-object' || !holder || messageKey.startsWith('sha256:')) return null;
  return heldBy(holder);
}


/**
 * What the plan looked at on the way to its decision, check by check (for `npm run inspect`, which
 * explains a decision without taking it again).
 */
export interface PlanTrace {
  /** The mail has no header section. */
  readonly empty: boolean;
  /** The SES verdicts the screening read (`null` for an empty mail). */
  readonly verdicts: MailVerdicts | null;
  /** Why the screening set the mail aside, or `null`. */
  readonly screening: ScreeningResult | null;
  /** The recipients the mail is routed by, and the mailbox they lead to. */
  readonly recipients: readonly string[];
  readonly mailbox: Mailbox | null;
  /** A signed reply address among the recipients, and whether its signature verified. */
  readonly replyToken: { readonly address: string; readonly ticketId: number; readonly valid: boolean } | null;
  readonly subjectTag: SubjectTag | null;
  /** The Message-IDs looked up in the ledger to place the mail in a thread, strongest first. */
  readonly threadIds: readonly string[];
  /** Every reference found, each with the chain of tickets it leads to (empty when none was looked for). */
  readonly references: readonly ReferencedTicket[];
  /** What the ledger already held under the mail's key. */
  readonly prior: PriorEntry;
  /** What the sender policy was given about the sender. */
  readonly senders: SenderCheck;
}

/**
 * Plans one mail from its header block up to its decision, and answers what it looked at: reads
 * only (the prefetch, the tickets a reference leads to, the raw mail's hash for a mail without a
 * Message-ID). The plan has no target yet: a new ticket's id is not reserved, nothing is claimed.
 */
export async function draftPlan(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders): Promise<{ readonly draft: Plan; readonly trace: PlanTrace }> {
  const screened = screen(ctx, mail, headers);
  const { settled } = screened;
  const sender = identifySender(mail, headers);
  const submitter = selectSubmitter(headers.raw);
  const messageKey = await messageKeyOf(ctx, mail, headers, screened);
  const clues = findClues(ctx, mail, headers, settled);
  const fetched = await prefetch(ctx, messageKey, clues, settled);
  const priorEntry = fetched.entries.get(messageKey);
  const prior = priorOf(priorEntry, mail.location, mail.replay);
  const references = settled || prior.kind !== 'none' ? [] : await referencedTickets(ctx, clues, fetched);
  const { token, tokenValid } = clues;
  const mailbox = routeMail(clues.recipients, ctx.config);
  const senders = senderCheck(ctx, sender);
  const decision = decideOutcome({
    prior,
    empty: screened.empty,
    screening: screened.screening,
    badReplyToken: token && !tokenValid ? { address: token.address, ticketId: token.ticketId } : null,
    mailbox,
    references,
    senders,
    noSubmitter: submitter.found ? null : submitter.detail,
  });
  const heldBy = heldByOf(messageKey, prior, priorEntry);
  const draft: Plan = { headers, messageKey, decision, target: null, prior: priorEntry ?? null, reportParts: [], sender, submitter, heldBy };
  const trace: PlanTrace = {
    empty: screened.empty,
    verdicts: screened.verdicts,
    screening: screened.screening,
    recipients: clues.recipients,
    mailbox,
    replyToken: token ? { address: token.address, ticketId: token.ticketId, valid: tokenValid } : null,
    subjectTag: clues.subjectTag,
    threadIds: clues.threadIds,
    references,
    prior,
    senders,
  };
  return { draft, trace };
}

/** Plans one mail from its header block: {@link draftPlan}, then its target (a new ticket's id reserved). */
export async function planMail(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders): Promise<Plan> {
  const { draft } = await draftPlan(ctx, mail, headers);
  return withTarget(ctx, mail, draft);
}

/** Gives a follow-up or a new ticket its target, reserving the id of a new ticket first. */
async function withTarget(ctx: PipelineContext, mail: InboundMail, draft: Plan): Promise<Plan> {
  const { headers, messageKey } = draft;
  let decision: Decision = draft.decision;
  const followupId = sha256Hex(`${messageKey}\n${mail.location.bucket}/${mail.location.key}`).slice(0, 24);
  if (decision.kind === 'create' && decision.ticketId === null) {
    const reservation = await reserveTicketId(ctx, mail, headers, messageKey, decision.queue);
    if (reservation.kind === 'redelivered') return { ...draft, decision: { kind: 'redelivered' }, target: null, prior: reservation.holder };
    if (reservation.kind === 'duplicate') {
      const held = heldBy(reservation.holder);
      return { ...draft, decision: { kind: 'skip', reason: 'duplicate', detail: reservation.detail }, target: null, prior: null, heldBy: held };
    }
    decision = { ...decision, ticketId: reservation.ticketId };
  }
  const targetTicket = decision.kind === 'followup' ? decision.ticket.id : decision.kind === 'create' ? decision.ticketId : null;
  return {
    ...draft,
    decision,
    target: targetTicket === null ? null : { ticketId: targetTicket, followupId },
    prior: decision.kind === 'redelivered' ? draft.prior : null,
  };
}

type Reservation =
  | { readonly kind: 'reserved'; readonly ticketId: number }
  | { readonly kind: 'redelivered'; readonly holder: LedgerEntry }
  | { readonly kind: 'duplicate'; readonly detail: string; readonly holder: LedgerEntry };

/**
 * Reserves a ticket id for a new ticket and claims the mail's ledger key for it, so that a crash
 * before the ticket is written resumes with the same id. A concurrent attempt may have claimed the
 * key first: then its id is used, or the mail turns out to be a redelivery or a duplicate.
 */
async function reserveTicketId(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders, messageKey: string, queue: string): Promise<Reservation> {
  const reserved = await ctx.tickets.allocateId();
  const holder = await ctx.ledger.claim({ ...baseEntry(ctx, mail, headers, messageKey), state: 'pending', ticketId: reserved, queue }, { replacingSkip: mail.replay });
  const held = priorOf(holder, mail.location, false);
  if (held.kind === 'same-object' && held.state === 'pending') return { kind: 'reserved', ticketId: held.claim.ticketId };
  if (held.kind === 'same-object') return { kind: 'redelivered', holder };
  return { kind: 'duplicate', detail: `this Message-ID was just claimed by ${held.kind === 'other-object' ? held.key : 'another mail'}`, holder };
}
