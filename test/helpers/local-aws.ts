/**
 * Reads what the gateway wrote into the embedded DynamoDB and S3, with plain SDK clients: the
 * tests check real stored state, not calls on mocks.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LEDGER_TICKET_INDEX } from '../../lib/adapters/dynamodb-message-ledger.js';
import type { LocalGateway } from '../../lib/local/local-gateway.js';
import { ticketsTableDefinition } from '../../lib/local/tables.js';
import { dynamoDbClientAt, s3ClientAt } from './aws-clients.js';

/** Where {@link freshTicketId} counts up from: random, far above the seeded tickets and the counter. */
let lastTicketId = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);

/**
 * A ticket id no other test, nor another run of the same test in this gateway (a retry,
 * `--repeats`), has used: a process-wide sequence from a random start, far above any id the gateway
 * allocates from the counter.
 */
export function freshTicketId(): number {
  lastTicketId += 1;
  return lastTicketId;
}

export class LocalAws {
  readonly s3: S3Client;
  readonly db: DynamoDBDocumentClient;
  /** The client under {@link db}, which is the one to destroy (the document client's destroy() does nothing). */
  private readonly dynamodb: DynamoDBClient;

  constructor(private readonly gateway: LocalGateway) {
    const env = gateway.stack.env;
    this.s3 = s3ClientAt(env, env.AWS_ENDPOINT_URL_S3);
    this.dynamodb = dynamoDbClientAt(env, env.AWS_ENDPOINT_URL_DYNAMODB);
    this.db = DynamoDBDocumentClient.from(this.dynamodb);
  }

  private get names() {
    return this.gateway.stack.names;
  }

  async ticket(id: number): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.names.ticketsTable, Key: { id }, ConsistentRead: true }));
    return Item;
  }

  /**
   * Writes a ticket a test owns (give it an id far above the counter, e.g. from
   * {@link freshTicketId}, so no mail the gateway opens can take it): tests set up their own state
   * instead of relying on the seed.
   */
  async putTicket(ticket: { id: number; status: string; submitter: string; cc?: string[]; mergedInto?: number; queue?: string; title?: string }): Promise<void> {
    const at = new Date().toISOString();
    const item = { queue: 'support', title: `ticket ${ticket.id}`, cc: [], createdAt: at, updatedAt: at, ...ticket };
    await this.db.send(new PutCommand({ TableName: this.names.ticketsTable, Item: item }));
  }

  /**
   * Creates a tickets table (a number key `id`) of the calling test's own, under a random name, and
   * answers its name: for what the shared table cannot show (its id counter moves as mail opens
   * tickets), or items no other test may see.
   */
  async freshTicketsTable(label: string): Promise<string> {
    const name = `${label}-${Math.random().toString(36).slice(2)}`;
    await this.dynamodb.send(new CreateTableCommand(ticketsTableDefinition(name)));
    return name;
  }

  /** Every ticket the gateway opened from the mail filed under `messageKey` (a scan: the tables are tiny). */
  async ticketsOpenedBy(messageKey: string): Promise<Record<string, unknown>[]> {
    const { Items } = await this.db.send(
      new ScanCommand({
        TableName: this.names.ticketsTable,
        ConsistentRead: true,
        FilterExpression: 'sourceMessageKey = :key',
        ExpressionAttributeValues: { ':key': messageKey },
      }),
    );
    return Items ?? [];
  }

  async ledgerEntry(messageKey: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.names.messagesTable, Key: { messageKey }, ConsistentRead: true }));
    return Item;
  }

  /** Every ledger entry (a scan: the tables are tiny). */
  async ledger(): Promise<Record<string, unknown>[]> {
    const { Items } = await this.db.send(new ScanCommand({ TableName: this.names.messagesTable, ConsistentRead: true }));
    return Items ?? [];
  }

  /** The ledger entries of one stored object (the `key` attribute), whatever their ledger keys. */
  async ledgerEntriesOf(key: string): Promise<Record<string, unknown>[]> {
    return (await this.ledger()).filter((entry) => entry.key === key);
  }

  /** The applied ledger entries of a ticket, through the byTicket index. */
  async followups(ticketId: number): Promise<Record<string, unknown>[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.names.messagesTable,
        IndexName: LEDGER_TICKET_INDEX,
        KeyConditionExpression: 'ticketId = :t',
        ExpressionAttributeValues: { ':t': ticketId },
      }),
    );
    return (Items ?? []).filter((item) => item.state === 'applied');
  }

  async tags(key: string): Promise<Record<string, string>> {
    const { TagSet } = await this.s3.send(new GetObjectTaggingCommand({ Bucket: this.names.bucket, Key: key }));
    return Object.fromEntries((TagSet ?? []).map((t) => [t.Key, t.Value]));
  }

  async objectBytes(key: string): Promise<Buffer> {
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.names.bucket, Key: key }));
    return Buffer.from(await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  }

  async objectHead(key: string) {
    return this.s3.send(new GetObjectCommand({ Bucket: this.names.bucket, Key: key }));
  }

  async keys(prefix: string): Promise<string[]> {
    const { Contents } = await this.s3.send(new ListObjectsV2Command({ Bucket: this.names.bucket, Prefix: prefix }));
    return (Contents ?? []).map((c) => c.Key as string);
  }

  destroy(): void {
    this.s3.destroy();
    this.dynamodb.destroy();
  }
}
