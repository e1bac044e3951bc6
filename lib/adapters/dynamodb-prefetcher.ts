/**
 * {@link Prefetcher} on DynamoDB: the ledger entries and the tickets a mail's decision needs, in
 * one BatchGetItem across both tables (one round trip per mail on the common path).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Prefetched, Prefetcher } from '../ports.js';
import type { Ticket } from '../ticket.js';
import { batchGetAll } from './dynamodb-batch-get.js';
import { entriesFrom } from './dynamodb-message-ledger.js';
import { TICKET_COUNTER_ID, ticketFromItem } from './dynamodb-ticket-store.js';

export class DynamoPrefetcher implements Prefetcher {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: { readonly tickets: string; readonly messages: string },
  ) {}

  async prefetch(request: { readonly messageKeys: readonly string[]; readonly ticketIds: readonly number[] }): Promise<Prefetched> {
    const ticketIds = [...new Set(request.ticketIds)].filter((id) => id !== TICKET_COUNTER_ID);
    // One BatchGetItem for both tables; batchGetAll sends nothing for an empty key list.
    const items = await batchGetAll(this.db, {
      [this.tables.messages]: [...new Set(request.messageKeys)].map((messageKey) => ({ messageKey })),
      [this.tables.tickets]: ticketIds.map((id) => ({ id })),
    });
    const tickets = new Map<number, Ticket | null>(ticketIds.map((id) => [id, null]));
    for (const item of items.get(this.tables.tickets) ?? []) tickets.set(Number(item.id), ticketFromItem(item));
    return { entries: entriesFrom(items.get(this.tables.messages) ?? []), tickets };
  }
}
