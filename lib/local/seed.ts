/** Tickets to seed into a local run: the `--tickets FILE` format, validated, and written. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoMessageLedger } from '../adapters/dynamodb-message-ledger.js';
import { TICKET_COUNTER_ID, ticketFromItem } from '../adapters/dynamodb-ticket-store.js';
import { registerOutboundMessage } from '../outbound.js';
import { QUEUE_SLUG_PATTERN } from '../mailbox.js';
import { TICKET_STATUSES, isTicketStatus, type Ticket } from '../ticket.js';

/**
 * One ticket as the `--tickets` file gives it; `outboundMessageIds` (optional) are Message-IDs of
 * notifications the helpdesk sent for it, registered so replies and bounces find the ticket.
 */
export type TicketSeed = Omit<Ticket, 'createdAt' | 'updatedAt'> & { readonly outboundMessageIds?: readonly string[] };

/** Thrown for a tickets file that does not follow the format. */
export class TicketSeedError extends Error {
  override name = 'TicketSeedError';
}

function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * Validates the JSON of a tickets file: an array of
 * `{"id", "queue", "status", "title", "submitter", "cc"?, "mergedInto"?}`.
 */
export function parseTicketSeeds(json: unknown, source = 'tickets file'): TicketSeed[] {
  if (!Array.isArray(json)) throw new TicketSeedError(`${source}: expected a JSON array of tickets`);
  const ids = new Set<number>();
  return json.map((value: unknown, index) => {
    const where = `${source}[${index}]`;
    if (typeof value !== 'object' || value === null) throw new TicketSeedError(`${where}: expected an object`);
    const t = value as Record<string, unknown>;
    if (!positiveInteger(t.id)) throw new TicketSeedError(`${where}.id: expected a positive integer`);
    if (ids.has(t.id)) throw new TicketSeedError(`${where}.id: ticket ${t.id} is listed twice`);
    ids.add(t.id);
    if (typeof t.queue !== 'string' || !QUEUE_SLUG_PATTERN.test(t.queue)) {
      throw new TicketSeedError(`${where}.queue: expected a queue slug (letters, digits, "-", "_")`);
    }
    if (!isTicketStatus(t.status)) throw new TicketSeedError(`${where}.status: expected one of ${TICKET_STATUSES.join(', ')}`);
    const cc = t.cc ?? [];
    if (!Array.isArray(cc) || !cc.every((a) => typeof a === 'string')) throw new TicketSeedError(`${where}.cc: expected an array of addresses`);
    if (t.mergedInto !== undefined && t.mergedInto !== null && !positiveInteger(t.mergedInto)) {
      throw new TicketSeedError(`${where}.mergedInto: expected a ticket id`);
    }
    const outbound = t.outboundMessageIds ?? [];
    if (!Array.isArray(outbound) || !outbound.every((id) => typeof id === 'string' && id.includes('@'))) {
      throw new TicketSeedError(`${where}.outboundMessageIds: expected an array of Message-IDs`);
    }
    return {
      id: t.id,
      queue: t.queue,
      status: t.status,
      title: typeof t.title === 'string' ? t.title : '',
      submitter: typeof t.submitter === 'string' ? t.submitter.toLowerCase() : '',
      cc: cc.map((a: string) => a.toLowerCase()),
      ...(positiveInteger(t.mergedInto) ? { mergedInto: t.mergedInto } : {}),
      ...(outbound.length > 0 ? { outboundMessageIds: outbound as string[] } : {}),
    };
  });
}

/** Writes the tickets, registers their outbound Message-IDs, and moves the id counter past the highest id. */
export async function seedTickets(env: Readonly<Record<string, string>>, tables: { tickets: string; messages: string }, seeds: readonly TicketSeed[]): Promise<void> {
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' };
  const client = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials });
  const db = DynamoDBDocumentClient.from(client);
  const at = new Date().toISOString();
  try {
    const ledger = new DynamoMessageLedger(db, tables.messages);
    for (const { outboundMessageIds = [], ...ticket } of seeds) {
      await db.send(new PutCommand({ TableName: tables.tickets, Item: { ...ticket, cc: [...ticket.cc], createdAt: at, updatedAt: at } }));
      for (const id of outboundMessageIds) await registerOutboundMessage({ tickets: { get: async () => ticketFromItem(ticket) }, ledger }, id, ticket.id);
    }
    const lastTicketId = Math.max(0, ...seeds.map((s) => s.id));
    await db.send(new PutCommand({ TableName: tables.tickets, Item: { id: TICKET_COUNTER_ID, lastTicketId } }));
  } finally {
    // The wrapped client: a document client's own destroy() does nothing.
    client.destroy();
  }
}
