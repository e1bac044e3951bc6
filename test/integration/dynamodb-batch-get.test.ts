/**
 * BatchGetItem over several tables (lib/adapters/dynamodb-batch-get.ts) and the prefetcher built on
 * it (lib/adapters/dynamodb-prefetcher.ts), against the embedded dynalite, called directly: keys
 * split into requests of at most 100, keys a response left unprocessed asked for again (dynalite,
 * like DynamoDB, leaves keys unprocessed once a response passes its size limit), the failure
 * reported, and what one mail's prefetch asks for and answers. It exists for mutation testing:
 * these rules were only reached through the handler, where Stryker could not see which of them a
 * test pins. The retry timing and the attempt limit are in test/unit/dynamodb-batch-get-retries.test.ts.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, observeAwsRequests, type AwsClients } from '../../lib/adapters/aws-clients.js';
import { batchGetAll } from '../../lib/adapters/dynamodb-batch-get.js';
import { DynamoPrefetcher } from '../../lib/adapters/dynamodb-prefetcher.js';
import { loadConfig } from '../../lib/config.js';
import { TransientError } from '../../lib/errors.js';
import { ticketsTableDefinition } from '../../lib/local/tables.js';
import { useGateway } from '../helpers/gateway.js';

const fixture = useGateway({ mode: 'update-only' });

let clients: AwsClients;
let tables: { tickets: string; messages: string };

beforeAll(() => {
  clients = createAwsClients();
  const config = loadConfig();
  tables = { tickets: config.ticketsTable, messages: config.messagesTable };
});

afterAll(() => {
  clients.s3.destroy();
  clients.dynamo.destroy();
});

/** A table keyed by a number `id`, of this test's own. */
async function freshTable(): Promise<string> {
  const name = `batch-${Math.random().toString(36).slice(2)}`;
  const db = new DynamoDBClient({});
  try {
    await db.send(new CreateTableCommand(ticketsTableDefinition(name)));
  } finally {
    db.destroy();
  }
  return name;
}

async function putAll(table: string, items: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 10) {
    await Promise.all(items.slice(i, i + 10).map((Item) => clients.dynamo.send(new PutCommand({ TableName: table, Item }))));
  }
}

type KeysAsked = Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>;

/** Runs `work`, answering what it answered and the RequestItems of each BatchGetItem request sent. */
async function batchRequestsOf<T>(work: () => Promise<T>): Promise<{ result: T; asked: KeysAsked[] }> {
  const asked: KeysAsked[] = [];
  const stop = observeAwsRequests((request) => {
    if (request.headers['x-amz-target'] === 'DynamoDB_20120810.BatchGetItem') asked.push((JSON.parse(request.body ?? '{}') as { RequestItems: KeysAsked }).RequestItems);
  });
  try {
    return { result: await work(), asked };
  } finally {
    stop();
  }
}

