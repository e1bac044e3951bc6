/** Tickets to seed into a local run: the `--tickets FILE` format, validated, and written. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TICKET_COUNTER_ID } from '../adapters/dynamodb-ticket-store.js';
import { QUEUE_SLUG_PATTERN } from '../mailbox.js';
import { TICKET_STATUSES, isTicketStatus, type Ticket } from '../ticket.js';

/** One ticket as the `--tickets` file gives it. */
export type TicketSeed = Omit<Ticket, 'createdAt' | 'updatedAt'>;

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
    return {
      id: t.id,
      queue: t.queue,
      status: t.status,
      title: typeof t.title === 'string' ? t.title : '',
      submitter: typeof t.submitter === 'string' ? t.submitter.toLowerCase() : '',
      cc: cc.map((a: string) => a.toLowerCase()),
      ...(positiveInteger(t.mergedInto) ? { mergedInto: t.mergedInto } : {}),
    };
  });
}

/** Writes the tickets and moves the id counter past the highest id. */
export async function seedTickets(env: Readonly<Record<string, string>>, table: string, seeds: readonly TicketSeed[]): Promise<void> {
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' };
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials }));
  const at = new Date().toISOString();
  try {
    for (const seed of seeds) {
      await db.send(new PutCommand({ TableName: table, Item: { ...seed, cc: [...seed.cc], createdAt: at, updatedAt: at } }));
    }
    const lastTicketId = Math.max(0, ...seeds.map((s) => s.id));
    await db.send(new PutCommand({ TableName: table, Item: { id: TICKET_COUNTER_ID, lastTicketId } }));
  } finally {
    db.destroy();
  }
}
