/**
 * What a new ticket opens with (issue 12, points 4 to 6): its submitter, title, description and CC
 * list, from the mail; or, when an agent forwarded a customer's mail to a create-mode mailbox,
 * from the forwarded original (`forwarded.ts`), recording the agent.
 */
import { forwardedOriginal } from '../mail/forwarded.js';
import type { MailRecord } from '../mail/record.js';
import { isAgentAddress } from '../screening/sender-policy.js';
import { cutText, oneLine } from '../mail/unicode-text.js';
import type { PipelineContext } from './context.js';
import { MAX_INLINE_BODY_BYTES } from './followup-content.js';
import { isOwnAddress, newTicketParticipants } from './ticket-participants.js';
import type { Plan } from './types.js';

/** django-helpdesk's ticket title length. */
const MAX_TITLE_LENGTH = 200;

/** The fields of a new ticket that come from its mail. */
export interface TicketOpening {
  readonly submitter: string;
  readonly title: string;
  readonly description: string;
  readonly cc: readonly string[];
  /** The agent who forwarded the customer's mail, when the ticket is opened from a forward. */
  readonly forwardedBy?: string;
}

function title(subject: string): string {
  return oneLine(subject.trim() || '(no subject)', MAX_TITLE_LENGTH);
}

function description(text: string): string {
  return cutText(text, MAX_INLINE_BODY_BYTES / 2, 'utf8-bytes').text;
}

/**
 * The opening of a new ticket from a fully read mail. A forward is believed only from an agent
 * whom SES authenticated (the forwarded text is the agent's word for who the customer is).
 */
export function ticketOpening(ctx: PipelineContext, plan: Plan, record: MailRecord): TicketOpening {
  const sender = plan.sender.address;
  const submitter = plan.submitter.found ? plan.submitter.address : '';
  const cc = newTicketParticipants(ctx, plan, submitter);
  const fromAuthenticatedAgent = sender !== null && plan.sender.authenticated && isAgentAddress(ctx.config.agents, sender);
  if (fromAuthenticatedAgent) {
    const found = forwardedOriginal({
      fromAuthenticatedAgent,
      subject: record.subject,
      text: record.text,
      attachedMessages: record.attachedMessages,
      attachedMessageParts: record.attachedMessageParts,
      isAgentOrOwn: (address) => isAgentAddress(ctx.config.agents, address) || isOwnAddress(ctx, address),
    });
    if (found.forwarded) {
      const { original } = found;
      const body = original.note ? `${original.body}\n\n— forwarded by ${sender}: ${original.note}` : original.body;
      return { submitter: original.from, title: title(original.subject), description: description(body), cc: cc.filter((a) => a !== original.from), forwardedBy: sender };
    }
  }
  return { submitter, title: title(record.subject), description: description(record.text), cc };
}
