/**
 * BatchGetItem over several tables (lib/adapters/dynamodb-batch-get.ts) and the prefetcher built on
 * it (lib/adapters/dynamodb-prefetcher.ts), against the embedded dynalite, called directly: keys
 * split into requests of at most 100, keys a response left unprocessed asked for again (dynalite,
 * like DynamoDB, leaves keys unprocessed once a response passes its size limit), the failure
 * reported, and what one mail's prefetch asks for and answers. It exists for mutation testing:
 * these rules were only reached through the handler, where Stryker could not see which of them a
 * test pins. The retry timing and the attempt limit are in test/unit/dynamodb-batch-get-retries.test.ts.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchGetAll } from '../../lib/adapters/dynamodb-batch-get.js';
import { DynamoPrefetcher } from '../../lib/adapters/dynamodb-prefetcher.js';
import { loadConfig } from '../../lib/config.js';
import { TransientError } from '../../lib/errors.js';
import { useAwsClients } from '../helpers/aws-clients.js';
import { failureOf } from '../helpers/failure.js';
import { useGateway } from '../helpers/gateway.js';
import { freshTicketId } from '../helpers/local-aws.js';
import { requestsDuring } from '../helpers/observing.js';

const fixture = useGateway({ mode: 'update-only' });
const clients = useAwsClients();

let tables: { tickets: string; messages: string };

beforeAll(() => {
  const config = loadConfig();
  tables = { tickets: config.ticketsTable, messages: config.messagesTable };
});

/** A table keyed by a number `id`, of this test's own. */
const freshTable = () => fixture.aws.freshTicketsTable('batch');

async function putAll(table: string, items: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 10) {
    await Promise.all(items.slice(i, i + 10).map((Item) => clients.dynamo.send(new PutCommand({ TableName: table, Item }))));
  }
}

type KeysAsked = Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>;

/** Runs `work`, answering what it answered and the RequestItems of each BatchGetItem request sent. */
async function batchRequestsOf<T>(work: () => Promise<T>): Promise<{ result: T; asked: KeysAsked[] }> {
  const { result, requests } = await requestsDuring(work);
  const batchGets = requests.filter((request) => request.headers['x-amz-target'] === 'DynamoDB_20120810.BatchGetItem');
  return { result, asked: batchGets.map((request) => (JSON.parse(request.body ?? '{}') as { RequestItems: KeysAsked }).RequestItems) };
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
    // Six items of 380 KB: dynalite answers at most 1 MB plus its largest item size (400 KB), so
    // three of them, and leaves the rest unprocessed. That limit is dynalite's own: DynamoDB
    // answers up to 16 MB per BatchGetItem response, and leaves keys unprocessed past it.
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
    const failure = await failureOf(() => batchGetAll(clients.dynamo, { 'no-such-table': [{ id: 9300 }] }));
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toMatch(/^BatchGetItem failed: ResourceNotFoundException: /);
  });
});

describe('the DynamoDB prefetcher', () => {
  const AT = '2025-03-04T05:06:07.000Z';

  it('reads the entries and tickets a mail needs in one request: each key once, a missing ticket as null, never the counter', async () => {
    const [present, missing] = [freshTicketId(), freshTicketId()];
    const key = (label: string) => `prefetch-${present}-${label}`;
    await fixture.aws.putTicket({ id: present, status: 'open', submitter: 'alice@example.com', cc: ['bob@example.com'] });
    await putAll(tables.messages, [
      { messageKey: key('a'), direction: 'inbound', state: 'skipped', reason: 'no-ticket-ref', bucket: 'mail', key: 'inbound/a', recordedAt: AT },
      // Not a ledger entry: left out.
      { messageKey: key('odd'), direction: 'sideways', state: 'skipped' },
    ]);
    expect(await fixture.aws.ticket(0)).toMatchObject({ lastTicketId: expect.any(Number) });
    const prefetcher = new DynamoPrefetcher(clients.dynamo, tables);

    const { result, asked } = await batchRequestsOf(() =>
      prefetcher.prefetch({ messageKeys: [key('a'), key('a'), key('missing'), key('odd')], ticketIds: [present, 0, present, missing] }),
    );

    expect(asked).toEqual([
      {
        [tables.messages]: { Keys: [{ messageKey: { S: key('a') } }, { messageKey: { S: key('missing') } }, { messageKey: { S: key('odd') } }], ConsistentRead: true },
        [tables.tickets]: { Keys: [{ id: { N: String(present) } }, { id: { N: String(missing) } }], ConsistentRead: true },
      },
    ]);
    expect([...result.entries]).toEqual([
      [key('a'), { messageKey: key('a'), direction: 'inbound', state: 'skipped', reason: 'no-ticket-ref', bucket: 'mail', key: 'inbound/a', recordedAt: AT, messageId: null, from: null, ticketId: null }],
    ]);
    expect([...result.tickets]).toEqual([
      [present, expect.objectContaining({ id: present, status: 'open', submitter: 'alice@example.com', cc: ['bob@example.com'] })],
      [missing, null],
    ]);
  });

  it('reads only the table it has keys for, and nothing at all for no keys or only the counter', async () => {
    const id = freshTicketId();
    await fixture.aws.putTicket({ id, status: 'closed', submitter: 'carol@example.com' });
    const prefetcher = new DynamoPrefetcher(clients.dynamo, tables);

    const onlyTickets = await batchRequestsOf(() => prefetcher.prefetch({ messageKeys: [], ticketIds: [id] }));
    expect(onlyTickets.asked.map((items) => Object.keys(items))).toEqual([[tables.tickets]]);
    expect([...onlyTickets.result.tickets.keys()]).toEqual([id]);
    expect(onlyTickets.result.entries.size).toBe(0);

    const onlyEntries = await batchRequestsOf(() => prefetcher.prefetch({ messageKeys: [`prefetch-${id}-missing`], ticketIds: [] }));
    expect(onlyEntries.asked.map((items) => Object.keys(items))).toEqual([[tables.messages]]);
    expect(onlyEntries.result).toEqual({ entries: new Map(), tickets: new Map() });

    for (const ticketIds of [[], [0]]) {
      const nothing = await batchRequestsOf(() => prefetcher.prefetch({ messageKeys: [], ticketIds }));
      expect(nothing.asked).toEqual([]);
      expect(nothing.result).toEqual({ entries: new Map(), tickets: new Map() });
    }
  });
});