const byId = (items: readonly Record<string, unknown>[] | undefined) => [...(items ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('batchGetAll', () => {
  it('reads more keys than one request may carry in requests of at most 100, each item once, consistently', async () => {
    const [first, second] = [await freshTable(), await freshTable()];
    await putAll(first, range(1, 150).map((id) => ({ id, n: `first-${id}` })));
    await putAll(second, range(1, 60).map((id) => ({ id, n: `second-${id}` })));
    // 150 present and 20 missing keys in the first table, 60 in the second: 230 keys.
    const keys = { [first]: range(1, 170).map((id) => ({ id })), [second]: range(1, 60).map((id) => ({ id })) };

    const { result, asked } = await batchRequestsOf(() => batchGetAll(clients.dynamo, keys));

    expect([...result.keys()]).toEqual([first, second]);
    expect(byId(result.get(first))).toEqual(range(1, 150).map((id) => ({ id, n: `first-${id}` })));
    expect(byId(result.get(second))).toEqual(range(1, 60).map((id) => ({ id, n: `second-${id}` })));
    const sizes = asked.map((items) => Object.values(items).reduce((sum, { Keys }) => sum + Keys.length, 0));
    expect(sizes).toEqual([100, 100, 30]);
    expect(asked.flatMap((items) => Object.values(items).map((t) => t.ConsistentRead))).toEqual([true, true, true, true]);
  });

  it('asks again for the keys a response left unprocessed, and only for those', async () => {
    const table = await freshTable();
    // Six items of 380 KB: dynalite (as DynamoDB) answers about 1.4 MB at most, three of them.
    const big = 'x'.repeat(380_000);
    await putAll(table, range(1, 6).map((id) => ({ id, big })));

    const { result, asked } = await batchRequestsOf(() => batchGetAll(clients.dynamo, { [table]: range(1, 6).map((id) => ({ id })) }));

    expect(byId(result.get(table)).map((item) => [item.id, item.big === big])).toEqual(range(1, 6).map((id) => [id, true]));
    expect(asked).toHaveLength(2);
    const retried = asked[1]?.[table];
    expect(retried).toMatchObject({ ConsistentRead: true });
    expect(retried?.Keys).toHaveLength(3);
  });

  it('answers an empty list for a table asked for no keys, without a request', async () => {
    const { result, asked } = await batchRequestsOf(() => batchGetAll(clients.dynamo, { [tables.tickets]: [] }));
    expect(result).toEqual(new Map([[tables.tickets, []]]));
    expect(asked).toEqual([]);
  });

  it('reports a failed BatchGetItem as transient, naming it', async () => {
    const failure = await batchGetAll(clients.dynamo, { 'no-such-table': [{ id: 9300 }] }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toMatch(/^BatchGetItem failed: ResourceNotFoundException: /);
  });
});

describe('the DynamoDB prefetcher', () => {
  const AT = '2025-03-04T05:06:07.000Z';

  it('reads the entries and tickets a mail needs in one request: each key once, a missing ticket as null, never the counter', async () => {
    await fixture.aws.putTicket({ id: 9400, status: 'open', submitter: 'alice@example.com', cc: ['bob@example.com'] });
    await putAll(tables.messages, [
      { messageKey: 'prefetch-9400-a', direction: 'inbound', state: 'skipped', reason: 'no-ticket-ref', bucket: 'mail', key: 'inbound/a', recordedAt: AT },
      // Not a ledger entry: left out.
      { messageKey: 'prefetch-9400-odd', direction: 'sideways', state: 'skipped' },
    ]);
    expect(await fixture.aws.ticket(0)).toMatchObject({ lastTicketId: expect.any(Number) });
    const prefetcher = new DynamoPrefetcher(clients.dynamo, tables);

    const { result, asked } = await batchRequestsOf(() =>
      prefetcher.prefetch({ messageKeys: ['prefetch-9400-a', 'prefetch-9400-a', 'prefetch-9400-missing', 'prefetch-9400-odd'], ticketIds: [9400, 0, 9400, 9401] }),
    );

    expect(asked).toEqual([
      {
        [tables.messages]: { Keys: [{ messageKey: { S: 'prefetch-9400-a' } }, { messageKey: { S: 'prefetch-9400-missing' } }, { messageKey: { S: 'prefetch-9400-odd' } }], ConsistentRead: true },
        [tables.tickets]: { Keys: [{ id: { N: '9400' } }, { id: { N: '9401' } }], ConsistentRead: true },
      },
    ]);
    expect([...result.entries]).toEqual([
      ['prefetch-9400-a', { messageKey: 'prefetch-9400-a', direction: 'inbound', state: 'skipped', reason: 'no-ticket-ref', bucket: 'mail', key: 'inbound/a', recordedAt: AT, messageId: null, from: null, ticketId: null }],
    ]);
    expect([...result.tickets]).toEqual([
      [9400, expect.objectContaining({ id: 9400, status: 'open', submitter: 'alice@example.com', cc: ['bob@example.com'] })],
      [9401, null],
    ]);
  });

  it('reads only the table it has keys for, and nothing at all for no keys or only the counter', async () => {
    await fixture.aws.putTicket({ id: 9410, status: 'closed', submitter: 'carol@example.com' });
    const prefetcher = new DynamoPrefetcher(clients.dynamo, tables);

    const onlyTickets = await batchRequestsOf(() => prefetcher.prefetch({ messageKeys: [], ticketIds: [9410] }));
    expect(onlyTickets.asked.map((items) => Object.keys(items))).toEqual([[tables.tickets]]);
    expect([...onlyTickets.result.tickets.keys()]).toEqual([9410]);
    expect(onlyTickets.result.entries.size).toBe(0);

    const onlyEntries = await batchRequestsOf(() => prefetcher.prefetch({ messageKeys: ['prefetch-9410-missing'], ticketIds: [] }));
    expect(onlyEntries.asked.map((items) => Object.keys(items))).toEqual([[tables.messages]]);
    expect(onlyEntries.result).toEqual({ entries: new Map(), tickets: new Map() });

    for (const ticketIds of [[], [0]]) {
      const nothing = await batchRequestsOf(() => prefetcher.prefetch({ messageKeys: [], ticketIds }));
      expect(nothing.asked).toEqual([]);
      expect(nothing.result).toEqual({ entries: new Map(), tickets: new Map() });
    }
  });
});
