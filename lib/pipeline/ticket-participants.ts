/**
 * Participants in the apply stage (issue 12, point 4): the Cc and To addresses of an applied mail
 * join its ticket's CC list, as django-helpdesk adds them; which ones is decided by the pure
 * `participantsToAdd` (`lib/mail/participants.ts`: canonical forms from the raw headers, our own
 * addresses left out, capped, and only when the sender is authenticated).
 *
 * The CC list is replaced under a condition on the list that was read, so two mails adding CCs to
 * the same ticket at once both land: the one that loses re-reads and decides again. A retry after
 * a crash finds its addresses on the ticket already and adds nothing; its follow-up then records
 * no `ccAdded` (the first attempt's follow-up was never committed).
 */
import type { CanonicalAddress } from '../mail/canonical-address.js';
import { participantsToAdd, type ParticipantsAdded } from '../mail/participants.js';
import type { MailHeaders } from '../mail/record.js';
import { baseAddress } from '../mailbox.js';
import { isAgentAddress, isParticipant } from '../screening/sender-policy.js';
import type { Ticket } from '../ticket.js';
import type { PipelineContext } from './context.js';
import { senderCheck } from './plan.js';
import type { Plan } from './types.js';

/** Attempts at replacing a CC list that other mail keeps changing. */
const MAX_CC_ATTEMPTS = 3;

/** Whether an address is one of the helpdesk's own: a mailbox, a reply address, any non-agent address at a mailbox's domain. */
export function isOwnAddress(ctx: PipelineContext, address: CanonicalAddress): boolean {
  // A signed reply address is `<mailbox local part>+<token>@<mailbox domain>`: its base is a mailbox.
  // Any other address at a mailbox's domain (noreply@, a retired queue) is ours too, unless an agent's.
  if (ctx.config.screening.ownAddresses.has(baseAddress(address))) return true;
  // A canonical address's domain is canonical already (A-labels, lower case), as `ownDomains` are.
  return ctx.config.ownDomains.has(address.slice(address.lastIndexOf('@') + 1)) && !isAgentAddress(ctx.config.agents, address);
}

/** Whether SES authenticated the sender, or the deployment turned that check off. */
function senderAuthenticated(ctx: PipelineContext, plan: Plan): boolean {
  return plan.sender.authenticated || ctx.config.senderAuthentication === 'off';
}

/**
 * Whether the sender may add participants to an existing ticket: an authenticated participant of
 * it (its submitter or a CC) or an agent. Reaching the ticket is not enough: a valid reply address
 * or an open sender policy lets anyone write a follow-up, and a stranger who could add CCs would
 * join the ticket for good and subscribe anyone to its notifications.
 */
function mayAddParticipants(ctx: PipelineContext, plan: Plan, ticket: Ticket): boolean {
  return senderAuthenticated(ctx, plan) && isParticipant(senderCheck(ctx, plan.sender), [ticket]);
}

/**
 * The participants a mail adds to a ticket holding `submitter` and `existingCc`; `vouched`: the
 * sender may add any (for a new ticket, an authenticated sender; see {@link mayAddParticipants}).
 */
function participantsFor(ctx: PipelineContext, headers: MailHeaders, ticket: Pick<Ticket, 'submitter' | 'cc'>, vouched: boolean): ParticipantsAdded {
  return participantsToAdd({
    raw: headers.raw,
    submitter: ticket.submitter || null,
    existingCc: ticket.cc,
    isOwnAddress: (address) => isOwnAddress(ctx, address),
    senderAuthenticated: vouched,
  });
}

/** The CCs of a new ticket opened for `submitter` from this mail: only from an authenticated sender. */
export function newTicketParticipants(ctx: PipelineContext, plan: Plan, submitter: string): readonly string[] {
  return participantsFor(ctx, plan.headers, { submitter, cc: [] }, senderAuthenticated(ctx, plan)).added;
}

/**
 * Adds a follow-up's participants to `ticket`, the ticket it is applied to (as the plan read it).
 * Answers the addresses added. When the list keeps changing under it ({@link MAX_CC_ATTEMPTS}
 * times: a storm of replies at once, or a stored list the gateway cannot read back as written,
 * such as one holding non-strings), it adds none rather than hold the mail back: the follow-up
 * itself matters more than its CCs, and a retry could not fix a list it cannot read.
 */
export async function addParticipants(ctx: PipelineContext, plan: Plan, ticket: Ticket): Promise<readonly string[]> {
  let current: Ticket | null = ticket;
  for (let attempt = 0; attempt < MAX_CC_ATTEMPTS && current; attempt++) {
    const { added } = participantsFor(ctx, plan.headers, current, mayAddParticipants(ctx, plan, current));
    if (added.length === 0) return [];
    const result = await ctx.tickets.replaceCc(current.id, current.cc, [...current.cc, ...added], ctx.now().toISOString());
    if (result === 'replaced') return added;
    current = await ctx.tickets.get(current.id);
  }
  return [];
}
