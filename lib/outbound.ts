/**
 * Registering the Message-IDs of the helpdesk's outbound notifications, so that a reply to one
 * (`In-Reply-To: <that id>`) threads into its ticket even when the subject tag was removed.
 */
import { GatewayError } from './errors.js';
import { normalizeMessageId } from './mail/message-id.js';
import type { MessageLedger, TicketStore } from './ports.js';

/** The ticket to register a Message-ID for does not exist. */
export class UnknownTicketError extends GatewayError {}

/**
 * Records `messageId` (with or without angle brackets) as an outbound mail of ticket `ticketId`.
 * Idempotent; fails when the ticket does not exist or the id belongs to an inbound mail.
 */
export async function registerOutboundMessage(
  deps: { readonly tickets: Pick<TicketStore, 'get'>; readonly ledger: Pick<MessageLedger, 'registerOutbound'> },
  messageId: string,
  ticketId: number,
  at: Date = new Date(),
): Promise<string> {
  const id = normalizeMessageId(messageId);
  if (!id) throw new GatewayError('the Message-ID is empty');
  if (!Number.isSafeInteger(ticketId) || ticketId <= 0) throw new GatewayError(`ticket id ${ticketId} is not a positive integer`);
  if (!(await deps.tickets.get(ticketId))) throw new UnknownTicketError(`ticket ${ticketId} does not exist`);
  await deps.ledger.registerOutbound(id, ticketId, at.toISOString());
  return id;
}
