/**
 * The plan stage: from the header block alone, everything about a mail that decides its fate —
 * its ledger key, the screening, the ticket references, one prefetch of what the decision needs,
 * and the decision. For a new ticket it also reserves the ticket id (see {@link reserveTicketId}).
 */
import { decideOutcome, type Decision } from '../decide.js';
import { threadTicketOf, type LedgerEntry } from '../ledger-entry.js';
import { objectKeyOf, priorOf } from '../ledger-outcomes.js';
import { ledgerKeyOfMessageId, sha256Hex } from '../mail/message-id.js';
import type { MailHeaders } from '../mail/record.js';
import { routeMail } from '../mailbox.js';
import type { Prefetched } from '../ports.js';
import { findTicketReference, threadMessageIds } from '../reference/find-ticket-reference.js';
import type { SubjectTag } from '../reference/subject-tag.js';
import type { TicketReference } from '../reference/ticket-reference.js';
import { findReplyToken, verifyReplyToken, type ReplyToken } from '../screening/reply-token.js';
import { screenMail, type ScreeningResult } from '../screening/screen.js';
import { readVerdicts } from '../screening/verdicts.js';
import { loadTicketChain } from '../ticket-chain.js';
import { baseEntry } from './commit.js';
import type { PipelineContext } from './context.js';
import type { InboundMail, Plan } from './types.js';

const NOTHING_FETCHED: Prefetched = { entries: new Map(), tickets: new Map() };

/** The screening's verdict; `settled` when the mail is set aside before any ticket is looked at. */
interface Screened {
  readonly empty: boolean;
  readonly screening: ScreeningResult | null;
  readonly settled: boolean;
}

/** What the mail says about its ticket: a reply token, the thread's Message-IDs, a subject tag. */
interface Clues {
  readonly recipients: readonly string[];
  readonly token: ReplyToken | null;
  readonly tokenValid: boolean;
  readonly subjectTag: SubjectTag | null;
  readonly threadIds: readonly string[];
}

function screen(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders): Screened {
  const empty = headers.headerCount === 0;
  const screening = empty ? null : screenMail(headers, readVerdicts(mail.envelope?.verdicts, headers), ctx.config.screening);
  // Mail set aside by the screening needs no ticket, so nothing is read for it: a redelivery or a
  // second copy is caught by the ledger write's condition instead.
  return { empty, screening, settled: empty || screening !== null };
}

/**
 * The key the mail is filed under in the ledger: its Message-ID, else a hash of the raw mail.
 * Infected and header-less mail is filed under its object: an infected object is moved to the
 * quarantine, and a redelivered notification must still find this entry.
 */
async function messageKeyOf(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders, screened: Screened): Promise<string> {
  if (screened.empty || screened.screening?.reason === 'virus') return objectKeyOf(mail.location, 'object');
  return headers.messageId ? ledgerKeyOfMessageId(headers.messageId) : `sha256:${await ctx.rawMail.hash(mail.location)}`;
}

function findClues(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders, settled: boolean): Clues {
  const recipients = [...(mail.envelope?.recipients ?? []), ...headers.deliveredTo, ...headers.to.map((a) => a.address), ...headers.cc.map((a) => a.address)];
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

function referenceOf(clues: Clues, fetched: Prefetched): TicketReference | null {
  const { token, tokenValid, threadIds, subjectTag } = clues;
  const ticketsByMessageId = new Map<string, number>();
  for (const id of threadIds) {
    const entry = fetched.entries.get(ledgerKeyOfMessageId(id));
    const ticketId = entry ? threadTicketOf(entry) : null;
    if (ticketId !== null) ticketsByMessageId.set(id, ticketId);
  }
  const verifiedReplyToken = token && tokenValid ? { ticketId: token.ticketId, address: token.address } : null;
  return findTicketReference({ verifiedReplyToken, threadIds, ticketsByMessageId, subjectTag });
}

/** Plans one mail from its header block. */
export async function planMail(ctx: PipelineContext, mail: InboundMail, headers: MailHeaders): Promise<Plan> {
  const screened = screen(ctx, mail, headers);
  const { settled } = screened;
  const messageKey = await messageKeyOf(ctx, mail, headers, screened);
  const clues = findClues(ctx, mail, headers, settled);
  const fetched = await prefetch(ctx, messageKey, clues, settled);
  const priorEntry = fetched.entries.get(messageKey);
  const prior = priorOf(priorEntry, mail.location, mail.replay);
  const reference = settled ? null : referenceOf(clues, fetched);
  const prefetchedTickets = { get: async (id: number) => (fetched.tickets.has(id) ? (fetched.tickets.get(id) ?? null) : ctx.tickets.get(id)) };
  const chain = reference && prior.kind === 'none' ? await loadTicketChain(prefetchedTickets, reference.ticketId) : null;
  const { token, tokenValid } = clues;
  const decision = decideOutcome({
    prior,
    empty: screened.empty,
    screening: screened.screening,
    badReplyToken: token && !tokenValid ? { address: token.address, ticketId: token.ticketId } : null,
    mailbox: routeMail(clues.recipients, ctx.config),
    reference,
    chain,
    senders: { policy: ctx.config.senderPolicy, sender: headers.from?.address ?? null, agents: ctx.config.agents },
  });
  return withTarget(ctx, mail, { headers, messageKey, decision, target: null, prior: priorEntry ?? null, reportParts: [] });
}

/** Gives a follow-up or a new ticket its target, reserving the id of a new ticket first. */
async function withTarget(ctx: PipelineContext, mail: InboundMail, draft: Plan): Promise<Plan> {
  const { headers, messageKey } = draft;
  let decision: Decision = draft.decision;
  const followupId = sha256Hex(`${messageKey}\n${mail.location.bucket}/${mail.location.key}`).slice(0, 24);
  if (decision.kind === 'create' && decision.ticketId === null) {
    const reservation = await reserveTicketId(ctx, mail, headers, messageKey, decision.queue);
    if (reservation.kind === 'redelivered') return { ...draft, decision: { kind: 'redelivered' }, target: null, prior: reservation.holder };
    decision = reservation.kind === 'reserved' ? { ...decision, ticketId: reservation.ticketId } : { kind: 'skip', reason: 'duplicate', detail: reservation.detail };
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
  | { readonly kind: 'duplicate'; readonly detail: string };

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
  return { kind: 'duplicate', detail: `this Message-ID was just claimed by ${held.kind === 'other-object' ? held.key : 'another mail'}` };
}
